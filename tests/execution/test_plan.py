"""The planner computes each step's partition mapping once (issue 11): a step knows
which partitions of each parent it reads, a step narrowed by a resumed backfill reads
only what its remaining partitions need, and dynamic keys come from one store."""

from __future__ import annotations

from typing import Any

import pytest

from assets_core import (
    AllPartitions,
    AssetIn,
    DailyPartitions,
    Definitions,
    DimensionMapping,
    DynamicKeyCache,
    DynamicPartitions,
    MultiPartitions,
    TimeWindowMapping,
    asset,
)
from assets_core.errors import PartitionKeyError
from assets_core.execution.plan import PartitionRequest, build_plan
from assets_core.execution.resume import without_done
from assets_core.graph.asset_graph import AssetGraph
from assets_core.keys import AssetKey

DAYS = DailyPartitions("2024-01-01", end="2024-01-11")


def graph_of(*assets: Any) -> AssetGraph:
    return Definitions(assets=list(assets)).graph


def test_each_step_knows_the_parent_partitions_it_reads() -> None:
    @asset(partitions=DAYS)
    def events() -> int:
        return 1

    @asset(partitions=DAYS)
    def sessions(events: int) -> int:
        return events

    @asset(
        partitions=DAYS,
        ins={"events": AssetIn("events", partition_mapping=TimeWindowMapping(start_offset=-2))},
    )
    def rolling(events: dict[str, int]) -> int:
        return len(events)

    @asset
    def summary(events: dict[str, int]) -> int:
        return len(events)

    @asset
    def plain() -> int:
        return 1

    @asset(partitions=DAYS, deps=["plain"])
    def after_plain() -> int:
        return 1

    graph = graph_of(events, sessions, rolling, summary, plain, after_plain)
    request = PartitionRequest(start="2024-01-04", end="2024-01-05")
    keys = [AssetKey.parse(k) for k in ("events", "sessions", "rolling")]
    plan = build_plan(graph, keys, request)
    steps = {s.id: s for s in plan.steps}
    events_key = AssetKey.parse("events")
    assert steps["sessions[2024-01-05]"].upstream_partitions(events_key) == ("2024-01-05",)
    assert steps["sessions[2024-01-05]"].deps == ("events[2024-01-05]",)
    rolling_step = steps["rolling[2024-01-05]"]
    assert rolling_step.upstream_partitions(events_key) == (
        "2024-01-03",
        "2024-01-04",
        "2024-01-05",
    )
    # Only the parents' steps in the plan order it (01-03 is not being planned).
    assert rolling_step.deps == ("events[2024-01-04]", "events[2024-01-05]")

    whole = build_plan(graph, [AssetKey.parse("summary")]).steps[0]
    assert whole.upstream_partitions(events_key) == tuple(DAYS.get_partition_keys())
    mixed = build_plan(graph, [AssetKey.parse("plain"), AssetKey.parse("after_plain")],
                       PartitionRequest(key="2024-01-02"))  # fmt: skip
    assert mixed.steps[1].upstream_partitions(AssetKey.parse("plain")) is None
    assert mixed.steps[1].deps == ("plain",)


def test_a_narrowed_single_run_step_reads_only_its_partitions() -> None:
    @asset(partitions=DAYS)
    def daily() -> int:
        return 1

    @asset(partitions=DAYS, backfill="single_run")
    def whole(daily: dict[str, int]) -> int:
        return len(daily)

    graph = graph_of(daily, whole)
    request = PartitionRequest(start="2024-01-01", end="2024-01-04")
    plan = build_plan(graph, [AssetKey.parse("whole")], request)
    [step] = plan.steps
    days = ("2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04")
    assert step.upstream_partitions(AssetKey.parse("daily")) == days

    # A resumed backfill keeps the two partitions still to do: it reads only those.
    done: set[tuple[str, str | None]] = {("whole", "2024-01-01"), ("whole", "2024-01-03")}
    [narrowed] = without_done(plan, done).steps
    assert narrowed.partition_keys == ("2024-01-02", "2024-01-04")
    assert narrowed.upstream_partitions(AssetKey.parse("daily")) == ("2024-01-02", "2024-01-04")
    [one] = without_done(plan, done | {("whole", "2024-01-02")}).steps
    assert one.upstream_partitions(AssetKey.parse("daily")) == ("2024-01-04",)


def test_dynamic_keys_come_from_one_store_asked_once_per_name() -> None:
    by_region = MultiPartitions({"date": DAYS, "region": DynamicPartitions("regions")})

    @asset(partitions=by_region)
    def sales() -> int:
        return 1

    @asset(
        partitions=DAYS, ins={"sales": AssetIn("sales", partition_mapping=DimensionMapping("date"))}
    )
    def daily_total(sales: dict[str, int]) -> int:
        return sum(sales.values())

    @asset(partitions=DynamicPartitions("regions"),
           ins={"sales": AssetIn("sales", partition_mapping=AllPartitions())})  # fmt: skip
    def per_region(sales: dict[str, int]) -> int:
        return len(sales)

    asked: list[str] = []

    class Catalog:
        def dynamic_partitions(self, name: str) -> list[str]:
            asked.append(name)
            return ["eu", "us"]

    graph = graph_of(sales, daily_total, per_region)
    plan = build_plan(graph, [AssetKey.parse("sales"), AssetKey.parse("daily_total")],
                      PartitionRequest(key="2024-01-02"), Catalog())  # fmt: skip
    assert [s.id for s in plan.steps] == [
        "sales[2024-01-02|eu]",
        "sales[2024-01-02|us]",
        "daily_total[2024-01-02]",
    ]
    total = plan.steps[2]
    assert total.upstream_partitions(AssetKey.parse("sales")) == ("2024-01-02|eu", "2024-01-02|us")
    assert total.deps == ("sales[2024-01-02|eu]", "sales[2024-01-02|us]")
    assert asked == ["regions"]

    store = DynamicKeyCache({"regions": ["eu", "us"]})
    [eu] = build_plan(
        graph, [AssetKey.parse("per_region")], PartitionRequest(key="eu"), store
    ).steps
    assert len(eu.upstream_partitions(AssetKey.parse("sales")) or ()) == 20  # 10 days x 2 regions
    with pytest.raises(PartitionKeyError) as bad:
        build_plan(graph, [AssetKey.parse("sales")], PartitionRequest(key="2024-01-02|apac"), store)
    assert bad.value.message == (
        "Asset sales: Partition key '2024-01-02|apac' has a bad 'region' part: 'apac' is not a "
        "key of dynamic partitions 'regions' (known keys: eu, us). Add it with: assetline "
        "partitions add regions apac"
    )
