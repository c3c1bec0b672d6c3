"""Provenance: each materialization records exactly the upstream materializations it
consumed, on SQLite and PostgreSQL."""

from __future__ import annotations

from assets_core import Definitions, asset
from assets_core.catalog.catalog import Catalog
from assets_core.catalog.records import MaterializationRecord
from assets_core.execution.run import materialize


def chain() -> Definitions:
    @asset
    def a() -> int:
        return 1

    @asset
    def b(a: int) -> int:
        return a + 1

    @asset
    def c(b: int) -> int:
        return b + 1

    return Definitions(assets=[a, b, c])


def latest(catalog: Catalog) -> dict[str, MaterializationRecord]:
    return catalog.latest_materializations(["a", "b", "c"])


def test_provenance_across_three_levels(catalog: Catalog) -> None:
    result = materialize(chain(), catalog=catalog)
    assert result.success

    mats = latest(catalog)
    assert catalog.provenance(mats["c"].id) == [mats["b"]]
    assert catalog.provenance(mats["b"].id) == [mats["a"]]
    assert catalog.provenance(mats["a"].id) == []
    assert {m.run_id for m in mats.values()} == {result.run_id}


def test_rematerializing_only_the_root_keeps_old_provenance_downstream(catalog: Catalog) -> None:
    defs = chain()
    materialize(defs, catalog=catalog)
    first = latest(catalog)

    second_run = materialize(defs, "a", catalog=catalog)
    assert second_run.success
    second = latest(catalog)

    assert second["a"].id != first["a"].id
    assert second["a"].run_id == second_run.run_id
    # b and c were not recomputed: their latest materialization is the first run's,
    # and b still points at the a it actually read.
    assert second["b"] == first["b"]
    assert catalog.provenance(second["b"].id) == [first["a"]]
    assert catalog.provenance(second["c"].id) == [first["b"]]


def test_a_downstream_run_alone_consumes_the_latest_upstream(catalog: Catalog) -> None:
    defs = chain()
    materialize(defs, catalog=catalog)
    materialize(defs, "a", catalog=catalog)
    newest_a = latest(catalog)["a"]

    materialize(defs, "b", catalog=catalog)
    b = latest(catalog)["b"]
    assert catalog.provenance(b.id) == [newest_a]
    assert catalog.upstream_ids([b.id]) == {b.id: [newest_a.id]}


def test_ordering_only_dependencies_are_recorded_as_provenance(catalog: Catalog) -> None:
    @asset
    def source() -> int:
        return 1

    @asset(deps=[source])
    def after_source() -> int:
        return 2

    materialize([source, after_source], catalog=catalog)
    mats = catalog.latest_materializations(["source", "after_source"])
    assert catalog.provenance(mats["after_source"].id) == [mats["source"]]


def test_multi_asset_outputs_each_record_their_inputs(catalog: Catalog) -> None:
    from assets_core import AssetOut, multi_asset

    @asset
    def raw() -> list[int]:
        return [1, 2, 3]

    @multi_asset(outs={"evens": AssetOut(), "odds": AssetOut()})
    def split(raw: list[int]) -> tuple[list[int], list[int]]:
        return [x for x in raw if x % 2 == 0], [x for x in raw if x % 2]

    materialize([raw, split], catalog=catalog)
    mats = catalog.latest_materializations(["raw", "evens", "odds"])
    assert catalog.provenance(mats["evens"].id) == [mats["raw"]]
    assert catalog.provenance(mats["odds"].id) == [mats["raw"]]


def test_partition_provenance_follows_the_partition_mapping(catalog: Catalog) -> None:
    from assets_core import AssetIn
    from assets_core.partitions import TimeWindowMapping
    from assets_core.partitions.time import DailyPartitions

    days = DailyPartitions(start="2024-01-01", end="2024-01-10")

    @asset(partitions=days)
    def daily(context) -> int:  # type: ignore[no-untyped-def]
        return int(context.partition_key[-2:])

    @asset(partitions=days)
    def same_day(daily: int) -> int:
        return daily

    @asset(
        partitions=days,
        ins={"daily": AssetIn(partition_mapping=TimeWindowMapping(start_offset=-2, end_offset=0))},
    )
    def three_days(daily: object) -> int:
        return 0

    defs = Definitions(assets=[daily, same_day, three_days])
    result = materialize(defs, partition_range=("2024-01-01", "2024-01-04"), catalog=catalog)
    assert result.success
    mats = {(m.asset_key, m.partition): m for m in catalog.materializations_for_run(result.run_id)}

    def upstream(key: str, day: str) -> list[tuple[str, str | None]]:
        return sorted((m.asset_key, m.partition) for m in catalog.provenance(mats[(key, day)].id))

    assert upstream("same_day", "2024-01-03") == [("daily", "2024-01-03")]
    assert upstream("three_days", "2024-01-03") == [
        ("daily", "2024-01-01"),
        ("daily", "2024-01-02"),
        ("daily", "2024-01-03"),
    ]
    assert upstream("three_days", "2024-01-01") == [("daily", "2024-01-01")]
