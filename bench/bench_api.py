"""GraphQL API benchmarks (SPEC §14), over HTTP against a real ``assetline ui``
(uvicorn) running in its own process on a free port:

- ``graphql_lineage_10k``: ``lineage(selection: "*") { nodes { key group kind status }
  edges { source target } }`` over 10,000 assets (100 layers x 100, two parents each);
- ``graphql_upstream_10k``: ``asset(key) { upstream(depth: 3) { key } }`` on that graph;
- ``launch_latency``: the ``materialize`` mutation sent → the first asset's function
  starts (it writes ``time.time()`` to a file), the server already up;
- ``graphql_assets_2k``: ``assets { key upstream { key } }`` over 2,000 assets (20
  layers x 100, two parents each), warm;
- ``graphql_assets_status_2k``: ``assets { key group kind status latestMaterialization
  { id timestamp } }`` over those 2,000 assets, all materialized, warm;
- ``graphql_throughput_2k``: that status query from 8 concurrent clients for 10 s;
- ``graphql_first_lineage_10k``: the first ``lineage(selection: "*")`` over 10,000
  assets once the server is ready (over several server starts);
- ``server_ready_2k``: ``assetline ui`` spawned → ``assets { key upstream { key } }``
  over 2,000 assets answered (over several spawns);
- ``server_ready_10k``: the same over 10,000 assets.

Each figure is the median over several requests after a warm-up, measured until the
whole response body has arrived.
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from bench.harness import summary

GENERATED = Path(__file__).resolve().parent / ".generated"
ROOT = Path(__file__).resolve().parent.parent

LINEAGE = '{ lineage(selection: "*") { nodes { key group kind status } edges { source target } } }'
UPSTREAM = '{ asset(key: "l99/leaf") { upstream(depth: 3) { key } } }'
MATERIALIZE = 'mutation { materialize(selection: "first") { id } }'

_LAYERED = '''\
"""__N__ assets: __LAYERS__ layers x 100, two parents each in the layer above."""
import random

from assets_core import asset
from assets_core.definitions.repository import Definitions

rng = random.Random(0)
assets = []
LEAF = __LEAF__  # l{last}/a_{last}_0 is named "leaf" (the upstream query's target)


def _fn(name):
    def compute():
        return None

    compute.__name__ = compute.__qualname__ = name
    return compute


def _key(layer, i):
    return f"l{layer}/leaf" if LEAF and (layer, i) == (__LAST__, 0) else f"l{layer}/a_{layer}_{i}"


for layer in range(__LAYERS__):
    for i in range(100):
        parents = [_key(layer - 1, j) for j in rng.sample(range(100), 2)] if layer else []
        key = _key(layer, i)
        group = f"g{layer // __GROUP__}"
        assets.append(asset(key=key, group=group, deps=parents)(_fn(key.split("/")[1])))

defs = Definitions(assets=assets)
'''


def _layered(layers: int, group_every: int, leaf: bool) -> str:
    """A code location of ``layers`` x 100 assets, two parents each."""
    values = {
        "__N__": f"{layers * 100:,}",
        "__LAYERS__": str(layers),
        "__LAST__": str(layers - 1),
        "__GROUP__": str(group_every),
        "__LEAF__": str(leaf),
    }
    source = _LAYERED
    for name, value in values.items():
        source = source.replace(name, value)
    return source


LAYERED_10K = _layered(100, 10, leaf=True)

ASSETS = "{ assets { key upstream { key } } }"
ASSETS_STATUS = "{ assets { key group kind status latestMaterialization { id timestamp } } }"

LAYERED_2K = _layered(20, 5, leaf=False)

LAUNCH = '''\
"""Two assets; the first records when its function starts."""
import os
import time
from pathlib import Path

from assets_core import asset


@asset
def first() -> int:
    Path(os.environ["ASSETLINE_HOME"], "first_started").write_text(repr(time.time()))
    return 1


@asset
def second(first: int) -> int:
    return first + 1
'''


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def prepared(source: str, name: str, materialized: bool = False) -> Path:
    """Write ``source`` as a code location in a new folder (returned); with
    ``materialized``, materialize every asset into that folder's ``home``."""
    GENERATED.mkdir(exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=GENERATED))
    location = work / f"{name}.py"
    location.write_text(source)
    if materialized:
        _materialize_all(location, work / "home")
    return work


@contextmanager
def served(
    source: str, name: str, materialized: bool = False, work: Path | None = None
) -> Iterator[tuple[httpx.Client, Path]]:
    """Write ``source`` as a code location, serve it with ``assetline ui`` in a
    subprocess, and yield a client and the server's home. With ``materialized``, every
    asset is materialized first, so statuses come from a populated catalog. ``work``:
    a folder ``prepared`` before (served again as it is)."""
    work = work or prepared(source, name, materialized)
    location = work / f"{name}.py"
    home = work / "home"
    port = _free_port()
    env = {**os.environ, "ASSETLINE_HOME": str(home), "PYTHONPATH": str(ROOT)}
    env.pop("ASSETLINE_CATALOG_URL", None)
    env.pop("ASSETLINE_AUTH_TOKENS", None)
    argv = [sys.executable, "-m", "assets_ui.cli", "-f", str(location), "--port", str(port)]
    proc = subprocess.Popen([*argv, "--log-level", "warning"], env=env, cwd=work)
    client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                health = client.get("/healthz").json()
                if health.get("worker_pid"):
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"assetline ui did not start (exit code {proc.poll()})")
            time.sleep(0.1)
        yield client, home
    finally:
        client.close()
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()


def _materialize_all(location: Path, home: Path) -> None:
    from assets_core.catalog.catalog import Catalog
    from assets_core.definitions.loader import load_definitions
    from assets_core.execution.run import materialize
    from assets_core.io.memory import MemoryIOManager

    defs = load_definitions(file=location)
    catalog = Catalog.open(f"sqlite:///{home / 'catalog.db'}")
    result = materialize(defs, catalog=catalog, home=home, io_managers={"fs": MemoryIOManager()})
    assert result.success
    catalog.close()


def _post(client: httpx.Client, query: str) -> tuple[float, dict[str, Any]]:
    t = time.perf_counter()
    response = client.post("/graphql", json={"query": query})
    body = response.content
    elapsed = time.perf_counter() - t
    data: dict[str, Any] = httpx.Response(200, content=body).json()
    if response.status_code != 200 or data.get("errors"):
        raise RuntimeError(f"query failed: {response.status_code} {body[:500]!r}")
    return elapsed, data


def _wait_ready(client: httpx.Client, home: Path) -> None:
    """Wait until the run worker has loaded the code location."""
    _post(client, "{ assets { key } }")


def bench_graphql_10k() -> tuple[dict[str, Any], dict[str, Any]]:
    """Both 10k benchmarks on one server."""
    with served(LAYERED_10K, "layered_10k", materialized=True) as (client, _home):
        lineage_samples = []
        nodes = edges = 0
        first = 0.0
        for i in range(12):
            elapsed, data = _post(client, LINEAGE)
            if i == 0:
                first = elapsed  # statuses computed from the catalog, not the cache
            if i >= 2:
                lineage_samples.append(elapsed)
            lineage = data["data"]["lineage"]
            nodes, edges = len(lineage["nodes"]), len(lineage["edges"])
        upstream_samples = []
        found = 0
        for i in range(40):
            elapsed, data = _post(client, UPSTREAM)
            if i >= 5:
                upstream_samples.append(elapsed)
            found = len(data["data"]["asset"]["upstream"])
    lineage = summary(lineage_samples, scale=1000)
    upstream = summary(upstream_samples, scale=1000)
    return (
        {"value": lineage["median"], "unit": "ms", "budget": 150, "min": lineage["min"],
         "max": lineage["max"], "first_request_ms": round(first * 1000, 1), "nodes": nodes,
         "edges": edges, "requests": len(lineage_samples)},
        {"value": upstream["median"], "unit": "ms", "budget": 20, "min": upstream["min"],
         "max": upstream["max"], "upstream": found, "requests": len(upstream_samples)},
    )  # fmt: skip


_cache: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}


def bench_graphql_lineage_10k() -> dict[str, Any]:
    """``graphql_lineage_10k``: median ms of the whole-graph lineage query."""
    if "10k" not in _cache:
        _cache["10k"] = bench_graphql_10k()
    return _cache["10k"][0]


def bench_graphql_upstream_10k() -> dict[str, Any]:
    """``graphql_upstream_10k``: median ms of one asset's upstream, depth 3."""
    if "10k" not in _cache:
        _cache["10k"] = bench_graphql_10k()
    return _cache["10k"][1]


def bench_launch_latency() -> dict[str, Any]:
    """``launch_latency``: median ms from sending ``materialize`` to the first asset
    function starting."""
    samples = []
    with served(LAUNCH, "launch") as (client, home):
        marker = home / "first_started"
        for i in range(13):
            marker.unlink(missing_ok=True)
            sent = time.time()
            _, data = _post(client, MATERIALIZE)
            run_id = data["data"]["materialize"]["id"]
            deadline = time.monotonic() + 60
            while not marker.exists() or not marker.read_text():
                if time.monotonic() > deadline:
                    raise RuntimeError("the first asset never started")
                time.sleep(0.0005)
            started = float(marker.read_text())
            if i >= 3:
                samples.append(started - sent)
            query = f'{{ run(id: "{run_id}") {{ status }} }}'
            while _post(client, query)[1]["data"]["run"]["status"] not in ("SUCCESS", "FAILURE"):
                time.sleep(0.01)
    stats = summary(samples, scale=1000)
    return {
        "value": stats["median"],
        "unit": "ms",
        "budget": 100,
        "min": stats["min"],
        "max": stats["max"],
        "mean": round(statistics.mean(samples) * 1000, 2),
        "runs": len(samples),
    }


def _warm_figures(
    client: httpx.Client, query: str, budget: float, requests: int = 40
) -> dict[str, Any]:
    """Median ms of ``query`` after a warm-up; the first answer (computed, not served
    from the response cache) in the details."""
    first, data = _post(client, query)
    samples = []
    for i in range(requests + 5):
        elapsed, data = _post(client, query)
        if i >= 5:
            samples.append(elapsed)
    stats = summary(samples, scale=1000)
    return {"value": stats["median"], "unit": "ms", "budget": budget, "min": stats["min"],
            "max": stats["max"], "first_ms": round(first * 1000, 1),
            "assets": len(data["data"]["assets"]), "requests": len(samples)}  # fmt: skip


def _throughput(port: int, query: str, clients: int, seconds: float) -> dict[str, Any]:
    """Requests per second and latency percentiles of ``clients`` concurrent
    clients, each sending ``query`` again as soon as it has the whole answer."""
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(clients + 1)
    stop_at = [0.0]

    def client_loop() -> None:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
            mine: list[float] = []
            start.wait()
            while time.perf_counter() < stop_at[0]:
                # Checked, not parsed: the clients share the server's two cores.
                t = time.perf_counter()
                try:
                    response = client.post("/graphql", json={"query": query})
                    body = response.content
                except httpx.TransportError as e:
                    body, response = str(e).encode(), None
                elapsed = time.perf_counter() - t
                if response is None or response.status_code != 200 or b'"errors":' in body:
                    with lock:
                        failures.append(body[:200].decode(errors="replace"))
                    continue
                mine.append(elapsed)
            with lock:
                latencies.extend(mine)

    threads = [threading.Thread(target=client_loop) for _ in range(clients)]
    for t in threads:
        t.start()
    began = time.perf_counter()
    stop_at[0] = began + seconds
    start.wait()
    for t in threads:
        t.join()
    took = time.perf_counter() - began
    ordered = sorted(latencies)

    def pct(p: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000, 1)

    return {"value": round(len(ordered) / took, 1), "unit": "req/s", "budget": 150,
            "p50_ms": pct(0.50), "p99_ms": pct(0.99), "p99_budget_ms": 200,
            "max_ms": round(ordered[-1] * 1000, 1), "requests": len(ordered),
            "failures": len(failures), "concurrency": clients, "seconds": seconds}  # fmt: skip


def bench_graphql_2k() -> dict[str, dict[str, Any]]:
    """The three 2,000-asset API benchmarks on one server (every asset materialized)."""
    with served(LAYERED_2K, "layered_2k", materialized=True) as (client, _home):
        assets = _warm_figures(client, ASSETS, 15)
        status = _warm_figures(client, ASSETS_STATUS, 30)
        port = int(str(client.base_url).rsplit(":", 1)[1].strip("/"))
        throughput = _throughput(port, ASSETS_STATUS, clients=8, seconds=10)
    throughput["within_p99_budget"] = throughput["p99_ms"] <= throughput["p99_budget_ms"]
    return {"assets": assets, "status": status, "throughput": throughput}


def bench_graphql_assets_2k() -> dict[str, Any]:
    """``graphql_assets_2k``: median ms of ``assets { key upstream { key } }``."""
    if "2k" not in _cache2k:
        _cache2k["2k"] = bench_graphql_2k()
    return _cache2k["2k"]["assets"]


def bench_graphql_assets_status_2k() -> dict[str, Any]:
    """``graphql_assets_status_2k``: median ms of the status query, all materialized."""
    if "2k" not in _cache2k:
        _cache2k["2k"] = bench_graphql_2k()
    return _cache2k["2k"]["status"]


def bench_graphql_throughput_2k() -> dict[str, Any]:
    """``graphql_throughput_2k``: requests per second of the status query at
    concurrency 8 for 10 s (p99 latency in the details)."""
    if "2k" not in _cache2k:
        _cache2k["2k"] = bench_graphql_2k()
    return _cache2k["2k"]["throughput"]


_cache2k: dict[str, dict[str, dict[str, Any]]] = {}


def bench_graphql_first_lineage_10k(starts: int = 3) -> dict[str, Any]:
    """``graphql_first_lineage_10k``: ms of the first whole-graph lineage query once
    the server is ready, median over ``starts`` server starts on one catalog."""
    work = prepared(LAYERED_10K, "layered_10k", materialized=True)
    samples = []
    for _ in range(starts):
        with served(LAYERED_10K, "layered_10k", work=work) as (client, _home):
            samples.append(_post(client, LINEAGE)[0])
    stats = summary(samples, scale=1000)
    return {"value": stats["median"], "unit": "ms", "budget": 100, "min": stats["min"],
            "max": stats["max"], "starts": starts}  # fmt: skip


def bench_server_ready_2k(spawns: int = 5) -> dict[str, Any]:
    """``server_ready_2k``: seconds from spawning ``assetline ui`` to the answer of
    ``assets { key upstream { key } }`` over 2,000 assets, median over ``spawns``."""
    return _server_ready(LAYERED_2K, "layered_2k", budget=0.5, spawns=spawns)


def bench_server_ready_10k(spawns: int = 3) -> dict[str, Any]:
    """``server_ready_10k``: the same over 10,000 assets (100 layers x 100)."""
    return _server_ready(LAYERED_10K, "layered_10k", budget=1.5, spawns=spawns)


def _server_ready(source: str, name: str, budget: float, spawns: int) -> dict[str, Any]:
    """Median seconds from spawning ``assetline ui`` on ``source`` (all materialized)
    to the answer of ``ASSETS``, over ``spawns`` spawns after a warm-up spawn."""
    work = prepared(source, name, materialized=True)
    location, home = work / f"{name}.py", work / "home"
    samples: list[float] = []
    cpu: list[float | None] = []  # the server's CPU seconds when it answered
    for spawn in range(spawns + 1):  # the first spawn is the warm-up
        port = _free_port()
        env = {**os.environ, "ASSETLINE_HOME": str(home), "PYTHONPATH": str(ROOT)}
        env.pop("ASSETLINE_CATALOG_URL", None)
        env.pop("ASSETLINE_AUTH_TOKENS", None)
        # An installed server imports cached bytecode (pip compiles it); the warm-up
        # spawn writes it for this tree and the code location, as a first start would.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        argv = [sys.executable, "-m", "assets_ui.cli", "-f", str(location), "--port", str(port)]
        spawned = time.perf_counter()
        proc = subprocess.Popen([*argv, "--log-level", "warning"], env=env, cwd=work)
        try:
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
                while True:
                    try:
                        _post(client, ASSETS)
                        break
                    except httpx.TransportError:
                        if proc.poll() is not None:
                            raise RuntimeError("assetline ui exited") from None
                        time.sleep(0.002)
            if spawn:
                samples.append(time.perf_counter() - spawned)
                cpu.append(_process_cpu_s(proc.pid))
        finally:
            proc.terminate()
            proc.wait(30)
    stats = summary(samples)
    measured = [c for c in cpu if c is not None]
    server_cpu = round(statistics.median(measured), 3) if measured else None
    return {"value": stats["median"], "unit": "s", "budget": budget, "min": stats["min"],
            "max": stats["max"], "spawns": spawns, "server_cpu_s": server_cpu}  # fmt: skip


def _process_cpu_s(pid: int) -> float | None:
    """User + system CPU seconds of process ``pid`` so far (Linux ``/proc``; else None)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


BENCHMARKS = {
    "graphql_lineage_10k": bench_graphql_lineage_10k,
    "graphql_upstream_10k": bench_graphql_upstream_10k,
    "launch_latency": bench_launch_latency,
    "graphql_assets_2k": bench_graphql_assets_2k,
    "graphql_assets_status_2k": bench_graphql_assets_status_2k,
    "graphql_throughput_2k": bench_graphql_throughput_2k,
    "graphql_first_lineage_10k": bench_graphql_first_lineage_10k,
    "server_ready_2k": bench_server_ready_2k,
    "server_ready_10k": bench_server_ready_10k,
}
