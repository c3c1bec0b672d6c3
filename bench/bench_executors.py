"""Executor benchmarks (SPEC §14): parallel speed-up of the multiprocess and dask
executors, the dask executor's per-asset overhead, and pool throughput across
concurrent runs.

The Dask figures run against a LocalCluster started before the timing (as a deployed
scheduler is already up when a run starts); its start-up is reported in details.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.bench_engine import _bare_seconds, layered_assets
from bench.harness import summary


def _burn(n: int) -> int:
    total = 0
    for i in range(n):
        total += i * i
    return total


def _calibrate(seconds: float) -> int:
    """The loop count that burns about ``seconds`` of CPU here."""
    n = 200_000
    while True:
        t = time.perf_counter()
        _burn(n)
        took = time.perf_counter() - t
        if took > 0.05:
            return int(n * seconds / took)
        n *= 4


def cpu_assets(count: int, loops: int) -> list[Any]:
    from assets_core import asset

    def make(i: int) -> Any:
        def fn() -> int:
            return _burn(loops)

        fn.__name__ = f"cpu_{i}"
        return asset(fn, key=f"cpu_{i}")

    return [make(i) for i in range(count)]


@contextmanager
def local_cluster(workers: int) -> Iterator[tuple[str, float]]:
    """A LocalCluster of ``workers`` single-threaded processes: its address and how
    long it took to start."""
    import dask
    from distributed import LocalCluster

    t = time.perf_counter()
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            host="127.0.0.1",
        )
    try:
        yield cluster.scheduler_address, time.perf_counter() - t
    finally:
        cluster.close()


@contextmanager
def _home(label: str) -> Iterator[Path]:
    home = Path(tempfile.mkdtemp(prefix=f"assetline-bench-{label}-"))
    try:
        yield home
    finally:
        shutil.rmtree(home, ignore_errors=True)


def bench_parallel_speedup() -> dict[str, Any]:
    from assets_core import Definitions, materialize
    from assets_core.catalog.catalog import Catalog

    defs = Definitions(assets=cpu_assets(8, _calibrate(0.5)))
    timings: dict[str, list[float]] = {}
    with _home("speedup") as home:
        Catalog.open(f"sqlite:///{home / 'catalog.db'}").close()

        def run(**executor: Any) -> float:
            # A catalog per run, as the CLI has: multiprocess forks with none open.
            t = time.perf_counter()
            result = materialize(defs, "*", catalog_url=f"sqlite:///{home / 'catalog.db'}",
                                 home=home, **executor)  # fmt: skip
            assert result.success, result.failed_steps()[:3]
            return time.perf_counter() - t

        def measure(name: str, **options: Any) -> None:
            run(**options)  # warm-up
            timings[name] = [run(**options) for _ in range(3)]

        # multiprocess forks: before the cluster's threads exist in this process
        measure("inprocess")
        measure("multiprocess", executor="multiprocess", workers=2)
        with local_cluster(2) as (address, startup):
            measure("dask", executor="dask", dask_address=address)
    base = statistics.median(timings["inprocess"])
    speedups = {n: base / statistics.median(timings[n]) for n in ("multiprocess", "dask")}
    return {
        "value": round(min(speedups.values()), 3),
        "unit": "x",
        "budget": 1.8,
        "assets": 8,
        "workers": 2,
        "speedup_multiprocess": round(speedups["multiprocess"], 3),
        "speedup_dask": round(speedups["dask"], 3),
        "inprocess_s": summary(timings["inprocess"]),
        "multiprocess_s": summary(timings["multiprocess"]),
        "dask_s": summary(timings["dask"]),
        "dask_cluster_start_s": round(startup, 3),
        "cpus": os.cpu_count(),
    }


def bench_dask_overhead_500() -> dict[str, Any]:
    from assets_core import Definitions, materialize
    from assets_core.catalog.catalog import Catalog

    defs = Definitions(assets=layered_assets(10, 50))
    n = len(defs.graph)
    with _home("dask-overhead") as home, local_cluster(2) as (address, startup):
        catalog = Catalog.open(f"sqlite:///{home / 'catalog.db'}")

        def run() -> float:
            t = time.perf_counter()
            result = materialize(
                defs, "*", catalog=catalog, home=home, executor="dask", dask_address=address
            )
            assert result.success, result.failed_steps()[:3]
            return time.perf_counter() - t

        run()  # warm-up: workers import and build their IO managers
        totals = [run() for _ in range(3)]
        catalog.close()
    bare = statistics.median(_bare_seconds(defs) for _ in range(3))
    return {
        "value": round((statistics.median(totals) - bare) / n * 1000, 3),
        "unit": "ms",
        "budget": 5,
        "assets": n,
        "workers": 2,
        "total_s": summary(totals),
        "bare_s": round(bare, 6),
        "dask_cluster_start_s": round(startup, 3),
    }


POOL_RUNS = 4
POOL_ASSETS = 200


def _pool_run(
    folder: str, selection: list[str], ready: Any, go: Any, out: Any
) -> None:  # pragma: no cover - runs in a child process
    from assets_core import Definitions, materialize
    from assets_core.catalog.catalog import Catalog

    os.chdir(folder)  # [tool.assetline.pools] of the folder's pyproject.toml
    defs = Definitions(assets=pool_assets(POOL_ASSETS))
    defs.graph  # noqa: B018 - built before the clock starts
    catalog = Catalog.open(f"sqlite:///{Path(folder) / 'catalog.db'}")
    ready.wait()
    go.wait()
    t = time.time()
    result = materialize(defs, selection, catalog=catalog, home=folder)
    out.put((t, time.time(), result.status))
    catalog.close()


def pool_assets(count: int) -> list[Any]:
    from assets_core import asset

    def make(i: int) -> Any:
        def fn() -> int:
            return i

        fn.__name__ = f"pooled_{i}"
        return asset(fn, key=f"pooled_{i}", pool="warehouse", io_manager="memory")

    return [make(i) for i in range(count)]


def bench_pool_throughput() -> dict[str, Any]:
    from assets_core.catalog.catalog import Catalog

    context = multiprocessing.get_context("fork")
    names = [f"pooled_{i}" for i in range(POOL_ASSETS)]
    share = POOL_ASSETS // POOL_RUNS
    rates = []
    with _home("pools") as home:
        (home / "pyproject.toml").write_text("[tool.assetline.pools]\nwarehouse = 2\n")
        Catalog.open(f"sqlite:///{home / 'catalog.db'}").close()
        for _ in range(3):
            ready = context.Barrier(POOL_RUNS + 1)
            go, out = context.Event(), context.Queue()
            procs = [
                context.Process(
                    target=_pool_run,
                    args=(str(home), names[i * share : (i + 1) * share], ready, go, out),
                )
                for i in range(POOL_RUNS)
            ]
            for p in procs:
                p.start()
            ready.wait()
            go.set()
            results = [out.get(timeout=120) for _ in procs]
            for p in procs:
                p.join()
            assert all(status == "SUCCESS" for _, _, status in results), results
            wall = max(end for _, end, _ in results) - min(start for start, _, _ in results)
            rates.append(POOL_ASSETS / wall)
        catalog = Catalog.open(f"sqlite:///{home / 'catalog.db'}")
        leaked = len(catalog.pool_slots())
        catalog.close()
    assert leaked == 0, f"{leaked} pool slot(s) leaked"
    return {
        "value": round(statistics.median(rates), 1),
        "unit": "steps/s",
        "budget": 200,
        "runs": POOL_RUNS,
        "steps": POOL_ASSETS,
        "limit": 2,
        "min": round(min(rates), 1),
        "max": round(max(rates), 1),
        "slots_leaked": leaked,
    }


BENCHMARKS: dict[str, Callable[[], dict[str, Any]]] = {
    "parallel_speedup": bench_parallel_speedup,
    "dask_overhead_500": bench_dask_overhead_500,
    "pool_throughput": bench_pool_throughput,
}
