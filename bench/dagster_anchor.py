"""The Dagster anchor for the API benchmarks (issue 17): the same 2,000-asset graph
(20 layers x 100, two parents each) served by ``dagster-webserver``, measured the way
``bench_api`` measures Assetline. Dagster is not a dependency: run this with the
Python of a scratch virtualenv that has ``dagster`` and ``dagster-webserver``::

    python -m venv /tmp/dagster-venv
    /tmp/dagster-venv/bin/pip install 'dagster==1.13.*' 'dagster-webserver==1.13.*'
    /tmp/dagster-venv/bin/python bench/dagster_anchor.py

It prints one JSON line per figure: ``server_ready_2k`` (spawn -> the asset nodes
with their upstream keys answered) and ``graphql_assets_2k`` (that query, warm).
"""

from __future__ import annotations

import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

SOURCE = """
import random
from dagster import AssetKey, Definitions, asset

rng = random.Random(0)
assets = []
for layer in range(20):
    for i in range(100):
        ups = rng.sample(range(100), 2) if layer else []
        deps = [AssetKey([f"l{layer - 1}", f"a_{layer - 1}_{j}"]) for j in ups]

        def compute():
            return None

        key = AssetKey([f"l{layer}", f"a_{layer}_{i}"])
        assets.append(asset(key=key, deps=deps, group_name=f"g{layer // 5}")(compute))

defs = Definitions(assets=assets)
"""
QUERY = "{ assetNodes { assetKey { path } dependencyKeys { path } } }"


def _post(port: int) -> tuple[float, int]:
    body = json.dumps({"query": QUERY}).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql", body, {"content-type": "application/json"}
    )
    t = time.perf_counter()
    with urllib.request.urlopen(request, timeout=120) as response:
        data = json.loads(response.read())
    return time.perf_counter() - t, len(data["data"]["assetNodes"])


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="dagster-anchor-"))
    (work / "defs_2k.py").write_text(SOURCE)
    spawns, warm = [], []
    for attempt in range(3):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        env = {**os.environ, "DAGSTER_HOME": str(work)}
        bin_dir = Path(sys.executable).parent
        argv = [str(bin_dir / "dagster-webserver"), "-f", str(work / "defs_2k.py"), "-p", str(port)]
        started = time.perf_counter()
        proc = subprocess.Popen(
            argv, env=env, cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            while True:
                try:
                    _post(port)
                    break
                except OSError:
                    time.sleep(0.01)
            spawns.append(time.perf_counter() - started)
            if attempt == 0:
                for i in range(25):
                    elapsed, n = _post(port)
                    if i >= 5:
                        warm.append(elapsed)
        finally:
            proc.terminate()
            proc.wait(60)
    print(
        json.dumps(
            {
                "name": "dagster server_ready_2k",
                "median_s": round(statistics.median(spawns), 3),
                "min_s": round(min(spawns), 3),
                "max_s": round(max(spawns), 3),
            }
        )
    )
    print(
        json.dumps(
            {
                "name": "dagster graphql_assets_2k",
                "assets": n,
                "median_ms": round(statistics.median(warm) * 1000, 1),
                "min_ms": round(min(warm) * 1000, 1),
                "max_ms": round(max(warm) * 1000, 1),
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
