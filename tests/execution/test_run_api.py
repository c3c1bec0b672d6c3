"""The Python API: ``materialize(...) -> RunResult``, the run context, the run record,
cancellation through the catalog, and usage errors that record nothing."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from assets_core import Definitions, asset
from assets_core.catalog.catalog import Catalog
from assets_core.errors import PartitionKeyError, SelectionError, UsageError
from assets_core.execution.run import materialize
from assets_core.partitions.time import DailyPartitions


def test_run_result_and_run_record(sqlite_catalog: Catalog) -> None:
    @asset
    def a() -> int:
        return 1

    @asset
    def b(a: int) -> int:
        return a + 1

    before = time.time()
    result = materialize([a, b], tags={"team": "qa"}, catalog=sqlite_catalog)
    assert result.success and result.status == "SUCCESS"
    assert result.output_for("b") == 2
    assert result.step("b").status == "SUCCESS"
    assert result.step("b").attempts == 1
    assert result.failed_steps() == []

    run = sqlite_catalog.get_run(result.run_id)
    assert run.status == "SUCCESS"
    assert run.selection == "*"
    assert run.tags == {"team": "qa"}
    assert run.executor == "inprocess"
    assert run.pid == os.getpid()
    assert run.launched_by
    assert run.started_at is not None and run.ended_at is not None
    assert before <= run.started_at <= run.ended_at <= time.time()
    # A unique prefix finds the run too.
    assert sqlite_catalog.get_run(result.run_id[:8]).id == result.run_id


def test_selection_expression_and_key_list(sqlite_catalog: Catalog) -> None:
    @asset
    def a() -> int:
        return 1

    @asset
    def b(a: int) -> int:
        return a + 1

    @asset
    def c(b: int) -> int:
        return b + 1

    defs = Definitions(assets=[a, b, c])
    first = materialize(defs, "b+", catalog=sqlite_catalog)
    assert first.status == "FAILURE"  # b's input a was never materialized
    assert "No stored value for asset 'a'" in (first.step("b").error or "")
    assert first.step("c").status == "SKIPPED"

    second = materialize(defs, ["a", "c", "b"], catalog=sqlite_catalog)
    assert second.success
    assert list(second.steps) == ["a", "b", "c"]
    assert sqlite_catalog.get_run(second.run_id).selection == "a, b, c"


def test_context_exposes_the_run(sqlite_catalog: Catalog) -> None:
    seen: dict[str, object] = {}

    @asset(key="sales/daily", partitions=DailyPartitions(start="2024-03-01"))
    def daily(context) -> int:  # type: ignore[no-untyped-def]
        seen["run_id"] = context.run_id
        seen["asset_key"] = str(context.asset_key)
        seen["partition_key"] = context.partition_key
        seen["partition_keys"] = context.partition_keys
        seen["window"] = context.partition_time_window
        context.log.info("partition %s", context.partition_key)
        context.log.warning("careful")
        return 1

    result = materialize([daily], partition="2024-03-05", catalog=sqlite_catalog)
    assert result.success
    window = seen.pop("window")
    assert seen == {
        "run_id": result.run_id,
        "asset_key": "sales/daily",
        "partition_key": "2024-03-05",
        "partition_keys": ("2024-03-05",),
    }
    assert window.start == datetime(2024, 3, 5, tzinfo=UTC)  # type: ignore[attr-defined]
    assert window.end == datetime(2024, 3, 6, tzinfo=UTC)  # type: ignore[attr-defined]
    logs = [
        (e.level, e.message, e.asset_key, e.partition)
        for e in sqlite_catalog.events(result.run_id)
        if e.type == "LOG"
    ]
    assert logs == [
        ("INFO", "partition 2024-03-05", "sales/daily", "2024-03-05"),
        ("WARNING", "careful", "sales/daily", "2024-03-05"),
    ]
    assert sqlite_catalog.get_run(result.run_id).partitions == ["2024-03-05"]


def test_events_of_a_run_are_ordered_and_typed(sqlite_catalog: Catalog) -> None:
    @asset
    def a() -> int:
        return 1

    @asset
    def b(a: int) -> int:
        return a

    result = materialize([a, b], catalog=sqlite_catalog)
    events = sqlite_catalog.events(result.run_id)
    assert [(e.type, e.asset_key) for e in events] == [
        ("RUN_START", None),
        ("STEP_START", "a"),
        ("MATERIALIZATION", "a"),
        ("STEP_SUCCESS", "a"),
        ("STEP_START", "b"),
        ("MATERIALIZATION", "b"),
        ("STEP_SUCCESS", "b"),
        ("RUN_SUCCESS", None),
    ]
    ids = [e.id for e in events]
    assert ids == sorted(ids)
    timestamps = [e.timestamp for e in events]
    assert timestamps == sorted(timestamps)
    assert sqlite_catalog.events(result.run_id, after=ids[3]) == events[4:]
    assert sqlite_catalog.events(result.run_id, limit=2) == events[:2]


def cancel_defs(catalog: Catalog) -> Definitions:
    """first -> second -> third -> fourth; second asks the catalog to cancel the run
    (as `cancelRun` does) and outlives the executor's cancel polling interval."""

    @asset
    def first() -> int:
        return 1

    @asset
    def second(context, first: int) -> int:  # type: ignore[no-untyped-def]
        catalog.update_run(context.run_id, status="CANCELING")
        time.sleep(0.4)
        return first + 1

    @asset
    def third(second: int) -> int:
        return second + 1

    @asset
    def fourth(third: int) -> int:
        return third + 1

    return Definitions(assets=[first, second, third, fourth])


def test_cancel_request_through_the_catalog_stops_the_run(sqlite_catalog: Catalog) -> None:
    result = materialize(cancel_defs(sqlite_catalog), catalog=sqlite_catalog)
    assert result.status == "CANCELED"
    run = sqlite_catalog.get_run(result.run_id)
    assert run.status == "CANCELED"
    assert run.ended_at is not None
    steps = {s.asset_key: s.status for s in sqlite_catalog.steps(result.run_id)}
    assert steps == {
        "first": "SUCCESS",
        "second": "SUCCESS",
        "third": "CANCELED",
        "fourth": "CANCELED",
    }
    mats = sqlite_catalog.materializations_for_run(result.run_id)
    assert [m.asset_key for m in mats] == ["first", "second"]
    assert sqlite_catalog.events(result.run_id)[-1].type == "RUN_CANCELED"


def test_canceled_run_result_keeps_the_steps_that_finished(sqlite_catalog: Catalog) -> None:
    result = materialize(cancel_defs(sqlite_catalog), catalog=sqlite_catalog)
    assert {k: o.status for k, o in result.steps.items()} == {
        "first": "SUCCESS",
        "second": "SUCCESS",
        "third": "CANCELED",
        "fourth": "CANCELED",
    }


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"selection": "nope"}, SelectionError, "unknown asset 'nope'"),
        ({"selection": "a and ("}, SelectionError, r"\^"),
        ({"partition": "2024-01-01"}, PartitionKeyError, "no selected asset is partitioned"),
        (
            {"partition": "2024-01-01", "partition_range": ("2024-01-01", "2024-01-02")},
            UsageError,
            "either partition= or partition_range=",
        ),
    ],
)
def test_usage_errors_record_nothing(
    sqlite_catalog: Catalog, kwargs: dict[str, object], error: type[Exception], match: str
) -> None:
    @asset
    def a() -> int:
        return 1

    with pytest.raises(error, match=match):
        materialize([a], catalog=sqlite_catalog, **kwargs)  # type: ignore[arg-type]
    assert sqlite_catalog.list_runs() == []


def test_unknown_executor_records_nothing(sqlite_catalog: Catalog) -> None:
    @asset
    def a() -> int:
        return 1

    with pytest.raises(UsageError, match="Unknown executor"):
        materialize([a], executor="warp-drive", catalog=sqlite_catalog)
    assert sqlite_catalog.list_runs() == []


def test_materialize_in_memory_touches_no_real_storage(assetline_home: Path) -> None:
    from assets_core.testing import materialize_in_memory

    @asset
    def a() -> int:
        return 1

    @asset(io_manager="duckdb")
    def b(a: int) -> int:
        return a + 1

    result = materialize_in_memory([a, b])
    assert result.success
    assert result.output_for("b") == 2
    assert not assetline_home.exists()


def test_a_list_holding_something_else_than_assets_is_a_usage_error(
    sqlite_catalog: Catalog,
) -> None:
    @asset
    def a() -> int:
        return 1

    with pytest.raises(UsageError, match=r"got int 42\. Decorate functions with @asset"):
        materialize([a, 42], catalog=sqlite_catalog)  # type: ignore[list-item]
    assert sqlite_catalog.list_runs() == []
