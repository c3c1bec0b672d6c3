"""kill -9 of a `--executor multiprocess` run leaves no worker process behind: the
workers die with their parent (parent-death signal, or their watch of the parent pid)
within 2 s, and the run is ended by the next command's crash recovery."""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

import pytest

from assets_core.catalog.catalog import Catalog
from tests.conftest import FIXTURES, Cli, assetline_command, cli_env
from tests.faults.procfs import alive, descendants

LAYERS = FIXTURES / "faults_layers.py"


@pytest.mark.slow
def test_workers_die_with_a_killed_multiprocess_run(
    cli: Cli, sqlite_catalog: Catalog, tmp_path: Path
) -> None:
    env = {"LAYERS": "2", "WIDTH": "4", "STEP_S": "30"}
    for trial in range(3):
        proc = subprocess.Popen(
            assetline_command(
                "materialize", "-f", str(LAYERS), "--executor", "multiprocess", "--workers", "3"
            ),
            env=cli_env(env),
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while len(workers := descendants(proc.pid)) < 3:
            assert proc.poll() is None and time.monotonic() < deadline, "no workers started"
            time.sleep(0.05)
        time.sleep(0.2 * trial)  # in the initializer, in a step
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        killed_at = time.monotonic()
        while left := {p for p in workers if alive(p)}:
            assert time.monotonic() - killed_at < 2.0, f"workers {left} outlived their run"
            time.sleep(0.05)

    listed = cli("runs", "--format", "json")
    assert listed.returncode == 0, listed
    runs = listed.json()["runs"]  # type: ignore[call-overload, index]
    assert [r["status"] for r in runs] == ["FAILURE"] * 3, runs
