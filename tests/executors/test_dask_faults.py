"""The Dask executor survives faults, each provoked for real: a worker killed with
kill -9 mid-step (retried per the step's Retry policy on another worker, or FAILED
"worker lost", and its pool slot given back), the scheduler going away (the run ends
FAILURE and keeps its finished steps), the driver killed (its tasks are released and
stop: nothing keeps writing). The shared cluster's workers run under nannies that
restart a killed worker."""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from assets_core.catalog.catalog import Catalog
from assets_core.execution.processes import ProcessIdentity, is_alive
from tests.conftest import Cli
from tests.executors.dask_cluster import DaskCluster, dask_cluster


def talk_config(folder: Path, asset: str, seconds: float, **paths: Path) -> Path:
    path = folder / f"{asset}.json"
    path.write_text(
        json.dumps({asset: {"seconds": seconds, **{k: str(v) for k, v in paths.items()}}})
    )
    return path


def wait_for(
    condition: Callable[[], bool], what: str, procs: list[Any], timeout: float = 90
) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        for p in procs:
            if p.poll() is not None:
                pytest.fail(f"the run ended before {what}: {p.communicate()}")
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.05)


def materialize_on(cluster: DaskCluster, spawn: Callable[..., Any], *args: Any) -> Any:
    return spawn("materialize", *args, "--executor", "dask", "--dask-address", cluster.address)


def test_a_worker_killed_mid_step_is_retried_on_another_and_gives_its_slot_back(
    cluster: DaskCluster,
    spawn: Callable[..., Any],
    fixture_path: Callable[[str], Path],
    sqlite_catalog: Catalog,
    tmp_path: Path,
    assetline_home: Path,
) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.assetline.pools]\nwarehouse = 1\n")
    location = fixture_path("engine_dask")
    started = tmp_path / "started"
    config = talk_config(tmp_path, "resilient", 60, started_marker=started)
    first = materialize_on(cluster, spawn, "-f", location, "--select", "resilient",
                           "--config", config)  # fmt: skip
    wait_for(started.exists, "the first attempt", [first])
    mate = materialize_on(cluster, spawn, "-f", location, "--select", "pool_mate")

    def mate_waits() -> bool:
        return any(
            e.type == "STEP_WAITING" for r in sqlite_catalog.list_runs() for e in
            sqlite_catalog.events(r.id)
        )  # fmt: skip

    wait_for(mate_waits, "pool_mate waiting for the slot", [first, mate])
    killed = int(started.read_text())
    os.kill(killed, signal.SIGKILL)

    for proc in (first, mate):
        out, err = proc.communicate(timeout=90)
        assert proc.returncode == 0, out + err
    [run] = [r for r in sqlite_catalog.list_runs() if r.selection == "resilient"]
    [step] = sqlite_catalog.steps(run.id)
    assert (step.status, step.attempts) == ("SUCCESS", 2)
    [retry] = [e for e in sqlite_catalog.events(run.id) if e.type == "STEP_RETRY"]
    assert retry.message.startswith(
        "Attempt 1 of resilient failed: worker lost: Dask worker tcp://"
    )
    assert sqlite_catalog.pool_slots() == []


def test_a_worker_killed_mid_step_without_retry_fails_worker_lost_and_the_run_ends(
    cluster: DaskCluster,
    spawn: Callable[..., Any],
    fixture_path: Callable[[str], Path],
    sqlite_catalog: Catalog,
    tmp_path: Path,
) -> None:
    started = tmp_path / "started"
    config = talk_config(tmp_path, "talkative", 60, started_marker=started)
    proc = materialize_on(cluster, spawn, "-f", fixture_path("engine_dask"), "--select",
                          "talkative, after_talk", "--config", config)  # fmt: skip
    wait_for(started.exists, "talkative", [proc])
    os.kill(int(started.read_text()), signal.SIGKILL)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1, out + err
    [run] = sqlite_catalog.list_runs()
    assert run.status == "FAILURE"
    steps = {s.asset_key: s for s in sqlite_catalog.steps(run.id)}
    assert steps["talkative"].status == "FAILED"
    assert (steps["talkative"].error or "").startswith("worker lost: Dask worker tcp://127.0.0.1:")
    assert steps["after_talk"].status == "SKIPPED"
    assert "worker lost" in out


def test_the_scheduler_going_away_ends_the_run_failure_and_keeps_finished_steps(
    spawn: Callable[..., Any],
    fixture_path: Callable[[str], Path],
    sqlite_catalog: Catalog,
    tmp_path: Path,
    assetline_home: Path,
) -> None:
    started = tmp_path / "started"
    config = talk_config(tmp_path, "slow_child", 60, started_marker=started)
    with dask_cluster(tmp_path / "logs", 1, {"ASSETLINE_TEST_WORKER_SECRET": "x"}) as own:
        proc = materialize_on(own, spawn, "-f", fixture_path("engine_dask"), "--select",
                              "root, slow_child", "--config", config)  # fmt: skip
        wait_for(started.exists, "slow_child", [proc])
        own.scheduler.kill()
        killed = time.monotonic()
        out, err = proc.communicate(timeout=60)
        # Not after the client's reconnect timeout (20 s): nothing is left to reconnect to.
        assert time.monotonic() - killed < 10, "the run should end once the scheduler is gone"
    assert proc.returncode == 1, out + err
    [run] = sqlite_catalog.list_runs()
    assert run.status == "FAILURE"
    assert (run.error or "").startswith(f"Dask scheduler {own.address} unreachable")
    steps = {s.asset_key: s for s in sqlite_catalog.steps(run.id)}
    assert steps["root"].status == "SUCCESS"
    assert steps["slow_child"].status == "FAILED"
    assert [m.asset_key for m in sqlite_catalog.materializations_for_run(run.id)] == ["root"]
    assert (assetline_home / "storage" / "root" / "data.parquet").exists()
    assert sqlite_catalog.events(run.id)[-1].type == "RUN_FAILURE"


def test_a_killed_driver_leaves_no_task_running_or_writing(
    cluster: DaskCluster,
    spawn: Callable[..., Any],
    cli: Cli,
    fixture_path: Callable[[str], Path],
    sqlite_catalog: Catalog,
    tmp_path: Path,
    assetline_home: Path,
) -> None:
    started, done = tmp_path / "started", tmp_path / "done"
    config = talk_config(tmp_path, "talkative", 6, started_marker=started, done_marker=done)
    proc = materialize_on(cluster, spawn, "-f", fixture_path("engine_dask"), "--select",
                          "talkative, after_talk", "--config", config)  # fmt: skip
    wait_for(started.exists, "talkative", [proc])

    def start_recorded() -> bool:
        runs = sqlite_catalog.list_runs()
        return bool(runs) and any(
            e.type == "STEP_START" and e.asset_key == "talkative"
            for e in sqlite_catalog.events(runs[0].id)
        )

    wait_for(start_recorded, "talkative's start to be committed", [proc])
    proc.kill()
    proc.communicate()
    killed_at = time.monotonic()

    deadline = killed_at + 30
    while cluster.assetline_tasks():
        assert time.monotonic() < deadline, cluster.assetline_tasks()
        time.sleep(0.2)
    [run] = sqlite_catalog.list_runs()
    events = len(sqlite_catalog.events(run.id))
    time.sleep(max(0.0, killed_at + 8 - time.monotonic()))  # talkative would be done by now
    assert not done.exists(), "the step kept running after its driver died"
    assert len(sqlite_catalog.events(run.id)) == events
    assert not (assetline_home / "storage" / "talkative").exists()
    # The run is left to crash recovery: its process is known to be gone...
    run = sqlite_catalog.get_run(run.id)
    assert run.status == "STARTED"
    assert run.host is not None and run.pid is not None
    assert is_alive(ProcessIdentity(run.host, run.pid, run.process_started_at)) is False
    # ...which the next command that shows runs does: FAILURE, the step it ran FAILED.
    listed = cli("runs", "--format", "json")
    assert listed.returncode == 0, listed
    assert [r["status"] for r in listed.json()["runs"]] == ["FAILURE"]
    ended = sqlite_catalog.get_run(run.id)
    assert (ended.error or "").startswith(f"worker pid {proc.pid} on host {run.host} died; ")
    steps = {s.asset_key: s.status for s in sqlite_catalog.steps(run.id)}
    assert steps.get("talkative") == "FAILED", steps
