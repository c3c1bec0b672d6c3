"""The daemon's sweep of runs whose worker stopped heartbeating: a run killed with -9
on this host ends FAILURE at once with the reason and its open step FAILED; a run on
another host ends once its heartbeat is older than the timeout; live runs are left
alone. On SQLite and PostgreSQL."""

from __future__ import annotations

import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

from assets_core.catalog.catalog import Catalog
from assets_core.catalog.records import RunRecord
from assets_core.definitions.repository import Definitions
from assets_core.execution.recovery import recover_dead_runs
from tests.automation.conftest import Clock, held_daemon, wait_for
from tests.conftest import FIXTURES, assetline_command, cli_env


@pytest.mark.slow
def test_a_run_killed_with_9_is_ended_failure_with_the_reason(
    tmp_path: Path, catalog: Catalog, catalog_url: str
) -> None:
    marker = tmp_path / "slow_started"
    proc = subprocess.Popen(
        assetline_command("materialize", "-f", str(FIXTURES / "engine_slow.py"), "--select", "*"),
        env=cli_env({"ASSETLINE_CATALOG_URL": catalog_url, "MARKER": str(marker)}),
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_for(marker.exists, what="the slow step to start")
    (run,) = catalog.list_runs()
    wait_for(
        lambda: any(
            e.type == "STEP_START" and e.asset_key == "slow" for e in catalog.events(run.id)
        ),
        what="the slow step's start to be recorded",
    )
    assert recover_dead_runs(catalog) == []  # alive: left alone
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert catalog.get_run(run.id).status == "STARTED"  # nobody ended it

    daemon = held_daemon(Definitions(), catalog, catalog_url, Clock("2024-03-01T00:00:00"))
    assert daemon.step(everything=True).recovered == [run.id]
    ended = catalog.get_run(run.id)
    assert ended.status == "FAILURE"
    host = socket.gethostname()
    assert ended.error is not None
    assert ended.error.startswith(f"worker pid {proc.pid} on host {host} died; last heartbeat ")
    assert ended.error.endswith("; last step slow")
    steps = {s.asset_key: s.status for s in catalog.steps(run.id)}
    assert steps["slow"] == "FAILED" and steps["first"] == "SUCCESS"
    assert catalog.events(run.id)[-1].type == "RUN_FAILURE"
    # Now it can be re-executed from failure.
    assert recover_dead_runs(catalog) == []


def test_a_run_on_another_host_ends_when_its_heartbeat_is_too_old(catalog: Catalog) -> None:
    now = time.time()
    for rid, beat in (("stale", now - 300), ("recent", now - 10)):
        catalog.create_run(
            RunRecord(
                rid,
                "STARTED",
                "x",
                created_at=now - 400,
                started_at=now - 400,
                heartbeat_at=beat,
                pid=4242,
                host="elsewhere",
            )
        )
    catalog.create_run(
        RunRecord(
            "canceling",
            "CANCELING",
            "x",
            created_at=now - 400,
            heartbeat_at=now - 300,
            pid=4243,
            host="elsewhere",
        )
    )
    assert sorted(recover_dead_runs(catalog, heartbeat_timeout_s=120)) == ["canceling", "stale"]
    stale = catalog.get_run("stale")
    assert stale.status == "FAILURE"
    assert stale.error is not None and stale.error.startswith("worker heartbeat lost at ")
    assert "(pid 4242 on host elsewhere); no heartbeat for 30" in stale.error
    assert catalog.get_run("canceling").status == "CANCELED"
    assert catalog.get_run("recent").status == "STARTED"
