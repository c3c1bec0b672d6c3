"""``assetline backfill`` (SPEC §5): dependency order across assets and partitions,
resumable after a failure or a kill (only the rest runs), ``--force``,
``--missing-only`` and ``backfill="single_run"``. Calls are counted by the fixture
assets, which append one line per call to ``$CALLS_DIR/calls``."""

from __future__ import annotations

import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from assets_core.catalog.catalog import Catalog

DAYS = [f"2024-01-0{i}" for i in range(1, 7)]


class Backfill:
    """Runs ``assetline backfill -f engine_partitioned.py`` and reads the call log."""

    def __init__(self, cli: Callable[..., Any], location: Path, calls_dir: Path) -> None:
        self.cli = cli
        self.location = location
        self.calls_dir = calls_dir

    def env(self, **extra: str) -> dict[str, str]:
        return {"CALLS_DIR": str(self.calls_dir), **extra}

    def __call__(self, select: str, start: str, end: str, *flags: str, **env: str) -> Any:
        return self.cli(
            "backfill",
            "-f",
            self.location,
            "--select",
            select,
            "--from",
            start,
            "--to",
            end,
            *flags,
            env=self.env(**env),
        )

    def take_calls(self) -> list[str]:
        """The calls since the last look, in order."""
        log = self.calls_dir / "calls"
        if not log.exists():
            return []
        lines = log.read_text().splitlines()
        log.unlink()
        return lines


@pytest.fixture
def backfill(
    cli: Callable[..., Any],
    fixture_path: Callable[[str], Path],
    tmp_path: Path,
    sqlite_catalog: Catalog,
) -> Backfill:
    # sqlite_catalog: the catalog is migrated here, not by the first backfill process.
    return Backfill(cli, fixture_path("engine_partitioned"), tmp_path / "calls")


def test_backfill_runs_in_dependency_order_as_one_run(
    backfill: Backfill, sqlite_catalog: Catalog
) -> None:
    result = backfill("daily or rollup", DAYS[0], DAYS[2])
    assert result.returncode == 0, result
    calls = backfill.take_calls()
    assert sorted(calls) == sorted(
        [f"daily {d}" for d in DAYS[:3]] + [f"rollup {d}" for d in DAYS[:3]]
    )
    for day in DAYS[:3]:
        assert calls.index(f"daily {day}") < calls.index(f"rollup {day}")
    [run] = sqlite_catalog.list_runs()
    assert run.partitions == [f"{DAYS[0]}...{DAYS[2]}"]
    steps = {(s.asset_key, s.partition): s.status for s in sqlite_catalog.steps(run.id)}
    assert steps == {(a, d): "SUCCESS" for a in ("daily", "rollup") for d in DAYS[:3]}


def test_backfill_resumes_after_a_failed_partition(
    backfill: Backfill, sqlite_catalog: Catalog
) -> None:
    first = backfill("daily or rollup", DAYS[0], DAYS[4], FAIL_PARTITIONS=DAYS[2])
    assert first.returncode == 1, first
    assert sorted(backfill.take_calls()) == sorted(
        [f"daily {d}" for d in DAYS[:5]] + [f"rollup {d}" for d in DAYS[:5] if d != DAYS[2]]
    )
    run = sqlite_catalog.list_runs()[0]
    steps = {(s.asset_key, s.partition): s.status for s in sqlite_catalog.steps(run.id)}
    assert steps[("daily", DAYS[2])] == "FAILED"
    assert steps[("rollup", DAYS[2])] == "SKIPPED"

    second = backfill("daily or rollup", DAYS[0], DAYS[4])
    assert second.returncode == 0, second
    assert backfill.take_calls() == [f"daily {DAYS[2]}", f"rollup {DAYS[2]}"]

    third = backfill("daily or rollup", DAYS[0], DAYS[4])
    assert third.returncode == 0, third
    assert backfill.take_calls() == []
    assert len(sqlite_catalog.list_runs()) == 3


@pytest.mark.slow
def test_backfill_resumes_after_being_killed(
    backfill: Backfill,
    sqlite_catalog: Catalog,
    spawn: Callable[..., Any],
    tmp_path: Path,
) -> None:
    marker = tmp_path / "hanging"
    proc = spawn(
        "backfill",
        "-f",
        backfill.location,
        "--select",
        "daily",
        "--from",
        DAYS[0],
        "--to",
        DAYS[4],
        env=backfill.env(HANG_PARTITION=DAYS[2], MARKER=str(marker)),
    )
    deadline = time.monotonic() + 30
    while not marker.exists():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the backfill never reached the third day"
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)
    assert backfill.take_calls() == [f"daily {DAYS[0]}", f"daily {DAYS[1]}"]

    resumed = backfill("daily", DAYS[0], DAYS[4])
    assert resumed.returncode == 0, resumed
    assert backfill.take_calls() == [f"daily {d}" for d in DAYS[2:5]]
    statuses = sqlite_catalog.partition_rows(["daily"], all_partitions=True)
    assert sorted(r.partition for r in statuses if r.status == "MATERIALIZED") == DAYS[:5]


def test_force_recomputes_materialized_partitions(backfill: Backfill) -> None:
    assert backfill("daily", DAYS[0], DAYS[1]).returncode == 0
    backfill.take_calls()
    forced = backfill("daily", DAYS[0], DAYS[2], "--force")
    assert forced.returncode == 0, forced
    assert backfill.take_calls() == [f"daily {d}" for d in DAYS[:3]]


def test_missing_only_skips_failed_partitions(backfill: Backfill) -> None:
    assert backfill("daily", DAYS[0], DAYS[2], FAIL_PARTITIONS=DAYS[1]).returncode == 1
    backfill.take_calls()

    missing_only = backfill("daily", DAYS[0], DAYS[3], "--missing-only")
    assert missing_only.returncode == 0, missing_only
    assert backfill.take_calls() == [f"daily {DAYS[3]}"]

    # Without --missing-only the failed partition is retried.
    retried = backfill("daily", DAYS[0], DAYS[3])
    assert retried.returncode == 0, retried
    assert backfill.take_calls() == [f"daily {DAYS[1]}"]


def test_single_run_backfill_receives_the_whole_range(
    backfill: Backfill, sqlite_catalog: Catalog, assetline_home: Path
) -> None:
    result = backfill("whole", DAYS[0], DAYS[3])
    assert result.returncode == 0, result
    assert backfill.take_calls() == [f"whole {','.join(DAYS[:4])}"]
    [run] = sqlite_catalog.list_runs()
    steps = sqlite_catalog.steps(run.id)
    assert sorted((s.asset_key, s.partition, s.status) for s in steps) == [
        ("whole", d, "SUCCESS") for d in DAYS[:4]
    ]
    mats = sqlite_catalog.materializations_for_run(run.id)
    assert sorted(m.partition or "" for m in mats) == DAYS[:4]
    assert sorted(p.name for p in (assetline_home / "storage" / "whole").iterdir()) == DAYS[:4]

    again = backfill("whole", DAYS[0], DAYS[3])
    assert again.returncode == 0, again
    assert backfill.take_calls() == []


def test_single_run_backfill_resumes_with_only_the_missing_partitions(
    backfill: Backfill,
) -> None:
    assert backfill("whole", DAYS[0], DAYS[3]).returncode == 0
    backfill.take_calls()
    more = backfill("whole", DAYS[0], DAYS[5])
    assert more.returncode == 0, more
    assert backfill.take_calls() == [f"whole {DAYS[4]},{DAYS[5]}"]


def test_backfill_with_max_parallel_uses_worker_processes(
    backfill: Backfill, sqlite_catalog: Catalog
) -> None:
    result = backfill("daily or rollup", DAYS[0], DAYS[3], "--max-parallel", "2")
    assert result.returncode == 0, result
    calls = backfill.take_calls()
    assert sorted(calls) == sorted([f"{a} {d}" for a in ("daily", "rollup") for d in DAYS[:4]])
    for day in DAYS[:4]:
        assert calls.index(f"daily {day}") < calls.index(f"rollup {day}")
    [run] = sqlite_catalog.list_runs()
    assert run.executor == "multiprocess"
    assert len(sqlite_catalog.materializations_for_run(run.id)) == 8


def test_a_resumed_backfill_records_and_announces_only_the_steps_it_runs(
    backfill: Backfill, sqlite_catalog: Catalog
) -> None:
    assert backfill("daily", DAYS[0], DAYS[2]).returncode == 0
    backfill.take_calls()

    resumed = backfill("daily", DAYS[0], DAYS[3])
    assert resumed.returncode == 0, resumed
    assert "1 steps (3 already done, skipped)" in resumed.stdout
    run = sqlite_catalog.list_runs()[0]
    [start] = [e for e in sqlite_catalog.events(run.id) if e.type == "RUN_START"]
    assert start.message == "Started run of 1 step (daily); 3 already done"
    assert (start.data or {})["steps"] == 1
    assert [s.partition for s in sqlite_catalog.steps(run.id)] == [DAYS[3]]
    assert run.resume == "materialized"


def test_force_and_missing_only_together_are_a_usage_error(backfill: Backfill) -> None:
    result = backfill("daily", DAYS[0], DAYS[1], "--force", "--missing-only")
    assert result.returncode == 2, result
    assert "pick one" in result.stderr
