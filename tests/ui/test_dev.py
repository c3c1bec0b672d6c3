"""``assetline dev`` as a real process on a copy of the IoT example: the daemon runs
beside the UI (a file becomes a run), a change to the code is reloaded (and the daemon
restarted on it), a broken file keeps the previous definitions and shows its error in
the terminal and the API, /metrics has the queue depth and tick durations, and
SIGTERM stops the server and the daemon — on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import re
import shutil
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from assets_core.catalog.catalog import Catalog
from tests.dev_process import IOT, DevProcess, start_dev

ASSETS = "{ assets { key } loadError }"
STATS = '{ asset(key: "readings") { partitionStats { materialized } } }'


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    shutil.copy(IOT / "iot_pipeline.py", root / "pipeline.py")
    return root


@pytest.fixture
def dev(project: Path, catalog_url: str, tmp_path: Path) -> Iterator[DevProcess]:
    env = {
        "ASSETLINE_CATALOG_URL": catalog_url,
        "IOT_LANDING": str(project / "landing"),
        "IOT_SENSOR_INTERVAL": "0.2s",
    }
    (project / "landing").mkdir()
    process = start_dev(["-f", str(project / "pipeline.py")], tmp_path / "home", project, **env)
    yield process
    process.stop()


def daemon_pids(dev: DevProcess) -> list[int]:
    return [int(p) for p in re.findall(r"daemon started \(pid (\d+)\)", dev.output())]


def test_dev_runs_the_daemon_reloads_changes_and_keeps_the_last_good_definitions(
    dev: DevProcess, project: Path, catalog_url: str
) -> None:
    # The daemon runs: a file that lands becomes a run of its hour.
    dev.wait_for(lambda: daemon_pids(dev), 30, "the daemon to start")
    name = "readings_20250301T061500_a.csv"
    (project / "landing" / name).write_text("device,time,temperature,humidity\n"
                                            "s1,2025-03-01T06:15:00+00:00,21.5,40\n")  # fmt: skip

    def materialized() -> int:
        stats = dev.gql(STATS)["asset"]["partitionStats"]
        return int(stats["materialized"])

    dev.wait_for(materialized, 60, "the file's partition to materialize")
    metrics = dev.client.get("/metrics").text
    assert "assetline_run_queue_depth" in metrics
    assert 'assetline_tick_duration_seconds_count{kind="sensor"}' in metrics

    # A change is reloaded, and the daemon restarted on the new definitions.
    source = project / "pipeline.py"
    good = source.read_text()
    source.write_text(good.replace('"""Every reading of one hour', '"""All readings of an hour'))
    added = good.replace(
        "defs = Definitions(\n    assets=[",
        "@asset(group='iot')\ndef site_info() -> int:\n    return 1\n\n\n"
        "defs = Definitions(\n    assets=[site_info, ",
    )
    source.write_text(added)
    dev.wait_for(
        lambda: "site_info" in {a["key"] for a in dev.gql(ASSETS)["assets"]}, 60, "the reload"
    )
    dev.wait_for(lambda: len(daemon_pids(dev)) >= 2, 30, "the daemon to restart")
    assert "reloaded: 4 assets" in dev.output()

    # A broken file: the previous definitions stay, the error shows in both places.
    source.write_text(added.replace("def site_info() -> int:", "def site_info( -> int:"))
    error = dev.wait_for(lambda: dev.gql(ASSETS)["loadError"], 60, "the load error")
    assert "pipeline.py" in error
    assert "site_info" in {a["key"] for a in dev.gql(ASSETS)["assets"]}
    assert "the definitions did not load; still serving the previous ones" in dev.output()
    restarts = len(daemon_pids(dev))

    # Fixed again: the error clears.
    source.write_text(good)
    dev.wait_for(lambda: dev.gql(ASSETS)["loadError"] is None, 60, "the error to clear")
    assert "site_info" not in {a["key"] for a in dev.gql(ASSETS)["assets"]}
    dev.wait_for(lambda: len(daemon_pids(dev)) > restarts, 30, "the daemon to restart")

    # SIGTERM stops everything, and the daemon gives its lease back.
    pid = daemon_pids(dev)[-1]
    dev.wait_for(lambda: lease_pid(catalog_url) == pid, 30, "the new daemon to hold the lease")
    assert dev.stop() == 0
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    assert "assetline dev: stopped" in dev.output()
    assert lease_pid(catalog_url) is None


def lease_pid(catalog_url: str) -> int | None:
    catalog = Catalog.open(catalog_url)
    try:
        lease = catalog.get_lease("daemon")
        return lease.pid if lease is not None else None
    finally:
        catalog.close()


def test_dev_says_when_its_daemon_dies_and_stops_on_ctrl_c(dev: DevProcess) -> None:
    pids = dev.wait_for(lambda: daemon_pids(dev), 30, "the daemon to start")
    os.kill(pids[0], signal.SIGKILL)
    dev.wait_for(
        lambda: "the daemon exited (-9); it starts again after the next change" in dev.output(),
        30,
        "the message",
    )
    # Ctrl-C stops it as cleanly as SIGTERM.
    dev.proc.send_signal(signal.SIGINT)
    assert dev.proc.wait(60) == 0, dev.output()[-3000:]
    assert "assetline dev: stopped" in dev.output()


def test_bad_options_are_usage_errors(tmp_path: Path) -> None:
    import subprocess
    import sys

    location = ["-f", str(IOT / "iot_pipeline.py")]
    for option, message in (
        (["--interval", "0"], "--interval 0 must be more than 0 seconds."),
        (["--port", "70000"], "--port 70000 is not a port number."),
    ):
        proc = subprocess.run(
            [sys.executable, "-m", "assets_core.cli.main", "dev", *location, *option],
            env={**os.environ, "ASSETLINE_HOME": str(tmp_path / "home")},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert proc.returncode == 2, proc.stderr
        assert message in proc.stderr


def test_the_watched_folder_is_the_code_locations() -> None:
    from types import SimpleNamespace

    import example_project
    from assets_ui.dev import watched_paths

    package = Path(example_project.__file__).parent
    by_module = SimpleNamespace(file=None, module="example_project.marts", cwd=package.parent)
    assert watched_paths(by_module) == [package]  # type: ignore[arg-type]
    by_file = SimpleNamespace(file=str(IOT / "iot_pipeline.py"), module=None, cwd=Path.cwd())
    assert watched_paths(by_file) == [IOT]  # type: ignore[arg-type]
