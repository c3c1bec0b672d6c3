"""``partition_status_100k`` (SPEC §14): the status of an asset with 100,000 hourly
partitions.

The measured path is what the catalog does to show an asset's partition status: decode
the stored materialized and failed subsets (their compact text form), compute the
counts (total, materialized, failed, stale, missing) and the key ranges of each status.
The details also time building the subset from 100,000 keys (catalog rows), a badly
fragmented status (every other partition failed) and the same asset in Europe/Berlin.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from assets_core.partitions import HourlyPartitions, PartitionStatus, PartitionSubset
from bench.harness import summary, timed

PARTITIONS = 100_000
BUDGET_MS = 200
START = datetime(2015, 1, 1)


def _status(definition: HourlyPartitions, stored: tuple[str, str, str]) -> dict[str, object]:
    materialized, failed, stale = (PartitionSubset.from_json(text) for text in stored)
    status = PartitionStatus.compute(definition.num_partitions(), materialized, failed, stale)
    return status.to_dict(definition)


def bench_partition_status_100k() -> dict[str, Any]:
    """Median ms to load and compute the full status of 100,000 hourly partitions."""
    hourly = HourlyPartitions(START, end=START + timedelta(hours=PARTITIONS))
    assert hourly.num_partitions() == PARTITIONS
    materialized = PartitionSubset.from_ranges([(0, 40_000), (40_100, 80_000), (80_500, 99_000)])
    failed = PartitionSubset.from_ranges([(40_001, 40_050), (99_001, 99_010)])
    stale = PartitionSubset.from_ranges([(10_000, 10_023)])
    stored = (materialized.to_json(), failed.to_json(), stale.to_json())
    result = _status(hourly, stored)
    stats = summary(timed(lambda: _status(hourly, stored), repeat=25, warmup=3), scale=1000)

    keys = materialized.keys(hourly)
    from_keys = summary(timed(lambda: PartitionSubset.from_keys(keys, hourly), repeat=5), 1000)
    every_other = PartitionSubset.from_indices(range(0, PARTITIONS, 2))
    fragmented = (every_other.to_json(), "", "")
    fragmented_ms = summary(timed(lambda: _status(hourly, fragmented), repeat=5), 1000)
    berlin = HourlyPartitions(START, end="2026-05-30", timezone="Europe/Berlin")
    berlin_ms = summary(timed(lambda: _status(berlin, stored), repeat=15, warmup=2), 1000)
    list_ms = summary(timed(hourly.get_partition_keys, repeat=5), 1000)
    return {
        "value": stats["median"],
        "unit": "ms",
        "budget": BUDGET_MS,
        "min": stats["min"],
        "max": stats["max"],
        "partitions": PARTITIONS,
        "counts": {k: v for k, v in result.items() if k != "ranges"},
        "from_100k_keys_ms": from_keys["median"],
        "fragmented_50k_ranges_ms": fragmented_ms["median"],
        "europe_berlin_ms": berlin_ms["median"],
        "list_100k_keys_ms": list_ms["median"],
    }


BENCHMARKS = {"partition_status_100k": bench_partition_status_100k}
