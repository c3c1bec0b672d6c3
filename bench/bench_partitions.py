"""``partition_status_100k`` (SPEC §14): the status of every partition of an asset with
100,000 hourly partitions, end to end: read from a SQLite catalog on disk, mapped to
compact index ranges, counted and turned into the key ranges the API and UI show."""

from __future__ import annotations

import shutil
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from bench.harness import summary

N = 100_000


def _setup(home: Path) -> tuple[Any, Any, Any]:
    from assets_core import Definitions, HourlyPartitions, asset
    from assets_core.catalog.catalog import Catalog

    hourly = HourlyPartitions(start="2010-01-01-00:00", end="2021-05-29-16:00")

    @asset(partitions=hourly, code_version="2")
    def sensor_readings(context: Any) -> int:
        return 1

    defs = Definitions(assets=[sensor_readings])
    keys = hourly.get_partition_keys()
    assert len(keys) == N, len(keys)
    catalog = Catalog.open(f"sqlite:///{home / 'catalog.db'}")
    run_id = uuid.uuid4().hex
    now = time.time()
    rows = []
    for i, k in enumerate(keys):
        if i % 10_000 < 9_000:  # 90% materialized in long stretches
            status = "FAILED" if i % 10_000 == 8_999 else "MATERIALIZED"
            code = "1" if i < 5_000 else "2"  # the first stretch has an old code version
            rows.append(("sensor_readings", k, status, i + 1, code, run_id, now, None))
    with catalog.engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO asset_partitions (asset_key, partition, status, materialization_id,"
            " code_version, run_id, timestamp, failed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    return defs.graph, catalog, hourly


def bench_partition_status_100k() -> dict[str, Any]:
    from assets_core.catalog.status import partition_status

    home = Path(tempfile.mkdtemp(prefix="assetline-bench-partitions-"))
    try:
        graph, catalog, hourly = _setup(home)
        key = graph.toposorted[0]

        def once() -> dict[str, Any]:
            return partition_status(graph, catalog, key).to_dict(hourly)

        once()
        samples = []
        for _ in range(7):
            t = time.perf_counter()
            report = once()
            samples.append(time.perf_counter() - t)
        catalog.close()
    finally:
        shutil.rmtree(home, ignore_errors=True)
    return {
        "value": round(statistics.median(samples) * 1000, 2),
        "unit": "ms",
        "budget": 200,
        "partitions": N,
        **{k: report[k] for k in ("materialized", "failed", "stale", "missing")},
        "ms": summary(samples, 1000),
    }


BENCHMARKS = {"partition_status_100k": bench_partition_status_100k}
