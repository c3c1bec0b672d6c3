"""The Dask executor on a real cluster (a ``dask scheduler`` and two ``dask worker``
processes): the same plan, events and catalog records as in-process; steps in parallel
on the workers; live events; user errors with traceback and asset; resources built on
the workers; cancel."""

from __future__ import annotations

import json
import os
import signal
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from assets_core import load_definitions, materialize
from assets_core.catalog.catalog import Catalog
from tests.executors.conftest import WORKER_SECRET
from tests.executors.dask_cluster import DaskCluster

DIAMOND = "root, left, right, joined"


def load(fixture_path: Callable[[str], Path], **env: str) -> Any:
    """The definitions of engine_dask, loaded with ``env`` (read at import)."""
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        return load_definitions(file=fixture_path("engine_dask"))
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def event_kinds(catalog: Catalog, run_id: str) -> Counter[tuple[str, str | None]]:
    return Counter((e.type, e.asset_key) for e in catalog.events(run_id))


def test_a_dask_run_records_what_an_inprocess_run_records(
    cluster: DaskCluster,
    fixture_path: Callable[[str], Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ASSETLINE_TEST_WORKER_SECRET", "for-the-inprocess-run")
    defs = load(fixture_path)
    # Warm both workers (imports, the code location) so that the run below measures
    # parallelism, not a cold worker's start on a busy machine.
    materialize(defs, DIAMOND, executor="dask", dask_address=cluster.address, home=tmp_path / "w")
    pace = {"left": {"sleep_s": 3}, "right": {"sleep_s": 3}}
    on_dask = materialize(
        defs,
        DIAMOND,
        config=pace,
        executor="dask",
        dask_address=cluster.address,
        home=tmp_path / "d",
    )
    here = materialize(defs, DIAMOND, config=pace, home=tmp_path / "i")

    assert on_dask.status == here.status == "SUCCESS"
    dask_cat, here_cat = on_dask.catalog, here.catalog
    assert event_kinds(dask_cat, on_dask.run_id) == event_kinds(here_cat, here.run_id)
    steps = {(s.asset_key, s.status, s.attempts) for s in dask_cat.steps(on_dask.run_id)}
    assert steps == {(s.asset_key, s.status, s.attempts) for s in here_cat.steps(here.run_id)}
    [check] = dask_cat.check_results_for_run(on_dask.run_id)
    assert (check.check_name, check.passed, check.metadata) == ("two_rows", True, {"rows": 2})
    # Provenance: joined consumed the materializations of left and right of this run.
    mats = {m.asset_key: m for m in dask_cat.materializations_for_run(on_dask.run_id)}
    consumed = {m.asset_key for m in dask_cat.provenance(mats["joined"].id)}
    assert consumed == {"left", "right"}
    assert mats["left"].data_version and mats["left"].location
    # left and right ran at once, in two worker processes, not in this one.
    rows = pq.read_table(tmp_path / "d" / "storage" / "joined" / "data.parquet").to_pylist()
    pids = {r["pid"] for r in rows}
    assert len(pids) == 2 and os.getpid() not in pids, rows
    first, second = sorted(rows, key=lambda r: r["start"])
    assert second["start"] < first["end"], "left and right did not overlap"
    run = dask_cat.get_run(on_dask.run_id)
    assert (run.executor, run.executor_options) == ("dask", {"dask_address": cluster.address})


def test_a_user_error_crosses_with_its_traceback_and_asset(
    cluster: DaskCluster, fixture_path: Callable[[str], Path], tmp_path: Path
) -> None:
    defs = load(fixture_path)
    result = materialize(
        defs, "root, broken, broken_child", executor="dask", dask_address=cluster.address
    )
    assert result.status == "FAILURE"
    broken = result.step("broken")
    assert broken.status == "FAILED"
    assert broken.error == "The function of asset broken raised ValueError: row 3 of root is bad"
    assert result.step("broken_child").status == "SKIPPED"
    [failure] = [e for e in result.catalog.events(result.run_id) if e.type == "STEP_FAILURE"]
    assert failure.data is not None
    assert "engine_dask.py" in failure.data["traceback"]
    assert 'raise ValueError("row 3 of root is bad")' in failure.data["traceback"]
    assert result.catalog.get_run(result.run_id).error == "1 step(s) failed: broken"


def test_events_of_a_running_step_are_seen_while_it_runs(
    cluster: DaskCluster,
    fixture_path: Callable[[str], Path],
    sqlite_catalog: Catalog,
    spawn: Callable[..., Any],
    tmp_path: Path,
) -> None:
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"talkative": {"seconds": 4}}))
    proc = spawn(
        "materialize", "-f", fixture_path("engine_dask"), "--select", "talkative",
        "--config", config, "--executor", "dask", "--dask-address", cluster.address,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while True:
        runs = sqlite_catalog.list_runs()
        logs = [e for e in sqlite_catalog.events(runs[0].id) if e.type == "LOG"] if runs else []
        if logs:
            break
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "no live LOG event"
        time.sleep(0.05)
    [step] = sqlite_catalog.steps(runs[0].id)
    assert (step.status, logs[0].message) == ("STARTED", "halfway there")
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, out + err
    assert [s.status for s in sqlite_catalog.steps(runs[0].id)] == ["SUCCESS"]


def test_resources_are_built_once_per_worker_and_env_vars_resolve_there(
    cluster: DaskCluster,
    fixture_path: Callable[[str], Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    assetline_home: Path,
) -> None:
    monkeypatch.delenv("ASSETLINE_TEST_WORKER_SECRET", raising=False)  # only workers have it
    built = tmp_path / "built.log"
    defs = load(fixture_path, RESOURCE_LOG=str(built))
    results = [
        materialize(defs, "root, uses_secret", executor="dask", dask_address=cluster.address)
        for _ in range(3)
    ]
    assert [r.status for r in results] == ["SUCCESS"] * 3
    table = pq.read_table(assetline_home / "storage" / "uses_secret" / "data.parquet")
    assert table.column("token_length").to_pylist() == [len(WORKER_SECRET)]
    logs = [e.message for e in results[0].catalog.events(results[0].run_id) if e.type == "LOG"]
    assert logs == ["token is ***"]
    # Three runs of two steps: each worker process built the resources at most once.
    builders = built.read_text().split()
    assert len(builders) == len(set(builders)) <= 2
    assert str(os.getpid()) not in builders


def test_ctrl_c_cancels_the_futures_and_interrupts_the_running_step(
    cluster: DaskCluster,
    fixture_path: Callable[[str], Path],
    sqlite_catalog: Catalog,
    spawn: Callable[..., Any],
    tmp_path: Path,
    assetline_home: Path,
) -> None:
    started, done = tmp_path / "started", tmp_path / "done"
    config = tmp_path / "config.json"
    config.write_text(
        json.dumps(
            {"talkative": {"seconds": 8, "done_marker": str(done), "started_marker": str(started)}}
        )
    )
    proc = spawn(
        "materialize", "-f", fixture_path("engine_dask"), "--select", "talkative",
        "--config", config, "--executor", "dask", "--dask-address", cluster.address,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while not started.exists():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, out + err
    assert "Traceback" not in err
    [run] = sqlite_catalog.list_runs()
    assert run.status == "CANCELED"
    assert [s.status for s in sqlite_catalog.steps(run.id)] == ["CANCELED"]
    assert sqlite_catalog.events(run.id)[-1].type == "RUN_CANCELED"
    assert cluster.assetline_tasks() == []
    time.sleep(9)  # the step would have finished by now had it not been interrupted
    assert not done.exists()
    assert not (assetline_home / "storage" / "talkative").exists()
