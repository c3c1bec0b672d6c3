"""The benchmark harness behind ``make bench`` (SPEC §14).

Each ``bench/bench_*.py`` module exposes ``BENCHMARKS: dict[str, Callable[[], dict]]``.
A benchmark function does its own warm-up and repetitions and returns a dict with at
least ``value``, ``unit`` and ``budget`` (plus any details: the bare floor, medians,
min/max, sizes). The harness adds ``name``, ``within_budget`` and prints one JSON
object per line. ``BENCH=name`` (or ``--only name``) runs one benchmark.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
HIGHER_IS_BETTER_UNITS = {"events/s", "rows/s", "req/s", "steps/s", "x"}


def timed(fn: Callable[[], Any], repeat: int = 5, warmup: int = 1) -> list[float]:
    """Run ``fn`` ``warmup`` times, then ``repeat`` times; return seconds per run."""
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def summary(samples: list[float], scale: float = 1.0) -> dict[str, float]:
    """Median, min and max of ``samples`` times ``scale``, rounded."""
    return {
        "median": round(statistics.median(samples) * scale, 4),
        "min": round(min(samples) * scale, 4),
        "max": round(max(samples) * scale, 4),
    }


def discover() -> dict[str, Callable[[], dict[str, Any]]]:
    sys.path.insert(0, str(HERE.parent))
    found: dict[str, Callable[[], dict[str, Any]]] = {}
    for path in sorted(HERE.glob("bench_*.py")):
        module = importlib.import_module(f"bench.{path.stem}")
        found.update(getattr(module, "BENCHMARKS", {}))
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run Assetline's benchmarks (SPEC §14).")
    parser.add_argument("--only", default=os.environ.get("BENCH") or None)
    args = parser.parse_args(argv)
    benches = discover()
    names = [args.only] if args.only else list(benches)
    unknown = [n for n in names if n not in benches]
    if unknown:
        print(f"Unknown benchmark {unknown[0]!r}; known: {', '.join(benches)}", file=sys.stderr)
        return 2
    failed = 0
    for name in names:
        result = benches[name]()
        higher = result["unit"] in HIGHER_IS_BETTER_UNITS
        ok = result["value"] >= result["budget"] if higher else result["value"] <= result["budget"]
        failed += not ok
        print(json.dumps({"name": name, **result, "within_budget": ok}), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
