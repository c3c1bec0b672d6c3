"""Automation benchmarks (SPEC §14), against a catalog on disk, after a warm-up:

- ``automation_tick_10k``: one tick of ``Automation.eager()`` over the 10,000-asset
  graph (100 layers x 100, two parents each) after its 100 roots were updated: the
  whole graph downstream is requested (one run).
- ``automation_partitions_70k``: 35 assets x 2,000 daily partitions (7 layers of 5,
  two parents each), ``eager() | on_missing()`` on all but the roots; the roots were
  updated for 5 days in the middle and the other assets miss their last 10 days.
- ``schedule_ticks_1k``: 1,000 schedules all due in one tick (their runs and ticks
  committed).
- ``sensor_to_run_start``: a sensor's RunRequest returned -> the first asset's function
  starts, through a real ``assetline daemon`` process already up.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.harness import summary

HERE = Path(__file__).resolve().parent


@contextmanager
def _catalog() -> Iterator[tuple[Any, Path]]:
    from assets_core.catalog.catalog import Catalog

    home = Path(tempfile.mkdtemp(prefix="assetline-bench-automation-"))
    catalog = Catalog.open(f"sqlite:///{home / 'catalog.db'}")
    try:
        yield catalog, home
    finally:
        catalog.close()
        shutil.rmtree(home, ignore_errors=True)


def _fn(name: str) -> Callable[..., None]:
    def compute() -> None:
        return None

    compute.__name__ = compute.__qualname__ = name
    return compute


def _mats(rows: list[tuple[str, str | None]], ts: float) -> Any:
    from assets_core.catalog.records import NewMaterialization, WriteBatch

    return WriteBatch(
        materializations=[
            NewMaterialization(key, part, "bench", ts, None, None, {}, None) for key, part in rows
        ]
    )


def _cancel_queued(catalog: Any) -> None:
    for run in catalog.runs_in_status(["QUEUED"]):
        catalog.update_run(run.id, status="CANCELED")


CPU: list[float] = []  # process CPU seconds of the timed part (the machine may be busy)


def _tick(ticker: Any, catalog: Any, now: float) -> tuple[float, Any]:
    started, cpu = time.perf_counter(), time.process_time()
    out = ticker.tick(now)
    catalog.commit_evaluation_tick(out.commit, out.evaluations, out.events)
    ticker.committed(out)
    CPU.append(time.process_time() - cpu)
    return time.perf_counter() - started, out


# -- automation_tick_10k --------------------------------------------------------------
def layered_eager(layers: int = 100, width: int = 100) -> Any:
    from assets_core import Automation, Definitions, asset
    from assets_core.keys import AssetKey

    rng = random.Random(0)
    assets = []
    for layer in range(layers):
        for i in range(width):
            name = f"a_{layer}_{i}"
            parents = (
                [
                    AssetKey((f"l{layer - 1}", f"a_{layer - 1}_{j}"))
                    for j in rng.sample(range(width), 2)
                ]
                if layer
                else []
            )
            auto = Automation.eager() if layer else None
            assets.append(asset(key=(f"l{layer}", name), deps=parents, automation=auto)(_fn(name)))
    return Definitions(assets=assets)


def bench_automation_tick_10k() -> dict[str, Any]:
    from assets_core.automation.automation_tick import AutomationTicker
    from assets_core.automation.daemon import freeze_heap

    graph = layered_eager().graph
    roots = [str(k) for k in graph.levels[0]]
    with _catalog() as (catalog, _):
        t0 = time.time() - 3600
        catalog.write(_mats([(str(k), None) for k in graph.toposorted], t0))
        ticker = AutomationTicker(graph, catalog)
        freeze_heap()  # as the daemon does once it has loaded the definitions
        _tick(ticker, catalog, time.time())  # warm-up: nothing to do
        samples, requested, records = [], 0, 0
        CPU.clear()
        for rep in range(6):
            catalog.write(_mats([(k, None) for k in roots], time.time()))
            elapsed, out = _tick(ticker, catalog, time.time())
            requested = sum(1 for d in out.decisions.decisions.values() if d.requested)
            records = len(out.evaluations)
            assert len(out.commit.runs) == 1 and requested == len(graph) - len(roots)
            _cancel_queued(catalog)
            if rep:
                samples.append(elapsed)
    stats = summary(samples, scale=1000)
    return {
        "value": stats["median"],
        "unit": "ms",
        "budget": 200,
        "min": stats["min"],
        "max": stats["max"],
        "cpu_ms": round(statistics.median(CPU[2:]) * 1000, 2),
        "assets": len(graph),
        "requested": requested,
        "evaluations_written": records,
        "runs": 1,
    }


# -- automation_partitions_70k ---------------------------------------------------------
DAYS = 2000


def partitioned_chain(layers: int = 7, width: int = 5) -> Any:
    from assets_core import Automation, DailyPartitions, Definitions, asset
    from assets_core.keys import AssetKey

    days = DailyPartitions(start="2019-01-01", end=datetime(2019, 1, 1) + timedelta(days=DAYS))
    rng = random.Random(1)
    assets = []
    for layer in range(layers):
        for i in range(width):
            name = f"p_{layer}_{i}"
            parents = (
                [AssetKey((f"p_{layer - 1}_{j}",)) for j in rng.sample(range(width), 2)]
                if layer
                else []
            )
            auto = Automation.eager() | Automation.on_missing() if layer else None
            assets.append(
                asset(key=name, partitions=days, deps=parents, automation=auto)(_fn(name))
            )
    return Definitions(assets=assets)


def bench_automation_partitions_70k() -> dict[str, Any]:
    from assets_core.automation.automation_tick import AutomationTicker
    from assets_core.automation.daemon import freeze_heap

    defs = partitioned_chain()
    graph = defs.graph
    pdef = graph.get(graph.toposorted[0]).spec.partitions
    assert pdef is not None
    keys = pdef.get_partition_keys()
    roots = [str(k) for k in graph.levels[0]]
    others = [str(k) for k in graph.toposorted if str(k) not in roots]
    with _catalog() as (catalog, _):
        t0 = time.time() - 3600
        rows = [(k, p) for k in roots for p in keys] + [(k, p) for k in others for p in keys[:-10]]
        for i in range(0, len(rows), 5000):
            catalog.write(_mats(rows[i : i + 5000], t0))
        ticker = AutomationTicker(graph, catalog)
        freeze_heap()  # as the daemon does once it has loaded the definitions
        _tick(ticker, catalog, time.time())  # warm-up
        _cancel_queued(catalog)
        samples, requested, runs = [], 0, 0
        CPU.clear()
        middle = keys[1000:1005]
        for rep in range(5):
            catalog.write(_mats([(k, p) for k in roots for p in middle], time.time()))
            elapsed, out = _tick(ticker, catalog, time.time())
            requested = sum(len(d.requested) for d in out.decisions.decisions.values())
            runs = len(out.commit.runs)
            _cancel_queued(catalog)
            if rep:
                samples.append(elapsed)
    stats = summary(samples, scale=1.0)
    return {
        "value": stats["median"],
        "unit": "s",
        "budget": 1,
        "min": stats["min"],
        "max": stats["max"],
        "cpu_s": round(statistics.median(CPU[1:]), 4),
        "assets": len(graph),
        "partitions": len(keys),
        "asset_partitions": len(graph) * len(keys),
        "requested_partitions": requested,
        "runs": runs,
    }


# -- schedule_ticks_1k ------------------------------------------------------------------
def bench_schedule_ticks_1k() -> dict[str, Any]:
    from assets_core import DailyPartitions, Definitions, Schedule, asset
    from assets_core.automation.daemon import freeze_heap
    from assets_core.automation.triggers import ScheduleTicker

    days = DailyPartitions(start="2024-01-01")

    @asset(partitions=days)
    def daily() -> int:
        return 1

    @asset
    def plain() -> int:
        return 1

    schedules = [
        Schedule(f"s{i}", cron=f"{i % 60} 5 * * *", select="daily", partition="previous_day")
        if i % 2
        else Schedule(f"s{i}", cron=f"{i % 60} 5 * * *", select="plain")
        for i in range(1000)
    ]
    defs = Definitions(assets=[daily, plain], schedules=schedules)
    base = datetime(2024, 3, 1, 6, 0, tzinfo=UTC).timestamp()
    with _catalog() as (catalog, _):
        ticker = ScheduleTicker(defs, "bench")
        freeze_heap()  # as the daemon does once it has loaded the definitions
        _, marks = ticker.due({}, base - 86400)
        catalog.commit_ticks([], marks=marks)  # first seen the day before
        samples, cpu = [], []
        fired = 0
        for rep in range(6):
            now = base + rep * 86400
            states = catalog.instigator_states()
            started, cpu0 = time.perf_counter(), time.process_time()
            commits, marks = ticker.due(states, now)
            catalog.commit_ticks(commits, marks=marks)
            elapsed = time.perf_counter() - started
            cpu.append(time.process_time() - cpu0)
            fired = len(commits)
            assert fired == 1000 and all(c.status == "SUCCESS" for c in commits)
            if rep:  # the first one is the warm-up (targets resolved once)
                samples.append(elapsed)
    stats = summary(samples, scale=1000)
    return {
        "value": stats["median"],
        "unit": "ms",
        "budget": 100,
        "min": stats["min"],
        "max": stats["max"],
        "cpu_ms": round(statistics.median(cpu[1:]) * 1000, 2),
        "schedules": 1000,
        "ticks_per_evaluation": fired,
        "runs_queued": fired,
    }


# -- sensor_to_run_start ----------------------------------------------------------------
SENSOR_LOCATION = """
import os, time
from pathlib import Path
from assets_core import Definitions, RunRequest, SkipReason, asset, sensor

HOME = Path(os.environ["BENCH_DIR"])

@asset
def first() -> int:
    (HOME / "started").write_text(repr(time.time()))
    return 1

@sensor(interval="0s", select="first")
def trigger(context):
    request = HOME / "request"
    if not request.exists():
        return SkipReason("nothing")
    n = request.read_text()
    if n == context.cursor:
        return SkipReason("seen")
    context.update_cursor(n)
    (HOME / "returned").write_text(repr(time.time()))
    return RunRequest(run_key=n)

defs = Definitions(assets=[first], sensors=[trigger])
"""


def bench_sensor_to_run_start() -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix="assetline-bench-sensor-"))
    (work / "loc.py").write_text(SENSOR_LOCATION)
    (work / "pyproject.toml").write_text("[tool.assetline.daemon]\ninterval_s = 0.02\n")
    env = {
        **os.environ,
        "ASSETLINE_HOME": str(work / "home"),
        "BENCH_DIR": str(work),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    env.pop("ASSETLINE_CATALOG_URL", None)
    exe = Path(sys.executable).with_name("assetline")
    proc = subprocess.Popen(
        [str(exe), "daemon", "-f", "loc.py"],
        cwd=work,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    samples = []
    try:
        for n in range(13):
            for name in ("started", "returned"):
                (work / name).unlink(missing_ok=True)
            (work / "request").write_text(str(n))
            deadline = time.monotonic() + 120
            while not (work / "started").exists() or not (work / "started").read_text():
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the daemon never started the run")
                time.sleep(0.001)
            started = float((work / "started").read_text())
            returned = float((work / "returned").read_text())
            if n >= 3:
                samples.append(started - returned)
            time.sleep(0.2)  # let the run finish
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)
        shutil.rmtree(work, ignore_errors=True)
    stats = summary(samples, scale=1000)
    return {
        "value": stats["median"],
        "unit": "ms",
        "budget": 500,
        "min": stats["min"],
        "max": stats["max"],
        "mean": round(statistics.mean(samples) * 1000, 2),
        "runs": len(samples),
    }


BENCHMARKS = {
    "automation_tick_10k": bench_automation_tick_10k,
    "automation_partitions_70k": bench_automation_partitions_70k,
    "schedule_ticks_1k": bench_schedule_ticks_1k,
    "sensor_to_run_start": bench_sensor_to_run_start,
}
