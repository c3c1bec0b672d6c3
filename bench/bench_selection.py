"""``selection_10k`` (SPEC §14): ``*leaf`` over 10,000 assets, 100 layers x 100.

The graph is built in-process with the real ``@asset`` decorator: one function per
asset, each with two parents in the layer above (``deps=``), so ``*leaf`` reaches
almost the whole graph.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any

from assets_core.definitions.asset import AssetsDefinition, asset
from assets_core.definitions.repository import Definitions
from assets_core.graph.asset_graph import AssetGraph
from assets_core.graph.select import select
from assets_core.keys import AssetKey
from bench.harness import summary, timed

LAYERS = 100
WIDTH = 100
BUDGET_MS = 50


def _function(name: str) -> Callable[[], None]:
    def compute() -> None:
        return None

    compute.__name__ = compute.__qualname__ = name
    return compute


def layered_definitions(layers: int = LAYERS, width: int = WIDTH) -> Definitions:
    """``layers x width`` assets; each below the first layer has two parents in the
    layer above. The first asset of the last layer is called ``leaf``."""
    rng = random.Random(0)
    assets: list[AssetsDefinition] = []
    for layer in range(layers):
        for i in range(width):
            name = "leaf" if (layer, i) == (layers - 1, 0) else f"a_{layer}_{i}"
            parents = (
                [
                    AssetKey((f"l{layer - 1}", f"a_{layer - 1}_{j}"))
                    for j in rng.sample(range(width), 2)
                ]
                if layer
                else []
            )
            assets.append(asset(key=(f"l{layer}", name), deps=parents)(_function(name)))
    return Definitions(assets=assets)


def bench_selection_10k() -> dict[str, Any]:
    """Median ms of ``select(graph, "*leaf")`` after a warm-up."""
    t = time.perf_counter()
    graph: AssetGraph = layered_definitions().graph
    build_s = time.perf_counter() - t
    selected = len(select(graph, "*leaf"))
    samples = timed(lambda: select(graph, "*leaf"), repeat=15, warmup=3)
    stats = summary(samples, scale=1000)
    return {
        "value": stats["median"],
        "unit": "ms",
        "budget": BUDGET_MS,
        "min": stats["min"],
        "max": stats["max"],
        "nodes": len(graph),
        "edges": sum(len(graph.parents(k)) for k in graph.nodes),
        "selected": selected,
        "build_s": round(build_s, 3),
    }


BENCHMARKS = {"selection_10k": bench_selection_10k}
