"""PartitionSubset algebra against Python sets, its text form, keys and status."""

from __future__ import annotations

import pickle
import time
from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assets_core.errors import CatalogError, PartitionKeyError
from assets_core.partitions import (
    DailyPartitions,
    HourlyPartitions,
    PartitionStatus,
    PartitionSubset,
    StaticPartitions,
)

indices = st.sets(st.integers(0, 200), max_size=80)


def subset(values: set[int]) -> PartitionSubset:
    return PartitionSubset.from_indices(values)


@given(indices, indices)
def test_algebra_matches_python_sets(a: set[int], b: set[int]) -> None:
    x, y = subset(a), subset(b)
    assert set(x | y) == a | b
    assert set(x - y) == a - b
    assert set(x & y) == a & b
    assert set(x.complement(150)) == set(range(150)) - a
    assert len(x) == len(a)
    assert bool(x) == bool(a)
    assert list(x) == sorted(a)
    for i in range(-1, 202):
        assert (i in x) == (i in a)


@given(indices, indices)
def test_results_are_canonical_ranges(a: set[int], b: set[int]) -> None:
    for result in (subset(a) | subset(b), subset(a) - subset(b), subset(a) & subset(b)):
        assert result == subset(set(result))  # same ranges however it was built
        for (_, last), (first, _) in zip(result.ranges, result.ranges[1:], strict=False):
            assert first > last + 1  # sorted, disjoint, not adjacent


@given(st.lists(st.tuples(st.integers(0, 100), st.integers(0, 30)), max_size=20))
def test_from_ranges_merges_overlaps(pairs: list[tuple[int, int]]) -> None:
    ranges = [(a, a + n) for a, n in pairs]
    expected = {i for a, b in ranges for i in range(a, b + 1)}
    assert set(PartitionSubset.from_ranges(ranges)) == expected


@given(indices)
def test_text_form_round_trips(a: set[int]) -> None:
    x = subset(a)
    assert PartitionSubset.from_json(x.to_json()) == x
    assert pickle.loads(pickle.dumps(x)) == x


def test_text_form_is_compact() -> None:
    x = PartitionSubset.from_ranges([(0, 99), (120, 130), (140, 140)])
    assert x.to_json() == "0-99,120-130,140"
    assert PartitionSubset().to_json() == ""
    assert PartitionSubset.from_json("") == PartitionSubset()
    assert x.add(100, 141).to_json() == "0-100,120-130,140-141"
    assert x.remove(50, 140).to_json() == "0-49,51-99,120-130"


@pytest.mark.parametrize("text", ["1-", "a", "3-1", "2-1", "1,,2", " 1", "1-2-3"])
def test_corrupt_text_is_a_catalog_error(text: str) -> None:
    with pytest.raises(CatalogError, match="Corrupt partition subset"):
        PartitionSubset.from_json(text)


def test_keys_of_a_definition() -> None:
    daily = DailyPartitions("2024-01-01", end="2024-02-01")
    done = PartitionSubset.from_keys(
        ["2024-01-03", "2024-01-01", "2024-01-02", "2024-01-10"], daily
    )
    assert done.ranges == ((0, 2), (9, 9))
    assert done.keys(daily) == ["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-10"]
    assert done.key_ranges(daily) == [("2024-01-01", "2024-01-03"), ("2024-01-10", "2024-01-10")]
    assert done.contains_key("2024-01-10", daily)
    assert not done.contains_key("2024-01-11", daily)
    assert not done.contains_key("not-a-day", daily)
    with pytest.raises(PartitionKeyError):
        PartitionSubset.from_keys(["2023-12-31"], daily)
    regions = StaticPartitions(["eu", "us", "apac"])
    assert PartitionSubset.from_keys(["apac", "eu"], regions).keys(regions) == ["eu", "apac"]


def test_indices_past_the_end_are_left_out_of_keys() -> None:
    daily = DailyPartitions("2024-01-01", end="2024-01-05")
    beyond = PartitionSubset.from_ranges([(2, 10), (20, 30)])
    assert beyond.keys(daily) == ["2024-01-03", "2024-01-04"]
    assert beyond.key_ranges(daily) == [("2024-01-03", "2024-01-04")]


def test_status_counts_and_ranges() -> None:
    daily = DailyPartitions("2024-01-01", end="2024-01-11")
    status = PartitionStatus.compute(
        daily.num_partitions(),
        materialized=PartitionSubset.from_ranges([(0, 5), (12, 20)]),
        failed=PartitionSubset.from_ranges([(5, 6)]),
        stale=PartitionSubset.from_ranges([(1, 1), (8, 8)]),
    )
    assert status.counts() == {
        "total": 10,
        "materialized": 5,
        "failed": 2,
        "stale": 1,
        "missing": 3,
    }
    assert status.to_dict(daily)["ranges"] == {
        "materialized": [("2024-01-01", "2024-01-05")],
        "failed": [("2024-01-06", "2024-01-07")],
        "stale": [("2024-01-02", "2024-01-02")],
        "missing": [("2024-01-08", "2024-01-10")],
    }


@given(indices, indices, indices, st.integers(0, 220))
def test_status_partitions_the_range(m: set[int], f: set[int], s: set[int], total: int) -> None:
    status = PartitionStatus.compute(total, subset(m), subset(f), subset(s))
    every = set(range(total))
    assert set(status.failed) == f & every
    assert set(status.materialized) == (m - f) & every
    assert set(status.stale) == s & set(status.materialized)
    assert set(status.missing) == every - m - f
    assert len(status.materialized) + len(status.failed) + len(status.missing) == total


def test_status_of_100k_hourly_partitions_is_fast() -> None:
    start = datetime(2015, 1, 1)
    hourly = HourlyPartitions(start, end=start + timedelta(hours=100_000))
    stored = PartitionSubset.from_ranges([(0, 40_000), (40_100, 80_000), (80_500, 99_000)])
    failed = PartitionSubset.from_ranges([(40_001, 40_050), (99_001, 99_010)])
    began = time.perf_counter()
    status = PartitionStatus.compute(
        hourly.num_partitions(),
        PartitionSubset.from_json(stored.to_json()),
        PartitionSubset.from_json(failed.to_json()),
    )
    result = status.to_dict(hourly)
    elapsed = time.perf_counter() - began
    assert result["missing"] == 100_000 - 40_001 - 39_901 - 18_501 - 50 - 10
    assert elapsed < 0.2  # SPEC §14: partition_status_100k within 200 ms (here: far less)


@given(indices, st.integers(-5, 210), st.integers(-5, 210), st.booleans())
def test_clamp_and_single_range_fast_paths(a: set[int], lo: int, hi: int, open_end: bool) -> None:
    x = subset(a)
    last = None if open_end else hi
    assert set(x.clamp(lo, last)) == {i for i in a if i >= lo and (last is None or i <= last)}
    window = PartitionSubset.from_ranges([(max(lo, 0), max(lo, 0) + abs(hi))])
    w = set(window)
    assert set(x & window) == a & w
    assert set(window & x) == a & w
    assert set(x - window) == a - w
    assert set(x | window) == a | w


def test_fragmented_status_lists_keys_once_with_the_same_result() -> None:
    daily = DailyPartitions("2020-01-01", end="2024-01-01")
    n = daily.num_partitions()
    every_other = PartitionSubset.from_indices(range(0, n, 2))
    status = PartitionStatus.compute(n, every_other)
    ranges = status.to_dict(daily)["ranges"]
    assert isinstance(ranges, dict)
    assert len(status.materialized.ranges) > 256
    assert ranges["materialized"] == status.materialized.key_ranges(daily)
    assert ranges["missing"] == status.missing.key_ranges(daily)
    assert ranges["missing"][0] == ("2020-01-02", "2020-01-02")
