"""The daemon as real processes: sensor cursors across restarts, a raising and a
hanging sensor, run keys under SIGKILL mid-tick, two daemons on one catalog, SIGTERM
and the runs it started — on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assets_core.catalog.catalog import Catalog
from tests.automation.conftest import wait_for
from tests.conftest import FIXTURES, CliResult, assetline_command, cli_env

LOCATION = FIXTURES / "automation_files.py"


class Workspace:
    """A working directory with a landing folder and a pyproject.toml of daemon
    settings, a catalog, and ways to run ``assetline`` in it."""

    def __init__(self, root: Path, catalog_url: str, daemon: dict[str, Any]) -> None:
        self.root = root
        self.landing = root / "landing"
        self.landing.mkdir(parents=True)
        self.url = catalog_url
        settings = "\n".join(f"{k} = {v}" for k, v in daemon.items())
        (root / "pyproject.toml").write_text(f"[tool.assetline.daemon]\n{settings}\n")
        self.env = {"ASSETLINE_CATALOG_URL": catalog_url, "AL_LANDING": str(self.landing)}
        self.catalog = Catalog.open(catalog_url)
        self.procs: list[subprocess.Popen[str]] = []

    def land(self, *names: str) -> None:
        for name in names:
            (self.landing / name).write_text("x\n")

    def cli(self, *args: str, env: dict[str, str] | None = None, timeout: float = 120) -> CliResult:
        argv = (*args, "-f", str(LOCATION))
        proc = subprocess.run(
            assetline_command(*argv),
            env=cli_env({**self.env, **(env or {})}),
            cwd=self.root,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        return CliResult(argv, proc.returncode, proc.stdout, proc.stderr)

    def start(self, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
        proc = subprocess.Popen(
            assetline_command(*args, "-f", str(LOCATION)),
            env=cli_env({**self.env, **(env or {})}),
            cwd=self.root,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.procs.append(proc)
        return proc

    def executions(self) -> list[str]:
        log = self.root / "executions.log"
        return [line.split()[0] for line in log.read_text().splitlines()] if log.exists() else []

    def runs(self) -> list[Any]:
        return self.catalog.list_runs(limit=1000)

    def settled(self) -> bool:
        """No run is queued or running."""
        return not self.catalog.runs_in_status(["QUEUED", "STARTED", "CANCELING"])

    def close(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
            if proc.stderr is not None:
                proc.stderr.close()
        self.catalog.close()


@pytest.fixture
def ws(tmp_path: Path, catalog_url: str) -> Iterator[Workspace]:
    w = Workspace(tmp_path, catalog_url, {"interval_s": 0.2, "lease_ttl_s": 3})
    yield w
    w.close()


def test_a_sensor_cursor_survives_restarts_and_each_file_runs_once(ws: Workspace) -> None:
    ws.land("2024-01-02.csv")
    first = ws.cli("daemon", "--once")
    assert first.returncode == 0, first
    ws.land("2024-01-03.csv")
    second = ws.cli("daemon", "--once")  # a new process: the cursor comes from the catalog
    assert second.returncode == 0, second
    wait_for(lambda: len(ws.executions()) == 2 and ws.settled(), what="the two runs")
    sensors = {
        s["name"]: s
        for s in json.loads(ws.cli("sensors", "list", "--format", "json").stdout)["sensors"]
    }
    assert json.loads(sensors["new_files"]["cursor"]) == ["2024-01-02.csv", "2024-01-03.csv"]
    by_sensor = [r for r in ws.runs() if r.launched_by == "sensor:new_files"]
    assert sorted(r.partitions[0] for r in by_sensor) == ["2024-01-02", "2024-01-03"]
    assert sorted(r.run_key for r in by_sensor) == [
        f"{LOCATION}:sensor:new_files:2024-01-02.csv",
        f"{LOCATION}:sensor:new_files:2024-01-03.csv",
    ]
    assert {r.status for r in by_sensor} == {"SUCCESS"}
    assert sorted(ws.executions()) == ["2024-01-02", "2024-01-03"]
    ticks = json.loads(ws.cli("ticks", "new_files", "--format", "json").stdout)["ticks"]
    assert [t["status"] for t in ticks] == ["SUCCESS", "SUCCESS"]


def test_a_raising_and_a_hanging_sensor_fail_their_own_ticks(
    tmp_path: Path, catalog_url: str
) -> None:
    ws = Workspace(tmp_path, catalog_url, {"sensor_timeout_s": 2})
    try:
        for name in ("broken", "hangs", "wrong_type"):
            assert ws.cli("sensors", "start", name).returncode == 0
        ws.land("2024-01-05.csv")
        began = time.monotonic()
        result = ws.cli("daemon", "--once")
        assert result.returncode == 1, result  # a tick failed
        assert time.monotonic() - began < 30  # the hanging sensor was stopped at 2 s
        ticks = {
            t["name"]: t for t in json.loads(ws.cli("ticks", "--format", "json").stdout)["ticks"]
        }
        assert ticks["broken"]["status"] == "FAILURE"
        assert ticks["broken"]["reason"].startswith("Sensor broken failed: ValueError: boom (at ")
        assert f"{LOCATION}:" in ticks["broken"]["reason"]  # the user's line
        assert ticks["hangs"] == {
            **ticks["hangs"],
            "status": "FAILURE",
            "reason": "Sensor hangs timed out after 2s and was stopped",
        }
        assert ticks["wrong_type"]["reason"] == (
            "Sensor wrong_type returned int (42); return a RunRequest, a list of them, "
            "SkipReason('why') or None."
        )
        # The good sensor and the queue went on.
        assert ticks["new_files"]["status"] == "SUCCESS" and len(ticks["new_files"]["run_ids"]) == 1
        pid = int((tmp_path / "hangs.pid").read_text())
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
        wait_for(ws.settled, what="the run")
        assert ws.executions() == ["2024-01-05"]
    finally:
        ws.close()


@pytest.mark.slow
def test_run_keys_launch_once_when_the_daemon_is_killed_mid_tick(ws: Workspace) -> None:
    """SIGKILL the daemon at random moments (evaluating the sensor, committing, starting
    runs), restart it, again and again: every file gets exactly one run, executed once."""
    files = [f"2024-01-{d:02d}.csv" for d in range(10, 16)]
    env = {"AL_SENSOR_SLEEP": "0.3"}
    rng = random.Random(1234)
    for name in files:
        ws.land(name)
        proc = ws.start("daemon", env=env)
        wait_for(lambda p=proc: _lease_pid(ws) == p.pid, what="the lease")  # type: ignore[misc]
        time.sleep(rng.uniform(0, 0.8))  # a tick takes ~0.4 s: anywhere in it, or after
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        ws.catalog.release_lease("daemon", ws.catalog.get_lease("daemon").owner)  # type: ignore[union-attr]
    proc = ws.start("daemon", env=env)  # one more, left to finish the work
    wait_for(lambda: _lease_pid(ws) == proc.pid, what="the last daemon's lease")
    wait_for(
        lambda: len({r.run_key for r in ws.runs() if r.run_key}) == len(files) and ws.settled(),
        timeout=120,
        what="every file's run",
    )
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) == 0
    by_sensor = [r for r in ws.runs() if r.launched_by == "sensor:new_files"]
    keys = [r.run_key for r in by_sensor]
    assert sorted(keys) == sorted(f"{LOCATION}:sensor:new_files:{f}" for f in files)
    assert {r.status for r in by_sensor} == {"SUCCESS"}
    assert sorted(ws.executions()) == sorted(f[:10] for f in files)  # each ran once


def read_until(proc: subprocess.Popen[str], text: str, timeout: float = 60) -> str:
    """Read ``proc``'s stderr line by line until a line holds ``text``; return what was
    read."""
    import selectors

    assert proc.stderr is not None
    seen = []
    deadline = time.monotonic() + timeout
    with selectors.DefaultSelector() as sel:
        sel.register(proc.stderr, selectors.EVENT_READ)
        while time.monotonic() < deadline:
            if sel.select(timeout=0.5):
                line = proc.stderr.readline()
                seen.append(line)
                if text in line:
                    return "".join(seen)
                if not line:
                    break
    raise AssertionError(f"{text!r} never appeared in:\n{''.join(seen)}")


def _lease_pid(ws: Workspace) -> int | None:
    lease = ws.catalog.get_lease("daemon")
    return lease.pid if lease is not None and lease.expires_at > time.time() else None


def test_two_daemons_one_active_and_the_second_takes_over(ws: Workspace) -> None:
    first = ws.start("daemon")
    wait_for(lambda: _lease_pid(ws) == first.pid, what="the first daemon's lease")
    second = ws.start("daemon")
    waiting = read_until(second, "waiting: another daemon")
    assert f"waiting: another daemon (pid {first.pid} on " in waiting
    time.sleep(1)
    assert _lease_pid(ws) == first.pid  # the second one waits
    # Only the active daemon ticks: the file is handled once.
    ws.land("2024-01-07.csv")
    wait_for(lambda: ws.executions() == ["2024-01-07"], what="the first file's run")
    first.send_signal(signal.SIGKILL)  # no clean stop: the lease must expire (3 s)
    killed_at = time.monotonic()
    wait_for(lambda: _lease_pid(ws) == second.pid, timeout=30, what="the takeover")
    assert time.monotonic() - killed_at < 10
    ws.land("2024-01-08.csv")
    wait_for(
        lambda: sorted(ws.executions()) == ["2024-01-07", "2024-01-08"], what="the second file"
    )
    # A clean stop releases the lease at once.
    second.send_signal(signal.SIGTERM)
    assert second.wait(timeout=30) == 0
    assert ws.catalog.get_lease("daemon") is None
    stderr = second.stderr.read() if second.stderr else ""
    assert "holds the lease" in stderr and stderr.rstrip().endswith("daemon stopped")


def test_once_refuses_while_another_daemon_runs(ws: Workspace) -> None:
    first = ws.start("daemon")
    wait_for(lambda: _lease_pid(ws) == first.pid, what="the lease")
    result = ws.cli("daemon", "--once")
    assert result.returncode == 1, result
    assert f"another daemon (pid {first.pid} on " in result.stderr


def test_sigterm_stops_the_daemon_and_its_runs_go_on(ws: Workspace) -> None:
    proc = ws.start("daemon", env={"AL_STEP_SLEEP": "4"})
    wait_for(lambda: _lease_pid(ws) == proc.pid, what="the lease")
    ws.land("2024-01-09.csv")
    wait_for(lambda: ws.executions() == ["2024-01-09"], what="the run to start")
    began = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) == 0
    assert time.monotonic() - began < 10
    assert ws.catalog.get_lease("daemon") is None
    (run,) = [r for r in ws.runs() if r.launched_by == "sensor:new_files"]
    assert ws.catalog.get_run(run.id).status == "STARTED"  # still running without it
    wait_for(lambda: ws.catalog.get_run(run.id).status == "SUCCESS", what="the run to end")
