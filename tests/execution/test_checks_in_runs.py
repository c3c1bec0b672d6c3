"""Checks inside runs (SPEC §6): they run right after their asset; a failed blocking
check with severity error skips everything downstream, with that reason; other
failures are recorded and do not stop the run."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from assets_core import CheckResult, Definitions, asset, asset_check
from assets_core.catalog.catalog import Catalog
from assets_core.catalog.status import asset_statuses
from assets_core.execution.run import materialize
from assets_core.partitions.time import DailyPartitions


def graph_with_check(
    outcome: Any, *, blocking: bool, severity: str = "error"
) -> tuple[Definitions, list[str]]:
    """src -> mid -> leaf, src -> other, independent; a check on src returns (or raises)
    ``outcome``."""
    calls: list[str] = []

    @asset
    def src() -> pd.DataFrame:
        calls.append("src")
        return pd.DataFrame({"amount": [1.0, -2.0]})

    @asset
    def mid(src: pd.DataFrame) -> int:
        calls.append("mid")
        return len(src)

    @asset
    def leaf(mid: int) -> int:
        calls.append("leaf")
        return mid

    @asset
    def other(src: pd.DataFrame) -> int:
        calls.append("other")
        return 1

    @asset
    def independent() -> int:
        calls.append("independent")
        return 1

    @asset_check(asset="src", blocking=blocking, severity=severity)  # type: ignore[arg-type]
    def amounts_ok(src: pd.DataFrame) -> CheckResult:
        calls.append("check")
        if isinstance(outcome, Exception):
            raise outcome
        return CheckResult(passed=outcome, metadata={"negative": int((src.amount < 0).sum())})

    defs = Definitions(assets=[src, mid, leaf, other, independent], checks=[amounts_ok])
    return defs, calls


def test_blocking_error_check_skips_downstream_with_the_reason(catalog: Catalog) -> None:
    defs, calls = graph_with_check(False, blocking=True)
    result = materialize(defs, catalog=catalog)

    assert result.status == "FAILURE"
    assert {k: o.status for k, o in result.steps.items()} == {
        "src": "FAILED",
        "independent": "SUCCESS",
        "mid": "SKIPPED",
        "other": "SKIPPED",
        "leaf": "SKIPPED",
    }
    assert sorted(calls) == ["check", "independent", "src"]
    steps = {s.asset_key: s for s in catalog.steps(result.run_id)}
    assert steps["src"].error == "blocking check failed: src:amounts_ok"
    for key in ("mid", "other"):
        assert steps[key].error is not None
        assert "upstream src failed" in steps[key].error
        assert "blocking check failed: src:amounts_ok" in steps[key].error
    assert steps["leaf"].status == "SKIPPED"

    [check] = catalog.check_results_for_run(result.run_id)
    assert (check.asset_key, check.check_name, check.status) == ("src", "amounts_ok", "FAILED")
    assert (check.passed, check.severity, check.blocking) == (False, "error", True)
    assert check.metadata == {"negative": 1}
    # The value itself was stored: the check judged it.
    assert [m.asset_key for m in catalog.materializations_for_run(result.run_id)] == [
        "src",
        "independent",
    ]
    status = asset_statuses(defs.graph, catalog)
    assert status[defs.graph.resolve("src")].status == "CHECK_FAILED"
    assert status[defs.graph.resolve("src")].failed_checks == ["amounts_ok"]
    events = [e for e in catalog.events(result.run_id) if e.type == "CHECK_EVALUATION"]
    assert [(e.asset_key, e.level) for e in events] == [("src", "ERROR")]


@pytest.mark.parametrize(
    ("blocking", "severity"),
    [(False, "error"), (True, "warn"), (False, "warn")],
    ids=["non-blocking-error", "blocking-warn", "non-blocking-warn"],
)
def test_other_check_failures_do_not_skip_downstream(
    sqlite_catalog: Catalog, blocking: bool, severity: str
) -> None:
    defs, calls = graph_with_check(False, blocking=blocking, severity=severity)
    result = materialize(defs, catalog=sqlite_catalog)
    assert result.success
    assert set(o.status for o in result.steps.values()) == {"SUCCESS"}
    assert sorted(calls) == ["check", "independent", "leaf", "mid", "other", "src"]
    [check] = sqlite_catalog.check_results_for_run(result.run_id)
    assert (check.passed, check.severity, check.blocking) == (False, severity, blocking)
    status = asset_statuses(defs.graph, sqlite_catalog)[defs.graph.resolve("src")].status
    assert status == ("CHECK_FAILED" if severity == "error" else "FRESH")


def test_passing_blocking_check_lets_everything_run(sqlite_catalog: Catalog) -> None:
    defs, calls = graph_with_check(True, blocking=True)
    result = materialize(defs, catalog=sqlite_catalog)
    assert result.success
    assert len(calls) == 6
    [check] = sqlite_catalog.check_results_for_run(result.run_id)
    assert (check.status, check.passed) == ("PASSED", True)


def test_a_check_that_raises_is_recorded_as_errored(sqlite_catalog: Catalog) -> None:
    defs, calls = graph_with_check(ZeroDivisionError("oops"), blocking=False)
    result = materialize(defs, catalog=sqlite_catalog)
    assert result.success
    assert "leaf" in calls
    [check] = sqlite_catalog.check_results_for_run(result.run_id)
    assert check.status == "ERRORED"
    assert check.passed is False
    assert check.error is not None and "ZeroDivisionError" in check.error
    assert "Traceback" in check.metadata["traceback"]


def test_a_blocking_check_that_raises_skips_downstream(sqlite_catalog: Catalog) -> None:
    defs, calls = graph_with_check(ZeroDivisionError("oops"), blocking=True)
    result = materialize(defs, catalog=sqlite_catalog)
    assert result.status == "FAILURE"
    assert result.step("mid").status == "SKIPPED"
    assert "mid" not in calls


def test_checks_of_a_partitioned_asset_run_per_partition(sqlite_catalog: Catalog) -> None:
    seen: list[str | None] = []

    @asset(partitions=DailyPartitions(start="2024-01-01", end="2024-01-10"))
    def daily(context) -> int:  # type: ignore[no-untyped-def]
        return int(context.partition_key[-2:])

    @asset_check(asset="daily")
    def small(context, daily: int) -> CheckResult:  # type: ignore[no-untyped-def]
        seen.append(context.partition_key)
        return CheckResult(passed=daily < 3)

    defs = Definitions(assets=[daily], checks=[small])
    result = materialize(defs, partition_range=("2024-01-01", "2024-01-03"), catalog=sqlite_catalog)
    assert seen == ["2024-01-01", "2024-01-02", "2024-01-03"]
    results = {c.partition: c.passed for c in sqlite_catalog.check_results_for_run(result.run_id)}
    assert results == {"2024-01-01": True, "2024-01-02": True, "2024-01-03": False}
