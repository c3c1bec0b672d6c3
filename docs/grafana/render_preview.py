"""Render ``docs/grafana/assetline-dashboard.png``: the panels of
``assetline-dashboard.json`` drawn from ONE real scrape of ``/metrics``.

It is an HTML mock, not Grafana: it runs the example project (two days, then two runs
of one day each), a run of the alert fixture (two failures; its webhook fails the first
delivery), ``assetline daemon --once`` (the automation tick), serves
it with ``assetline ui``, scrapes ``/metrics`` once, draws each panel from the scraped
values (a single scrape has no history: the duration panels show the histogram's
buckets and the quantiles computed from them) and screenshots it with Chromium.

    .venv/bin/python docs/grafana/render_preview.py
"""

from __future__ import annotations

import html
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families

ROOT = Path(__file__).resolve().parents[2]
OUT = Path(__file__).with_name("assetline-dashboard.png")
ASSETLINE = str(Path(sys.executable).with_name("assetline"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _receiver() -> str:
    """A webhook receiver that fails its first delivery."""
    seen: list[int] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            seen.append(1)
            self.send_response(500 if len(seen) == 1 else 204)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}/hook"


def scrape(home: Path) -> str:
    env = {**os.environ, "ASSETLINE_HOME": str(home)}
    env.pop("ASSETLINE_CATALOG_URL", None)

    def run(*args: str, extra: dict[str, str] | None = None) -> None:
        subprocess.run([ASSETLINE, *args], cwd=ROOT, env={**env, **(extra or {})},
                       check=False, capture_output=True, timeout=600)  # fmt: skip

    run("materialize", "--select", "*", "--from", "2024-01-01", "--to", "2024-01-02")
    for day in ("2024-01-03", "2024-01-04"):
        run("materialize", "--select", "*", "--partition", day)
    hook = _receiver()
    alerts = str(ROOT / "tests" / "fixtures" / "engine_alerts.py")
    run("materialize", "-f", alerts, extra={"ALERT_URL": hook, "ALERT_SLACK_URL": hook})
    run("daemon", "--once")
    port = _free_port()
    ui = subprocess.Popen([ASSETLINE, "ui", "--port", str(port)], cwd=ROOT, env=env,
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                return httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
    finally:
        ui.terminate()
        ui.wait(30)


def samples(text: str) -> dict[str, list[tuple[dict[str, str], float]]]:
    out: dict[str, list[tuple[dict[str, str], float]]] = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out.setdefault(s.name, []).append((dict(s.labels), s.value))
    return out


def quantile(buckets: list[tuple[float, float]], q: float) -> float:
    """Prometheus' histogram_quantile over cumulative (le, count) buckets."""
    total = buckets[-1][1]
    if total == 0:
        return 0.0
    rank, prev_le, prev_n = q * total, 0.0, 0.0
    for le, n in buckets:
        if n >= rank:
            if le == float("inf"):
                return prev_le
            return prev_le + (le - prev_le) * (rank - prev_n) / max(n - prev_n, 1e-9)
        prev_le, prev_n = le, n
    return prev_le


def bars(rows: list[tuple[str, float, str]], maximum: float, fmt: str = "{:g}") -> str:
    cells = []
    for label, value, color in rows:
        width = 0 if maximum <= 0 else min(100.0, 100.0 * value / maximum)
        cells.append(
            f'<div class="row"><span class="lbl">{html.escape(label)}</span>'
            f'<span class="bar"><i style="width:{width:.1f}%;background:{color}"></i></span>'
            f'<span class="val">{html.escape(fmt.format(value))}</span></div>'
        )
    return "".join(cells) or '<div class="none">no data</div>'


def page(m: dict[str, list[tuple[dict[str, str], float]]]) -> str:
    colors = {"SUCCESS": "#73bf69", "FAILURE": "#f2495c", "CANCELED": "#8e8e8e",
              "QUEUED": "#5794f2", "STARTED": "#5794f2", "CANCELING": "#ff9830"}  # fmt: skip
    runs = [(d["status"], v, colors.get(d["status"], "#5794f2")) for d, v in m["assetline_runs"]]
    queue = m["assetline_run_queue_depth"][0][1]
    daemon = m["assetline_daemon_up"][0][1]
    failed = sum(v for d, v in m["assetline_runs"] if d["status"] == "FAILURE")
    alerts = [(f'{d["result"]} {d["kind"]}', v, "#73bf69" if d["result"] == "sent" else "#f2495c")
              for d, v in m.get("assetline_alert_deliveries", [])]  # fmt: skip
    steps = [(float(d["le"]), v) for d, v in m["assetline_step_duration_seconds_bucket"]]
    p50, p95 = quantile(steps, 0.5), quantile(steps, 0.95)
    per_bucket, prev = [], 0.0
    for le, n in steps:
        per_bucket.append((f"≤ {le:g}s" if le != float("inf") else "> 3600s", n - prev, "#5794f2"))
        prev = n
    limits = {d["asset"]: v for d, v in m["assetline_asset_freshness_max_lag_seconds"]}
    lags = []
    for d, v in m["assetline_asset_freshness_lag_seconds"]:
        ratio = v / limits[d["asset"]]
        color = "#f2495c" if ratio >= 1 else "#ff9830" if ratio >= 0.8 else "#73bf69"
        lags.append((d["asset"], ratio, color))
    ticks: dict[str, list[tuple[float, float]]] = {}
    for d, v in m.get("assetline_tick_duration_seconds_bucket", []):
        ticks.setdefault(d["kind"], []).append((float(d["le"]), v))
    tick_rows = [(k, quantile(b, 0.95), "#b877d9") for k, b in sorted(ticks.items())]
    failures = [(d["kind"], v, "#f2495c") for d, v in m.get("assetline_recent_ticks", [])
                if d["status"] == "FAILURE"]  # fmt: skip
    stat = lambda title, value, color: (  # noqa: E731
        f'<div class="panel stat" style="background:{color}"><h3>{title}</h3><b>{value}</b></div>'
    )
    return f"""<!doctype html><html><head><meta charset="utf-8"><style>
body{{margin:0;background:#111217;color:#ccccdc;font:13px Inter,Helvetica,Arial,sans-serif}}
header{{padding:10px 16px;font-size:17px;color:#fff;border-bottom:1px solid #2c3235}}
.grid{{display:grid;grid-template-columns:repeat(24,1fr);grid-auto-rows:40px;gap:8px;padding:8px}}
.panel{{background:#181b1f;border:1px solid #2c3235;border-radius:3px;padding:8px 10px;
  overflow:hidden}}
.panel h3{{margin:0 0 8px;font-size:13px;color:#ccccdc;font-weight:500}}
.stat{{display:flex;flex-direction:column;justify-content:space-between;color:#fff}}
.stat h3{{color:#fff}} .stat b{{font-size:34px}}
.row{{display:grid;grid-template-columns:minmax(60px,170px) minmax(40px,1fr) 48px;gap:8px;
  align-items:center;margin:5px 0}}
.lbl{{white-space:nowrap;overflow:hidden;text-overflow:ellipsis}} .val{{text-align:right}}
.bar{{background:#22252b;height:14px;border-radius:2px}} .bar i{{display:block;height:100%}}
.note{{color:#8e8e8e;font-size:11px;margin-top:4px}} .none{{color:#8e8e8e}}
</style></head><body><header>Assetline <span class="note">— one scrape of /metrics, drawn
like docs/grafana/assetline-dashboard.json</span></header><div class="grid">
<div class="panel" style="grid-column:1/9;grid-row:1/5"><h3>Runs by status</h3>
{bars(runs, max((v for _, v, _ in runs), default=1))}</div>
<div style="grid-column:9/13;grid-row:1/3">{stat("Queue depth", f"{queue:g}", "#1f60c4")}</div>
<div style="grid-column:13/17;grid-row:1/3">{
        stat("Daemon up", "UP" if daemon else "DOWN", "#37872d" if daemon else "#8e8e8e")
    }</div>
<div style="grid-column:9/13;grid-row:3/5">{stat("Failed runs", f"{failed:g}", "#c4162a")}</div>
<div class="panel" style="grid-column:13/17;grid-row:3/5"><h3>Alert deliveries</h3>
{bars(alerts, max((v for _, v, _ in alerts), default=1))}</div>
<div class="panel" style="grid-column:17/25;grid-row:1/5"><h3>Step durations, latest 200 runs
(p50 {p50:.3f}s, p95 {p95:.3f}s)</h3>{bars(per_bucket[:7], max(n for _, n, _ in per_bucket))}</div>
<div class="panel" style="grid-column:1/13;grid-row:5/9"><h3>Freshness lag / limit per asset</h3>
{bars(lags, 1.5, "{:.0%}")}</div>
<div class="panel" style="grid-column:13/19;grid-row:5/9"><h3>Tick duration p95 by kind</h3>
{bars(tick_rows, max((v for _, v, _ in tick_rows), default=1), "{:.3f}s")}</div>
<div class="panel" style="grid-column:19/25;grid-row:5/9"><h3>Tick failures</h3>
{bars(failures, max((v for _, v, _ in failures), default=1))}</div>
</div></body></html>"""


def main() -> None:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        text = scrape(Path(tmp) / "home")
    (OUT.with_suffix(".metrics.txt")).write_text(text)
    doc = page(samples(text))
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )  # fmt: skip
        tab = browser.new_page(viewport={"width": 1400, "height": 430})
        tab.set_content(doc)
        tab.screenshot(path=str(OUT), full_page=True)
        browser.close()
    print(json.dumps({"png": str(OUT), "metrics": str(OUT.with_suffix(".metrics.txt"))}))


if __name__ == "__main__":
    main()
