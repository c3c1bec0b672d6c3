"""Each step's captured stdout/stderr and its failure's traceback (SPEC §12), through
the real ``assetline`` program: ``print``, subprocesses writing to fds 1 and 2,
warnings and logging are stored per step in every executor, bounded, redacted, shown
by ``run --logs [--step]``; a failure shows the user's file and line and a traceback
of the user's frames in the summary, ``run`` and ``run --format json``."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FIXTURES, Cli, assetline_command, cli_env

LOCATION = FIXTURES / "engine_output.py"
SECRET = "hunter2-very-secret"
HELPER_LINE = next(
    i
    for i, line in enumerate(LOCATION.read_text().splitlines(), 1)
    if 'return sum(values) + "1"' in line
)


@pytest.fixture(autouse=True)
def secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OUTPUT_SECRET", SECRET)


def _last_run_id(cli: Cli) -> str:
    runs: Any = cli("runs", "--format", "json", "--limit", "1").json()
    return str(runs["runs"][0]["id"])


@pytest.mark.parametrize("executor", ["inprocess", "multiprocess", "dask"])
def test_output_of_each_step_is_stored_in_every_executor(cli: Cli, executor: str) -> None:
    select = "talker or leaky"
    result = cli(
        "materialize", "-f", LOCATION, "--select", select, "--executor", executor, timeout=120
    )  # fmt: skip
    assert result.returncode == 0, result
    # Nothing the steps wrote reaches the terminal of the run.
    assert "print to stdout" not in result.stdout + result.stderr
    assert "subprocess fd 1" not in result.stdout + result.stderr
    run_id = _last_run_id(cli)
    logs: Any = cli("run", run_id, "--logs", "--format", "json").json()
    by_asset = {entry["asset"]: entry["output"] for entry in logs["logs"]}
    talker = by_asset["talker"]
    for line in (
        "print to stdout",
        "print to stderr",
        "subprocess fd 1",
        "shell fd 2",
        "UserWarning: a user warning",
        "a logging record",
    ):
        assert line in talker, (executor, talker)
    assert "token is ***" in by_asset["leaky"]
    assert SECRET not in str(logs)
    text = cli("run", run_id, "--logs", "--step", "leaky")
    assert text.returncode == 0, text
    assert text.stdout.startswith("=== leaky ===\n")
    assert "token is ***" in text.stdout and "print to stdout" not in text.stdout


def test_output_is_bounded_with_a_note(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.assetline]\nmax_step_log_bytes = 1000\n")
    result = cli(
        "materialize", "-f", LOCATION, "--select", "chatty", env={"OUTPUT_BIG_BYTES": "50000"}
    )  # fmt: skip
    assert result.returncode == 0, result
    out = cli("run", _last_run_id(cli), "--logs").stdout
    assert out.count("x" * 99) == 10
    assert "output truncated; 49000 more bytes not kept (max_step_log_bytes = 1000)" in out


def test_a_bad_log_bound_is_a_usage_error(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.assetline]\nmax_step_log_bytes = "1MB"\n')
    result = cli("materialize", "-f", LOCATION, "--select", "chatty")
    assert result.returncode == 2, result
    assert "max_step_log_bytes" in result.stderr and "must be an int >= 0" in result.stderr


def test_output_is_visible_while_the_step_runs(cli: Cli, tmp_path: Path) -> None:
    proc = subprocess.Popen(
        assetline_command("materialize", "-f", str(LOCATION), "--select", "talker or slow_talker"),
        env=cli_env({"OUTPUT_SLOW_S": "60", "OUTPUT_GO_FILE": str(tmp_path / "go")}),
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        seen = ""
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and "early line" not in seen:
            time.sleep(0.3)
            runs = cli("runs", "--format", "json").json()
            if runs["runs"]:  # type: ignore[index]
                seen = cli("run", _last_run_id(cli), "--logs", "--step", "slow_talker").stdout
        assert "early line" in seen and "late line" not in seen
        assert proc.poll() is None, "the step should still be running"
    finally:
        (tmp_path / "go").touch()  # the step goes on to its late line and ends
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, out + err
    assert "late line" in cli("run", _last_run_id(cli), "--logs", "--step", "slow_talker").stdout


def test_a_failure_shows_the_users_file_line_and_frames(cli: Cli) -> None:
    result = cli("materialize", "-f", LOCATION, "--select", "talker+ and not slow_talker")
    assert result.returncode == 1, result
    where = f"{LOCATION}:{HELPER_LINE}"
    headline = f"broken FAILED at {where}: TypeError: unsupported operand type(s) for +"
    assert headline in result.stdout, result
    run_id = _last_run_id(cli)
    data: Any = cli("run", run_id, "--format", "json").json()
    [step] = [s for s in data["steps"] if s["asset"] == "broken"]
    assert step["location"] == where
    tb = step["traceback"]
    assert tb.startswith("Traceback (most recent call last):\n")
    assert f'File "{LOCATION}", line {HELPER_LINE}, in _helper' in tb
    assert ", in broken" in tb
    assert "assets_core" not in tb, "Assetline's own frames are trimmed"
    assert tb.rstrip().endswith("TypeError: unsupported operand type(s) for +: 'int' and 'str'")
    assert "STEP_OUTPUT" not in {e["type"] for e in data["events"]}
    table = cli("run", run_id)
    assert headline in table.stdout and f"line {HELPER_LINE}, in _helper" in table.stdout
    assert "about to fail" in cli("run", run_id, "--logs", "--step", "broken").stdout


def test_step_without_logs_is_a_usage_error(cli: Cli) -> None:
    assert cli("materialize", "-f", LOCATION, "--select", "chatty").returncode == 0
    run_id = _last_run_id(cli)
    alone = cli("run", run_id, "--step", "chatty")
    assert alone.returncode == 2 and "add --logs" in alone.stderr
    unknown = cli("run", run_id, "--logs", "--step", "nope")
    assert unknown.returncode == 2 and "has no step for asset 'nope'" in unknown.stderr


def test_capture_leaves_the_process_streams_as_they_were() -> None:
    from assets_core.execution.capture import capture_output

    got: list[tuple[str, str]] = []
    lock = threading.Lock()

    def sink(stream: str, text: str) -> None:
        with lock:
            got.append((stream, text))

    before = sys.stdout, sys.stderr
    with capture_output(sink, 100):
        print("inside")
        subprocess.run(["sh", "-c", "echo from sh"], check=True)
    assert (sys.stdout, sys.stderr) == before
    text = "".join(t for _, t in got)
    assert "inside\n" in text and "from sh\n" in text
