"""Interrupting a real ``assetline materialize`` process while a slow asset runs:
Ctrl-C (SIGINT) or SIGTERM (what cancelRun sends) cancels the run cleanly; kill -9
leaves a catalog that still opens and reads, with everything the finished steps
wrote."""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from assets_core import Definitions, load_definitions
from assets_core.catalog.catalog import Catalog
from assets_core.catalog.status import asset_statuses


def wait_for(condition: Callable[[], bool], proc: subprocess.Popen[str], what: str) -> None:
    deadline = time.monotonic() + 30
    while not condition():
        if proc.poll() is not None:
            out, err = proc.communicate()
            pytest.fail(f"the run ended (exit {proc.returncode}) before {what}:\n{out}\n{err}")
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.05)


def slow_step_started(catalog: Catalog) -> Callable[[], bool]:
    def started() -> bool:
        runs = catalog.list_runs(limit=1)
        return bool(runs) and any(
            e.type == "STEP_START" and e.asset_key == "slow" for e in catalog.events(runs[0].id)
        )

    return started


def storage_files(home: Path, asset: str) -> list[str]:
    folder = home / "storage" / asset
    return sorted(p.name for p in folder.rglob("*")) if folder.exists() else []


@pytest.fixture
def slow_defs(fixture_path: Callable[[str], Path]) -> Definitions:
    return load_definitions(file=fixture_path("engine_slow"))


@pytest.mark.parametrize(
    ("mode", "sig"),
    [("function", signal.SIGINT), ("store", signal.SIGINT), ("function", signal.SIGTERM)],
    ids=["sigint-in-function", "sigint-in-store", "sigterm-in-function"],
)
def test_interrupt_cancels_the_run_and_leaves_no_partial_output(
    mode: str,
    sig: signal.Signals,
    sqlite_catalog: Catalog,
    assetline_home: Path,
    tmp_path: Path,
    spawn: Callable[..., Any],
    fixture_path: Callable[[str], Path],
) -> None:
    marker = tmp_path / "slow-started"
    proc = spawn(
        "materialize",
        "-f",
        fixture_path("engine_slow"),
        env={"SLOW_MODE": mode, "MARKER": str(marker), "SLOW_S": "60"},
    )
    wait_for(slow_step_started(sqlite_catalog), proc, "the STEP_START event of slow")
    # In "store" mode the temp file is written and the rename is pending.
    wait_for(marker.exists, proc, "the slow part of the step")
    if mode == "store":
        assert any(name.endswith(".tmp") for name in storage_files(assetline_home, "slow"))

    proc.send_signal(sig)
    out, err = proc.communicate(timeout=30)

    assert proc.returncode == 130, f"{out}\n{err}"
    assert "Traceback" not in err
    [run] = sqlite_catalog.list_runs()
    assert run.status == "CANCELED"
    assert run.ended_at is not None
    steps = {s.asset_key: s.status for s in sqlite_catalog.steps(run.id)}
    assert steps == {"first": "SUCCESS", "slow": "CANCELED", "after": "CANCELED"}
    assert sqlite_catalog.events(run.id)[-1].type == "RUN_CANCELED"
    assert [m.asset_key for m in sqlite_catalog.materializations_for_run(run.id)] == ["first"]
    # Nothing of slow's output is visible, not even a temp file.
    assert storage_files(assetline_home, "slow") == []
    assert storage_files(assetline_home, "after") == []
    assert storage_files(assetline_home, "first") == ["data.parquet"]


def test_sigint_summary_counts_the_finished_steps(
    sqlite_catalog: Catalog,
    tmp_path: Path,
    spawn: Callable[..., Any],
    fixture_path: Callable[[str], Path],
    request: pytest.FixtureRequest,
) -> None:
    proc = spawn("materialize", "-f", fixture_path("engine_slow"))
    wait_for(slow_step_started(sqlite_catalog), proc, "the STEP_START event of slow")
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=30)
    assert "1 success" in out
    assert "2 canceled" in out


def test_sigint_during_a_retry_backoff_records_the_canceled_steps(
    sqlite_catalog: Catalog,
    spawn: Callable[..., Any],
    fixture_path: Callable[[str], Path],
) -> None:
    proc = spawn("materialize", "-f", fixture_path("engine_retry"))

    def retrying() -> bool:
        runs = sqlite_catalog.list_runs(limit=1)
        return bool(runs) and any(e.type == "STEP_RETRY" for e in sqlite_catalog.events(runs[0].id))

    wait_for(retrying, proc, "the first STEP_RETRY event")
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, f"{out}\n{err}"
    [run] = sqlite_catalog.list_runs()
    assert run.status == "CANCELED"
    steps = {s.asset_key: s.status for s in sqlite_catalog.steps(run.id)}
    assert steps == {"ok": "SUCCESS", "flaky": "CANCELED", "after": "CANCELED"}


@pytest.mark.slow
@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_kill_9_leaves_a_catalog_that_opens_and_reads(
    backend: str,
    request: pytest.FixtureRequest,
    spawn: Callable[..., Any],
    fixture_path: Callable[[str], Path],
    slow_defs: Definitions,
    cli: Callable[..., Any],
) -> None:
    env: dict[str, str] = {}
    if backend == "postgres":
        url = request.getfixturevalue("postgres_url")
        env["ASSETLINE_CATALOG_URL"] = url
        catalog = Catalog.open(url)
    else:
        catalog = request.getfixturevalue("sqlite_catalog")
    try:
        proc = spawn("materialize", "-f", fixture_path("engine_slow"), env=env)
        wait_for(slow_step_started(catalog), proc, "the STEP_START event of slow")
        proc.kill()
        proc.communicate(timeout=30)
        assert proc.returncode == -signal.SIGKILL
        if backend == "sqlite":
            with catalog.engine.connect() as conn:
                assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"

        # A catalog opened after the crash reads everything the finished step wrote.
        after = Catalog.open(catalog.url if backend == "sqlite" else env["ASSETLINE_CATALOG_URL"])
        try:
            [run] = after.list_runs()
            assert run.status == "STARTED"  # nobody was left to record the end
            steps = {s.asset_key: s.status for s in after.steps(run.id)}
            # the killed step shows it was running when the process died
            assert steps == {"first": "SUCCESS", "slow": "STARTED"}
            types = [(e.type, e.asset_key) for e in after.events(run.id)]
            assert types[:5] == [
                ("RUN_START", None),
                ("STEP_START", "first"),
                ("MATERIALIZATION", "first"),
                ("STEP_SUCCESS", "first"),
                ("STEP_START", "slow"),
            ]
            [mat] = after.materializations_for_run(run.id)
            assert mat.asset_key == "first"
            statuses = {str(k): v.status for k, v in asset_statuses(slow_defs.graph, after).items()}
            assert statuses == {"first": "FRESH", "slow": "MISSING", "after": "MISSING"}
        finally:
            after.close()
    finally:
        if backend == "postgres":
            catalog.close()

    if backend == "postgres":
        return
    # The program itself reads the catalog too (ending the dead run: crash recovery,
    # tests/faults), and can run again.
    runs = cli("runs", "--format", "json", env=env)
    assert runs.returncode == 0, runs
    assert [r["status"] for r in runs.json()["runs"]] == ["FAILURE"]
    shown = cli("run", runs.json()["runs"][0]["id"], "--format", "json", env=env)
    assert shown.returncode == 0, shown
    assert [(s["asset"], s["status"]) for s in shown.json()["steps"]] == [
        ("first", "SUCCESS"),
        ("slow", "FAILED"),
    ]
    again = cli("materialize", "-f", fixture_path("engine_slow"), env={**env, "SLOW_S": "0"})
    assert again.returncode == 0, again
