"""``ui_2000`` (SPEC §8, §14): a generated 2,000-asset code location served by a real
``assetline ui``, opened at ``/`` in headless Debian Chromium (Playwright).

One sample, in a fresh browser context (cold cache):

- ``render``: from navigation start to the graph drawn: the canvas reports every asset
  loaded (``data-node-count``), its first layout drawn and the view placed
  (``data-view-ready``), and the asset nodes inside the viewport are in the DOM (the UI
  renders only visible nodes). Read in the page on each animation frame; if more nodes
  appear in the frames just after, the last change counts.
- ``click``: a click on a visible node → it is shown selected (``data-selected``) and
  the side panel is open.

``value`` = median over several samples (after a warm-up) of render + click, in
seconds; budget 2. Details: ``render_s``, ``click_s``, ``nodes``, the drawn and DOM
node counts, and ``collapsed_10k``: the same for 10,000 assets, whose groups start
collapsed (one node per group; the click opens the group panel).

The location: 20 groups x 100 assets, each group 5 layers x 20; every asset has 2
parents in the layer before it (the first layer of a group reads the last layer of
the group before). Written to ``bench/.generated/`` (gitignored).
"""

from __future__ import annotations

import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from bench.harness import summary

ROOT = Path(__file__).resolve().parent.parent
GENERATED = Path(__file__).resolve().parent / ".generated"
STATIC = ROOT / "assets_ui" / "static"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1280, "height": 800}
BUDGET_S = 2.0
SAMPLES = 5
WARMUP = 1

LOCATION = '''\
"""{total} assets: {groups} groups x {per_group} ({layers} layers x {width}), 2 parents each."""
import random

from assets_core import asset
from assets_core.definitions.repository import Definitions

rng = random.Random(0)
GROUPS, LAYERS, WIDTH = {groups}, {layers}, {width}


def _fn(name):
    def compute():
        return None

    compute.__name__ = compute.__qualname__ = name
    return compute


def key(g, layer, i):
    return f"g{{g:02d}}/l{{layer}}_{{i:02d}}"


assets = []
for g in range(GROUPS):
    for layer in range(LAYERS):
        for i in range(WIDTH):
            if layer:
                parents = [key(g, layer - 1, j) for j in rng.sample(range(WIDTH), 2)]
            elif g:
                parents = [key(g - 1, LAYERS - 1, j) for j in rng.sample(range(WIDTH), 2)]
            else:
                parents = []
            k = key(g, layer, i)
            assets.append(asset(key=k, group=f"g{{g:02d}}", deps=parents)(_fn(k.replace("/", "_"))))

defs = Definitions(assets=assets)
'''

# Runs in the page on every animation frame from navigation start: records when the
# canvas became ready and each change of the number of drawn node elements.
PROBE = """
(() => {
  const log = { ready: null, changes: [] };
  window.__uiBench = log;
  let last = -1;
  const tick = () => {
    const canvas = document.querySelector('[data-testid="graph-canvas"]');
    const selector = window.__uiBenchSelector || '[data-testid^="graph-node-"]';
    const count = document.querySelectorAll(selector).length;
    const now = performance.now();
    if (count !== last) { log.changes.push([now, count]); last = count; }
    if (log.ready === null && canvas && canvas.dataset.viewReady === 'true' && count > 0) {
      log.ready = now;
    }
    if (!log.stop) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})();
"""


def _location_source(groups: int, layers: int, width: int) -> str:
    total = groups * layers * width
    return LOCATION.format(
        total=total, groups=groups, per_group=layers * width, layers=layers, width=width
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _ensure_built() -> None:
    if (STATIC / "index.html").is_file():
        return
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("assets_ui/static is not built and npm is missing (make install)")
    frontend = ROOT / "assets_ui" / "frontend"
    if not (frontend / "node_modules").is_dir():
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=frontend, check=True)
    subprocess.run([npm, "run", "build"], cwd=frontend, check=True)


@contextmanager
def _served(source: str, name: str) -> Iterator[str]:
    """Serve ``source`` as a code location with ``assetline ui``; yield its URL."""
    GENERATED.mkdir(exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=GENERATED))
    location = work / f"{name}.py"
    location.write_text(source)
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSETLINE_")}
    env["ASSETLINE_HOME"] = str(work / "home")
    argv = [sys.executable, "-m", "assets_core.cli.main", "ui", "-f", str(location)]
    argv += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=2).json().get("worker_pid"):
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"assetline ui did not start (exit code {proc.poll()})")
            time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
        shutil.rmtree(work, ignore_errors=True)


def _sample(browser: Any, url: str, expected: int, collapsed: bool) -> dict[str, Any]:
    """Open the graph in a fresh context; time the first render and a click."""
    selector = '[data-testid^="graph-group-"]' if collapsed else '[data-testid^="graph-node-"]'
    if collapsed:  # collapsed groups: count only the group nodes, not boxes or toggles
        selector = '[data-testid^="graph-group-"]:not([data-testid^="graph-group-box-"])'
    context = browser.new_context(viewport=VIEWPORT)
    try:
        page = context.new_page()
        page.add_init_script(f"window.__uiBenchSelector = {selector!r};" + PROBE)
        page.goto(url + "/", wait_until="commit")
        page.wait_for_function(
            "() => window.__uiBench && window.__uiBench.ready !== null", timeout=60_000
        )
        # A few more frames: if nodes were still being added, the last change counts.
        page.wait_for_timeout(300)
        log = page.evaluate("() => { window.__uiBench.stop = true; return window.__uiBench; }")
        canvas = page.get_by_test_id("graph-canvas")
        loaded = int(canvas.get_attribute("data-node-count") or 0)
        drawn = int(canvas.get_attribute("data-drawn-count") or 0)
        if loaded != expected:
            raise RuntimeError(f"the canvas reports {loaded} assets, expected {expected}")
        ready = float(log["ready"])
        changes = [(float(t), int(n)) for t, n in log["changes"]]
        settled = max([t for t, _ in changes if t <= ready + 300] + [ready])
        dom_nodes = changes[-1][1]

        # Click a node near the middle of the viewport.
        target = page.evaluate(
            """(selector) => {
              const cx = innerWidth / 2, cy = innerHeight / 2;
              let best = null, bestD = Infinity;
              for (const el of document.querySelectorAll(selector)) {
                const r = el.getBoundingClientRect();
                if (r.width < 20 || r.top < 110 || r.bottom > innerHeight - 60) continue;
                const d = Math.hypot(r.x + r.width / 2 - cx, r.y + r.height / 2 - cy);
                if (d >= bestD) continue;
                bestD = d;
                best = { id: el.dataset.testid, x: r.x + r.width / 2, y: r.y + r.height / 2 };
              }
              return best;
            }""",
            selector,
        )
        if target is None:
            raise RuntimeError("no node inside the viewport to click")
        panel = "group-panel" if collapsed else "asset-panel"
        page.evaluate("() => { window.__uiClickStart = performance.now(); }")
        page.mouse.click(target["x"], target["y"])
        answered = page.wait_for_function(
            """([id, panel]) => {
              const el = document.querySelector(`[data-testid="${id}"]`);
              return el && el.dataset.selected === 'true'
                && document.querySelector(`[data-testid="${panel}"]`)
                ? performance.now() - window.__uiClickStart : null;
            }""",
            arg=[target["id"], panel],
            polling="raf",
            timeout=30_000,
        ).json_value()
        return {
            "render_s": settled / 1000,
            "click_s": float(answered) / 1000,
            "nodes": loaded,
            "drawn": drawn,
            "dom_nodes": dom_nodes,
        }
    finally:
        context.close()


def _measure(browser: Any, groups: int, layers: int, width: int, samples: int) -> dict[str, Any]:
    total = groups * layers * width
    collapsed = total > 2500  # the UI collapses every group above 2,500 assets
    with _served(_location_source(groups, layers, width), f"ui_{total}") as url:
        results = [_sample(browser, url, total, collapsed) for _ in range(WARMUP + samples)]
    measured = results[WARMUP:]
    totals = [r["render_s"] + r["click_s"] for r in measured]
    render = summary([r["render_s"] for r in measured])
    click = summary([r["click_s"] for r in measured])
    return {
        "value": round(statistics.median(totals), 3),
        "render_s": render["median"],
        "click_s": click["median"],
        "total_min": round(min(totals), 3),
        "total_max": round(max(totals), 3),
        "render_max": render["max"],
        "click_max": click["max"],
        "nodes": total,
        "drawn": measured[-1]["drawn"],
        "dom_nodes": measured[-1]["dom_nodes"],
        "samples": len(measured),
    }


def bench_ui_2000() -> dict[str, Any]:
    """``ui_2000``: median seconds for 2,000 assets rendered + a click answered."""
    if not Path(CHROMIUM).is_file():
        raise RuntimeError(f"{CHROMIUM} is missing: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    _ensure_built()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            main = _measure(browser, groups=20, layers=5, width=20, samples=SAMPLES)
            big = _measure(browser, groups=20, layers=10, width=50, samples=3)
        finally:
            browser.close()
    big_detail = {k: big[k] for k in ("value", "render_s", "click_s", "nodes", "drawn")}
    return {
        **main,
        "unit": "s",
        "budget": BUDGET_S,
        "collapsed_10k": big_detail,
    }


BENCHMARKS = {"ui_2000": bench_ui_2000}
