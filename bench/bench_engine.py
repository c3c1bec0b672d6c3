"""Engine and catalog benchmarks (SPEC §14): per-asset overhead of runs, catalog
event throughput, and loading 10,000 definitions."""

from __future__ import annotations

import importlib
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.harness import summary

GENERATED = Path(__file__).resolve().parent / ".generated"


def _trivial(n_inputs: int) -> Callable[..., int]:
    if n_inputs == 0:
        return lambda: 1
    if n_inputs == 1:
        return lambda x: 1
    return lambda x, y: 1


def layered_assets(layers: int, width: int) -> list[Any]:
    """``layers`` x ``width`` trivial assets; each reads two assets of the layer above."""
    from assets_core import AssetIn, asset

    out = []
    for layer in range(layers):
        for i in range(width):
            name = f"a_{layer}_{i}"
            if layer == 0:
                fn = _trivial(0)
                ins = None
            else:
                fn = _trivial(2)
                ins = {
                    "x": AssetIn(f"a_{layer - 1}_{i}"),
                    "y": AssetIn(f"a_{layer - 1}_{(i + 1) % width}"),
                }
            fn.__name__ = name
            out.append(asset(fn, key=name, ins=ins))
    return out


def chain_assets(n: int) -> list[Any]:
    from assets_core import AssetIn, asset

    out = []
    for i in range(n):
        fn = _trivial(0 if i == 0 else 1)
        fn.__name__ = f"c_{i}"
        out.append(asset(fn, key=f"c_{i}", ins=None if i == 0 else {"x": AssetIn(f"c_{i - 1}")}))
    return out


def _bare_seconds(defs: Any) -> float:
    """Calling the functions directly, in topological order, with their inputs."""
    graph = defs.graph
    values: dict[Any, Any] = {}
    t = time.perf_counter()
    for key in graph.toposorted:
        node = graph.get(key)
        values[key] = node.definition.fn(**{p: values[k] for p, k in node.input_keys.items()})
    return time.perf_counter() - t


def _overhead(assets: list[Any], label: str, repeat: int = 5) -> dict[str, Any]:
    from assets_core import Definitions
    from assets_core.catalog.catalog import Catalog
    from assets_core.execution.run import materialize
    from assets_core.io.memory import MemoryIOManager

    defs = Definitions(assets=assets)
    n = len(assets)
    home = Path(tempfile.mkdtemp(prefix=f"assetline-bench-{label}-"))
    try:
        catalog = Catalog.open(f"sqlite:///{home / 'catalog.db'}")

        cpu: list[float] = []  # process CPU seconds per run (the machine may be busy)

        def run(io: dict[str, Any] | None = None) -> float:
            t, c = time.perf_counter(), time.process_time()
            result = materialize(defs, "*", catalog=catalog, home=home, io_managers=io)
            elapsed = time.perf_counter() - t
            cpu.append(time.process_time() - c)
            assert result.success, result.failed_steps()[:3]
            return elapsed

        run()  # warm-up
        cpu.clear()
        totals = [run() for _ in range(repeat)]
        fs_cpu = statistics.median(cpu)
        bare = statistics.median(_bare_seconds(defs) for _ in range(repeat))
        memory = {"fs": MemoryIOManager()}
        run(memory)
        no_io = [run(memory) for _ in range(repeat)]
        catalog.close()
    finally:
        shutil.rmtree(home, ignore_errors=True)
    per_asset = (statistics.median(totals) - bare) / n * 1000
    return {
        "value": round(per_asset, 4),
        "unit": "ms",
        "budget": 0.5,
        "assets": n,
        "total_s": summary(totals),
        "bare_s": round(bare, 6),
        "bare_per_asset_ms": round(bare / n * 1000, 5),
        "per_asset_ms_without_io": round((statistics.median(no_io) - bare) / n * 1000, 4),
        "cpu_per_asset_ms": round((fs_cpu - bare) / n * 1000, 4),
    }


def bench_overhead_layered_500() -> dict[str, Any]:
    return _overhead(layered_assets(10, 50), "layered")


def bench_overhead_chain_200() -> dict[str, Any]:
    return _overhead(chain_assets(200), "chain")


def bench_catalog_events() -> dict[str, Any]:
    from assets_core.catalog.catalog import Catalog
    from assets_core.catalog.records import EventRecord, RunRecord, WriteBatch

    home = Path(tempfile.mkdtemp(prefix="assetline-bench-events-"))
    try:
        catalog = Catalog.open(f"sqlite:///{home / 'catalog.db'}")
        run_id = uuid.uuid4().hex
        catalog.create_run(RunRecord(id=run_id, status="STARTED", selection="*"))

        def write(total: int, per_batch: int) -> float:
            batches = [
                WriteBatch(
                    events=[
                        EventRecord(
                            run_id,
                            time.time(),
                            "LOG",
                            f"line {i}",
                            f"asset_{b}",
                            None,
                            "INFO",
                            {"i": i},
                        )
                        for i in range(per_batch)
                    ]
                )
                for b in range(total // per_batch)
            ]
            t = time.perf_counter()
            for batch in batches:
                catalog.write(batch)
            return total / (time.perf_counter() - t)

        write(5000, 50)
        rates = [write(20000, 50) for _ in range(5)]
        step_sized = [write(8000, 4) for _ in range(3)]
        catalog.close()
    finally:
        shutil.rmtree(home, ignore_errors=True)
    return {
        "value": round(statistics.median(rates)),
        "unit": "events/s",
        "budget": 20000,
        "batch_size": 50,
        "min": round(min(rates)),
        "max": round(max(rates)),
        "events_per_s_in_batches_of_4": round(statistics.median(step_sized)),
    }


def write_10k_module() -> Path:
    """A code location of 10,000 assets, 100 layers x 100, two inputs each."""
    GENERATED.mkdir(exist_ok=True)
    path = GENERATED / "defs_10k.py"
    if path.exists():
        return path
    lines = ["from assets_core import asset, Definitions", ""]
    names = []
    for layer in range(100):
        for i in range(100):
            name = f"a{layer}_{i}"
            names.append(name)
            if layer == 0:
                lines.append(f"@asset(group='g{i % 10}')\ndef {name}():\n    return 1\n")
            else:
                x, y = f"a{layer - 1}_{i}", f"a{layer - 1}_{(i + 1) % 100}"
                lines.append(f"@asset(group='g{i % 10}')\ndef {name}({x}, {y}):\n    return 1\n")
    lines.append("defs = Definitions(assets=[" + ", ".join(names) + "])")
    path.write_text("\n".join(lines) + "\n")
    return path


def bench_defs_load_10k() -> dict[str, Any]:
    path = write_10k_module()
    sys.dont_write_bytecode = False  # a real project imports from cached bytecode
    sys.path.insert(0, str(path.parent))
    import assets_core  # noqa: F401  (the library itself is not part of the figure)

    def load() -> float:
        sys.modules.pop("defs_10k", None)
        t = time.perf_counter()
        module = importlib.import_module("defs_10k")
        graph = module.defs.graph
        elapsed = time.perf_counter() - t
        assert len(graph) == 10_000
        return elapsed

    load()  # warm-up: compiles the module to bytecode once
    samples = [load() for _ in range(5)]
    return {
        "value": round(statistics.median(samples), 4),
        "unit": "s",
        "budget": 0.75,
        "assets": 10_000,
        **{k: v for k, v in summary(samples).items() if k != "median"},
    }


BENCHMARKS = {
    "overhead_layered_500": bench_overhead_layered_500,
    "overhead_chain_200": bench_overhead_chain_200,
    "defs_load_10k": bench_defs_load_10k,
    "catalog_events": bench_catalog_events,
}
