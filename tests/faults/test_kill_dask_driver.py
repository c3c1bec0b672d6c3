"""kill -9 of `assetline materialize --executor dask` with its own LocalCluster: the
cluster's processes die with the driver (nothing keeps running the step or writing its
value), and the run is ended by the next command's crash recovery. (With
`--dask-address`, see tests/executors/test_dask_faults.py: the tasks are released.)"""

from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path

import pytest

from assets_core.catalog.catalog import Catalog
from tests.conftest import FIXTURES, Cli, assetline_command, cli_env
from tests.faults.procfs import alive, descendants

DASK = FIXTURES / "engine_dask.py"


@pytest.mark.slow
def test_a_killed_driver_takes_its_local_cluster_with_it_and_its_run_is_ended(
    cli: Cli, sqlite_catalog: Catalog, tmp_path: Path, assetline_home: Path
) -> None:
    started, done = tmp_path / "started", tmp_path / "done"
    config = tmp_path / "talk.json"
    config.write_text(
        json.dumps(
            {"talkative": {"seconds": 8, "started_marker": str(started), "done_marker": str(done)}}
        )
    )
    proc = subprocess.Popen(
        assetline_command(
            "materialize",
            "-f",
            str(DASK),
            "--select",
            "talkative",
            "--config",
            str(config),
            "--executor",
            "dask",
            "--workers",
            "1",
        ),
        env=cli_env({"ASSETLINE_TEST_WORKER_SECRET": "x"}),
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while not started.exists():
        assert proc.poll() is None and time.monotonic() < deadline, "the step never started"
        time.sleep(0.05)
    cluster = descendants(proc.pid)
    assert cluster, "no cluster process found"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    killed_at = time.monotonic()
    while left := {p for p in cluster if alive(p)}:
        assert time.monotonic() - killed_at < 10, f"cluster processes {left} outlived the driver"
        time.sleep(0.1)

    listed = cli("runs", "--format", "json")
    assert listed.returncode == 0, listed
    (run,) = listed.json()["runs"]  # type: ignore[call-overload, index]
    assert run["status"] == "FAILURE"
    error = sqlite_catalog.get_run(run["id"]).error or ""
    assert error.startswith(f"worker pid {proc.pid} on host "), error
    time.sleep(max(0.0, killed_at + 9 - time.monotonic()))  # the step would be done by now
    assert not done.exists(), "the step kept running after its driver died"
    assert not (assetline_home / "storage" / "talkative").exists()
