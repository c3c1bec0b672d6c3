"""``/metrics`` of a real server after runs that failed and alerted: runs by status,
step durations, queue depth, alert deliveries by result and kind."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.ui.conftest import FIXTURES, UiServer, start_server


class _Ok(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        return None


@pytest.fixture
def alerting_server(tmp_path: Path) -> Iterator[UiServer]:
    receiver = ThreadingHTTPServer(("127.0.0.1", 0), _Ok)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{receiver.server_address[1]}/hook"
    saved = {k: os.environ.get(k) for k in ("ALERT_URL", "ALERT_SLACK_URL")}
    os.environ["ALERT_URL"] = url
    os.environ["ALERT_SLACK_URL"] = "http://127.0.0.1:9/dead"  # nobody listens on 9
    ui = start_server(tmp_path / "home", file=FIXTURES / "engine_alerts.py")
    try:
        yield ui
    finally:
        ui.close()
        receiver.shutdown()
        receiver.server_close()
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def test_metrics_count_runs_steps_and_alert_deliveries(alerting_server: UiServer) -> None:
    ui = alerting_server
    assert ui.wait_run(ui.materialize("boom"), timeout=90)["status"] == "FAILURE"
    assert ui.wait_run(ui.materialize("calm"))["status"] == "SUCCESS"
    text = ui.client.get("/metrics").text
    assert 'assetline_runs{status="FAILURE"} 1.0' in text
    assert 'assetline_runs{status="SUCCESS"} 1.0' in text
    assert "assetline_run_queue_depth 0.0" in text
    assert 'assetline_step_duration_seconds_bucket{le="+Inf"} 2.0' in text
    assert 'assetline_alert_deliveries{kind="step_failure",result="sent"} 1.0' in text
    # The dead webhook's alert is recorded after its last attempt, after the run ended.
    failed = 'assetline_alert_deliveries{kind="step_failure",result="failed"} 1.0'
    deadline = time.monotonic() + 30
    while failed not in text:
        assert time.monotonic() < deadline, text
        time.sleep(0.2)
        text = ui.client.get("/metrics").text
