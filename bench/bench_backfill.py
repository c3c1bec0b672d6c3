"""Backfill benchmark (SPEC §14): 3 assets x 365 daily partitions."""

from __future__ import annotations

import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.harness import summary

START, END = "2023-01-01", "2023-12-31"


def backfill_assets() -> list[Any]:
    from assets_core import DailyPartitions, asset

    daily = DailyPartitions(start="2023-01-01", end="2024-01-01")

    @asset(partitions=daily)
    def events(context: Any) -> int:
        return 1

    @asset(partitions=daily)
    def sessions(events: int) -> int:
        return events + 1

    @asset(partitions=daily)
    def metrics(sessions: int) -> int:
        return sessions + 1

    return [events, sessions, metrics]


def bench_backfill_365() -> dict[str, Any]:
    from assets_core import Definitions
    from assets_core.catalog.catalog import Catalog
    from assets_core.execution.run import materialize

    defs = Definitions(assets=backfill_assets())
    graph = defs.graph
    keys = graph.toposorted
    partitions = graph.get(keys[0]).spec.partitions
    assert partitions is not None
    days = partitions.keys_between(START, END)
    n = len(days) * len(keys)

    def bare() -> float:
        t = time.perf_counter()
        for _day in days:
            v = graph.get(keys[0]).definition.fn(None)
            v = graph.get(keys[1]).definition.fn(v)
            graph.get(keys[2]).definition.fn(v)
        return time.perf_counter() - t

    home = Path(tempfile.mkdtemp(prefix="assetline-bench-backfill-"))
    try:
        catalog = Catalog.open(f"sqlite:///{home / 'catalog.db'}")

        def run() -> float:
            t = time.perf_counter()
            result = materialize(
                defs, "*", partition_range=(START, END), catalog=catalog, home=home
            )
            elapsed = time.perf_counter() - t
            assert result.success and len(result.steps) == n
            return elapsed

        run()
        totals = [run() for _ in range(3)]
        catalog.close()
    finally:
        shutil.rmtree(home, ignore_errors=True)
    floor = statistics.median(bare() for _ in range(5))
    per = (statistics.median(totals) - floor) / n * 1000
    return {
        "value": round(per, 4),
        "unit": "ms",
        "budget": 1,
        "asset_partitions": n,
        "total_s": summary(totals),
        "bare_s": round(floor, 6),
    }


BENCHMARKS = {"backfill_365": bench_backfill_365}
