"""Partition mappings: which upstream keys a downstream key reads, the inverse, and
the validation messages the graph builder shows."""

from __future__ import annotations

import pickle
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assets_core import AssetIn, Definitions, asset
from assets_core.errors import DefinitionError, PartitionMappingError
from assets_core.partitions import (
    AllPartitions,
    DailyPartitions,
    DimensionMapping,
    DynamicKeyCache,
    DynamicPartitions,
    HourlyPartitions,
    IdentityMapping,
    LastPartition,
    MonthlyPartitions,
    MultiPartitions,
    PartitionMapping,
    PartitionsDefinition,
    StaticMapping,
    StaticPartitions,
    TimeWindowMapping,
    WeeklyPartitions,
    validate_mapping,
)

DAILY = DailyPartitions("2024-01-01", end="2024-04-01")
MONTHLY = MonthlyPartitions("2024-01-01", end="2024-04-01")
REGIONS = StaticPartitions(["eu", "us"])
BY_DAY_REGION = MultiPartitions({"date": DAILY, "region": REGIONS})


# --- identity ----------------------------------------------------------------------------


def test_identity_reads_the_same_key_when_upstream_has_it() -> None:
    identity = IdentityMapping()
    assert identity.upstream_keys("2024-02-29", DAILY, DAILY) == ["2024-02-29"]
    later = DailyPartitions("2024-02-01", end="2024-04-01")
    assert identity.upstream_keys("2024-01-15", DAILY, later) == []
    assert identity.upstream_keys(None, None, REGIONS) == ["eu", "us"]
    assert identity.downstream_keys("2024-01-15", later, DAILY) == []
    assert identity.downstream_keys("2024-02-15", later, DAILY) == ["2024-02-15"]


def test_identity_validation() -> None:
    assert validate_mapping(None, DAILY, DailyPartitions("2023-01-01")) is None
    assert validate_mapping(None, None, DAILY) is None  # partitioned reads unpartitioned
    assert validate_mapping(None, DAILY, None) is None  # unpartitioned reads all
    assert validate_mapping(None, None, None) is None
    assert validate_mapping(None, DAILY, MONTHLY) == (
        "the default identity mapping needs the same partitions on both sides (daily vs "
        "monthly); set AssetIn(..., partition_mapping=TimeWindowMapping()) to read the upstream "
        "partitions overlapping each window, or partition_mapping=AllPartitions() to read them all."
    )
    assert validate_mapping(None, BY_DAY_REGION, DAILY) == (
        "the default identity mapping needs the same partitions on both sides (multi vs "
        "daily); set AssetIn(..., partition_mapping=DimensionMapping(dimension='date')) to "
        "match keys on 'date', or partition_mapping=AllPartitions() to read them all."
    )
    assert validate_mapping(None, REGIONS, StaticPartitions(["eu", "apac"])) == (
        "the default identity mapping needs the same partitions on both sides ('apac' not on "
        "both sides); set AssetIn(..., partition_mapping=StaticMapping({downstream_key: "
        "[upstream_keys]})) to list what each key reads, or partition_mapping=AllPartitions() "
        "to read them all."
    )


@pytest.mark.parametrize(
    ("upstream", "downstream", "why"),
    [
        (DAILY, DailyPartitions("2024-01-01", timezone="Europe/Berlin"), "different timezone"),
        (DAILY, DailyPartitions("2024-01-01", fmt="%Y%m%d"), "different fmt"),
        (
            WeeklyPartitions("2024-01-01"),
            WeeklyPartitions("2024-01-01", day_offset=6),
            "different day_offset",
        ),
        (DynamicPartitions("a"), DynamicPartitions("b"), "names 'a' vs 'b'"),
        (
            BY_DAY_REGION,
            MultiPartitions({"region": REGIONS, "date": DAILY}),
            "dimensions date|region vs region|date",
        ),
        (
            BY_DAY_REGION,
            MultiPartitions({"date": DAILY, "region": StaticPartitions(["eu", "cn"])}),
            "dimension 'region': 'cn' not on both sides",
        ),
    ],
)
def test_identity_names_what_differs(
    upstream: PartitionsDefinition, downstream: PartitionsDefinition, why: str
) -> None:
    reason = validate_mapping(None, upstream, downstream)
    assert reason is not None
    assert f"on both sides ({why});" in reason


def test_the_graph_builder_reports_the_reason() -> None:
    @asset(partitions=DailyPartitions("2024-01-01"))
    def orders() -> None: ...

    @asset(partitions=MonthlyPartitions("2024-01-01"))
    def monthly(orders: object) -> None: ...

    @asset(
        partitions=MonthlyPartitions("2024-01-01"),
        ins={"orders": AssetIn("orders", partition_mapping=TimeWindowMapping())},
    )
    def monthly_ok(orders: object) -> None: ...

    with pytest.raises(DefinitionError) as info:
        _ = Definitions(assets=[orders, monthly]).graph
    assert isinstance(info.value, PartitionMappingError)
    assert "reads orders (daily from 2024-01-01 (UTC) -> monthly from 2024-01-01 (UTC)): " in (
        str(info.value)
    )
    assert "partition_mapping=TimeWindowMapping()" in str(info.value)
    assert len(Definitions(assets=[orders, monthly_ok]).graph) == 2


# --- time windows ------------------------------------------------------------------------


def test_month_reads_its_days_and_a_day_reads_its_month() -> None:
    mapping = TimeWindowMapping()
    february = mapping.upstream_keys("2024-02-01", MONTHLY, DAILY)
    assert february == [f"2024-02-{d:02d}" for d in range(1, 30)]
    assert mapping.upstream_keys("2024-02-29", DAILY, MONTHLY) == ["2024-02-01"]
    assert mapping.downstream_keys("2024-02-29", MONTHLY, DAILY) == ["2024-02-01"]
    assert mapping.downstream_keys("2024-03-01", DAILY, MONTHLY)[-1] == "2024-03-31"


def test_rolling_seven_days_clamped_to_the_upstream_range() -> None:
    rolling = TimeWindowMapping(start_offset=-6)
    assert rolling.upstream_keys("2024-01-10", DAILY, DAILY) == [
        f"2024-01-{d:02d}" for d in range(4, 11)
    ]
    assert rolling.upstream_keys("2024-01-02", DAILY, DAILY) == ["2024-01-01", "2024-01-02"]
    # the days that read 2024-03-28: itself and the next days, up to the end of the range
    assert rolling.downstream_keys("2024-03-28", DAILY, DAILY) == [
        "2024-03-28",
        "2024-03-29",
        "2024-03-30",
        "2024-03-31",
    ]


def test_previous_window_only() -> None:
    previous = TimeWindowMapping(start_offset=-1, end_offset=-1)
    assert previous.upstream_keys("2024-03-01", MONTHLY, DAILY)[0] == "2024-02-01"
    assert previous.upstream_keys("2024-03-01", MONTHLY, DAILY)[-1] == "2024-02-29"
    assert previous.upstream_keys("2024-01-01", DAILY, DAILY) == []


def test_hours_of_a_short_day_and_days_across_timezones() -> None:
    berlin_days = DailyPartitions("2024-03-01", end="2024-04-30", timezone="Europe/Berlin")
    berlin_hours = HourlyPartitions("2024-03-01", end="2024-04-30", timezone="Europe/Berlin")
    hours = TimeWindowMapping().upstream_keys("2024-03-31", berlin_days, berlin_hours)
    assert len(hours) == 23
    assert hours[0] == "2024-03-31-00:00" and hours[-1] == "2024-03-31-23:00"
    utc_days = DailyPartitions("2024-03-01", end="2024-04-30")
    # a Berlin day (23:00 UTC to 23:00 UTC in winter) overlaps two UTC days
    assert TimeWindowMapping().upstream_keys("2024-03-10", berlin_days, utc_days) == [
        "2024-03-09",
        "2024-03-10",
    ]


def test_time_window_mapping_validation_and_construction() -> None:
    mapping = TimeWindowMapping(start_offset=-6)
    assert mapping.validate(DAILY, MONTHLY) is None
    assert validate_mapping(mapping, REGIONS, DAILY) == (
        "TimeWindowMapping needs time partitions on both sides, but the upstream is "
        "static-partitioned; remove the partition_mapping."
    )
    assert validate_mapping(mapping, DAILY, None) == (
        "TimeWindowMapping needs time partitions on both sides, but the downstream is not "
        "partitioned; remove it to read every partition, or use LastPartition()."
    )
    assert validate_mapping(mapping, None, DAILY) == (
        "TimeWindowMapping needs time partitions on both sides, but the upstream is not "
        "partitioned; remove the partition_mapping."
    )
    assert validate_mapping(mapping, BY_DAY_REGION, DAILY) == (
        "TimeWindowMapping needs time partitions on both sides, but the upstream is "
        "multi-partitioned; use DimensionMapping(dimension='date', "
        "mapping=TimeWindowMapping(start_offset=-6, end_offset=0)) to apply it to the time "
        "dimension."
    )
    with pytest.raises(DefinitionError) as info:
        TimeWindowMapping(start_offset=1, end_offset=0)
    assert info.value.problem == (
        "TimeWindowMapping(start_offset=1, end_offset=0) is empty: start_offset must not be "
        "after end_offset."
    )


@st.composite
def time_pairs(draw: st.DrawFn) -> tuple[PartitionsDefinition, PartitionsDefinition]:
    kinds = [HourlyPartitions, DailyPartitions, WeeklyPartitions, MonthlyPartitions]
    zones = ["UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe"]
    start = draw(st.dates(date(2023, 1, 1), date(2023, 12, 31)))
    out = []
    for _ in range(2):
        cls = draw(st.sampled_from(kinds))
        days = draw(st.integers(3, 8) if cls is HourlyPartitions else st.integers(65, 150))
        offset = timedelta(days=draw(st.integers(0, 20)))
        out.append(
            cls(
                start + offset,
                end=start + offset + timedelta(days=days),
                timezone=draw(st.sampled_from(zones)),
            )
        )
    return out[0], out[1]


@settings(max_examples=60, deadline=None)
@given(time_pairs(), st.integers(-3, 1), st.integers(0, 2), st.data())
def test_time_window_downstream_keys_invert_upstream_keys(
    pair: tuple[PartitionsDefinition, PartitionsDefinition],
    start_offset: int,
    width: int,
    data: st.DataObject,
) -> None:
    downstream, upstream = pair
    mapping = TimeWindowMapping(start_offset=start_offset, end_offset=start_offset + width)
    down_keys = downstream.get_partition_keys()
    up_keys = upstream.get_partition_keys()
    reads = {d: mapping.upstream_keys(d, downstream, upstream) for d in down_keys}
    for u in data.draw(st.lists(st.sampled_from(up_keys), max_size=5)):
        expected = [d for d in down_keys if u in reads[d]]
        assert mapping.downstream_keys(u, downstream, upstream) == expected
    for d in data.draw(st.lists(st.sampled_from(down_keys), max_size=5)):
        assert reads[d] == sorted(reads[d], key=up_keys.index)  # in upstream order


# --- all, last, static ---------------------------------------------------------------------


def test_all_and_last_partitions() -> None:
    assert AllPartitions().upstream_keys("eu", REGIONS, DAILY)[-1] == "2024-03-31"
    assert AllPartitions().downstream_keys("2024-01-01", REGIONS, DAILY) == ["eu", "us"]
    assert LastPartition().upstream_keys(None, None, DAILY) == ["2024-03-31"]
    assert (
        LastPartition().upstream_keys("eu", REGIONS, DynamicPartitions("c"), DynamicKeyCache())
        == []
    )
    assert LastPartition().downstream_keys("2024-03-31", REGIONS, DAILY) == ["eu", "us"]
    assert LastPartition().downstream_keys("2024-03-30", REGIONS, DAILY) == []
    assert validate_mapping(AllPartitions(), None, DAILY) is None
    assert validate_mapping(LastPartition(), DAILY, None) is None
    assert validate_mapping(LastPartition(), None, DAILY) == (
        "LastPartition maps upstream partitions, but the upstream asset is not partitioned; "
        "remove the partition_mapping."
    )


def test_static_mapping() -> None:
    upstream = StaticPartitions(["eu", "uk", "us", "br"])
    downstream = StaticPartitions(["emea", "amer", "apac"])
    mapping = StaticMapping({"emea": ["uk", "eu"], "amer": ["us", "br"]})
    assert mapping.upstream_keys("emea", downstream, upstream) == ["eu", "uk"]
    assert mapping.upstream_keys("apac", downstream, upstream) == []
    assert mapping.upstream_keys(None, None, upstream) == ["eu", "uk", "us", "br"]
    assert mapping.downstream_keys("us", downstream, upstream) == ["amer"]
    assert validate_mapping(mapping, upstream, downstream) is None
    assert StaticMapping({"a": "x"}) == StaticMapping({"a": ["x"]})
    assert pickle.loads(pickle.dumps(mapping)) == mapping


def test_static_mapping_validation() -> None:
    upstream = StaticPartitions(["eu", "us"])
    downstream = StaticPartitions(["emea", "amer"])
    assert validate_mapping(StaticMapping({"emea": ["eu", "uk"]}), upstream, downstream) == (
        "StaticMapping lists 'uk', not upstream partition keys of static (eu, us)."
    )
    assert validate_mapping(StaticMapping({"emae": "eu"}), upstream, downstream) == (
        "StaticMapping lists 'emae', not downstream partition keys of static (emea, amer). "
        "Did you mean 'emea'?"
    )
    assert validate_mapping(StaticMapping({"a": "b"}), DynamicPartitions("x"), downstream) == (
        "StaticMapping lists 'a', not downstream partition keys of static (emea, amer)."
    )
    assert validate_mapping(StaticMapping({"x": "eu"}), upstream, DynamicPartitions("x")) is None
    assert validate_mapping(StaticMapping({"emea": "eu"}), upstream, None) == (
        "StaticMapping maps downstream keys, but the downstream asset is not partitioned; "
        "remove the partition_mapping or use AllPartitions()."
    )
    with pytest.raises(DefinitionError, match="StaticMapping maps a downstream key"):
        StaticMapping({"emea": [1]})  # type: ignore[list-item]


# --- dimensions ----------------------------------------------------------------------------


def test_dimension_mapping_multi_upstream_single_downstream() -> None:
    mapping = DimensionMapping("date")
    assert validate_mapping(mapping, BY_DAY_REGION, DAILY) is None
    assert mapping.upstream_keys("2024-01-05", DAILY, BY_DAY_REGION) == [
        "2024-01-05|eu",
        "2024-01-05|us",
    ]
    assert mapping.downstream_keys("2024-01-05|us", DAILY, BY_DAY_REGION) == ["2024-01-05"]
    assert mapping.upstream_keys(None, None, BY_DAY_REGION) == BY_DAY_REGION.get_partition_keys()


def test_dimension_mapping_single_upstream_multi_downstream() -> None:
    mapping = DimensionMapping("region")
    assert validate_mapping(mapping, REGIONS, BY_DAY_REGION) is None
    assert mapping.upstream_keys("2024-01-05|us", BY_DAY_REGION, REGIONS) == ["us"]
    assert mapping.downstream_keys("us", BY_DAY_REGION, REGIONS)[:2] == [
        "2024-01-01|us",
        "2024-01-02|us",
    ]


def test_dimension_mapping_both_multi_matches_shared_dimensions() -> None:
    channels = StaticPartitions(["web", "app"])
    upstream = MultiPartitions({"date": DAILY, "region": REGIONS, "channel": channels})
    mapping = DimensionMapping("date", TimeWindowMapping(start_offset=-1))
    assert validate_mapping(mapping, upstream, BY_DAY_REGION) is None
    assert mapping.upstream_keys("2024-01-05|us", BY_DAY_REGION, upstream) == [
        "2024-01-04|us|web",
        "2024-01-04|us|app",
        "2024-01-05|us|web",
        "2024-01-05|us|app",
    ]
    assert mapping.downstream_keys("2024-01-05|eu|app", BY_DAY_REGION, upstream) == [
        "2024-01-05|eu",
        "2024-01-06|eu",
    ]


def test_dimension_mapping_validation() -> None:
    assert validate_mapping(DimensionMapping("dat"), BY_DAY_REGION, DAILY) == (
        "DimensionMapping(dimension='dat'): the upstream has no such dimension (it has date, "
        "region). Did you mean 'date'?"
    )
    assert validate_mapping(DimensionMapping("date"), DAILY, DAILY) == (
        "DimensionMapping needs a multi-partitioned asset on one side, but neither is; use "
        "IdentityMapping(), TimeWindowMapping() or StaticMapping({...})."
    )
    assert validate_mapping(DimensionMapping("date"), BY_DAY_REGION, MONTHLY) == (
        "in dimension 'date': the default identity mapping needs the same partitions on both "
        "sides (daily vs monthly); set AssetIn(..., partition_mapping=TimeWindowMapping()) to "
        "read the upstream partitions overlapping each window, or "
        "partition_mapping=AllPartitions() to read them all."
    )
    assert (
        validate_mapping(DimensionMapping("date", TimeWindowMapping()), BY_DAY_REGION, MONTHLY)
        is None
    )
    other_regions = MultiPartitions({"date": DAILY, "region": StaticPartitions(["cn"])})
    assert validate_mapping(DimensionMapping("date"), BY_DAY_REGION, other_regions) == (
        "the shared dimension 'region' differs ('cn' not on both sides)."
    )
    assert validate_mapping(DimensionMapping("date"), None, BY_DAY_REGION) == (
        "DimensionMapping maps upstream partitions, but the upstream asset is not "
        "partitioned; remove the partition_mapping."
    )


def test_mappings_are_hashable_values() -> None:
    mappings: list[PartitionMapping] = [
        IdentityMapping(),
        AllPartitions(),
        LastPartition(),
        TimeWindowMapping(start_offset=-6),
        StaticMapping({"a": ["b"]}),
        DimensionMapping("date", TimeWindowMapping(-1)),
    ]
    for mapping in mappings:
        assert pickle.loads(pickle.dumps(mapping)) == mapping
        assert hash(mapping) == hash(pickle.loads(pickle.dumps(mapping)))
