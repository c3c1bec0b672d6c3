"""Failure alerts (SPEC §12) against real HTTP receivers on loopback: a failed step and
a blocking check failure POST the documented JSON (or a Slack message); deliveries are
retried with backoff (the receiver fails the first two), recorded as run events, and a
webhook that never answers neither fails nor holds the run; the daemon alerts when an
asset goes OVERDUE."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from assets_core import Definitions, Freshness, asset, webhook
from assets_core.catalog.catalog import Catalog
from assets_core.errors import DefinitionError
from tests.automation.conftest import Clock, held_daemon
from tests.conftest import FIXTURES, Cli

LOCATION = FIXTURES / "engine_alerts.py"
RAISE_LINE = next(
    i for i, line in enumerate(LOCATION.read_text().splitlines(), 1) if "raise RuntimeError" in line
)


@dataclass
class Receiver:
    url: str
    fail_first: int
    posts: list[tuple[dict[str, str], Any]] = field(default_factory=list)
    answered: list[int] = field(default_factory=list)


@pytest.fixture
def receivers() -> Iterator[Any]:
    servers: list[ThreadingHTTPServer] = []

    def start(fail_first: int = 0) -> Receiver:
        lock = threading.Lock()
        receiver = Receiver("", fail_first)

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with lock:
                    code = 500 if len(receiver.answered) < receiver.fail_first else 200
                    receiver.answered.append(code)
                    if code == 200:
                        receiver.posts.append((dict(self.headers), body))
                self.send_response(code)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                return None

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
        return receiver

    yield start
    for s in servers:
        s.shutdown()
        s.server_close()


def _run_events(cli: Cli) -> tuple[str, list[dict[str, Any]]]:
    run_id = cli("runs", "--format", "json").json()["runs"][0]["id"]  # type: ignore[index]
    events = cli("run", run_id, "--format", "json").json()["events"]  # type: ignore[index]
    return str(run_id), list(events)


def test_failures_alert_with_retries_and_are_recorded(cli: Cli, receivers: Any) -> None:
    own = receivers(fail_first=2)
    team = receivers()
    env = {"ALERT_URL": own.url, "ALERT_SLACK_URL": team.url, "ASSETLINE_UI_URL": "http://ui:3000"}
    result = cli("materialize", "-f", LOCATION, env=env)
    assert result.returncode == 1, result
    run_id, events = _run_events(cli)

    assert own.answered == [500, 500, 200]  # retried with backoff until it went through
    [(headers, body)] = own.posts
    assert headers["X-Token"] == "t-1" and headers["Content-Type"] == "application/json"
    assert set(body) == {
        "kind", "asset", "partition", "run_id", "status", "error", "location", "timestamp", "url",
    }  # fmt: skip
    assert (body["kind"], body["asset"], body["run_id"], body["status"]) == (
        "step_failure",
        "boom",
        run_id,
        "FAILED",
    )
    assert "boom went off" in body["error"] and body["location"].endswith(
        f"engine_alerts.py:{RAISE_LINE}"
    )
    assert body["url"] == f"http://ui:3000/runs/{run_id}"

    texts = sorted(b["text"] for _, b in team.posts)  # Slack: both failures
    assert len(texts) == 2
    assert texts[0].startswith(":red_circle: *boom* FAILED in run " + run_id[:8])
    assert texts[1].startswith(":red_circle: *guarded* FAILED in run " + run_id[:8])
    assert "blocking check failed: guarded:positive" in texts[1]
    assert texts[1].endswith(f"<http://ui:3000/runs/{run_id}|Open in Assetline>")

    sent = [e for e in events if e["type"] == "ALERT_SENT"]
    assert sorted((e["asset"], e["message"].split(" (")[1]) for e in sent) == [
        ("boom", "1 attempt(s))"),
        ("boom", "3 attempt(s))"),
        ("guarded", "1 attempt(s))"),
    ]
    assert all("/hook" not in e["message"] for e in sent), "a hook's path is its secret"


def test_a_dead_webhook_neither_fails_nor_holds_the_run(cli: Cli) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}/hook"
    started = time.monotonic()
    result = cli(
        "materialize", "-f", LOCATION, "--select", "boom or calm",
        env={"ALERT_URL": dead, "ALERT_SLACK_URL": dead, "ALERT_ATTEMPTS": "2"},
    )  # fmt: skip
    assert result.returncode == 1, result  # boom failed; nothing else
    assert time.monotonic() - started < 30
    _, events = _run_events(cli)
    failed = [e for e in events if e["type"] == "ALERT_FAILED"]
    assert len(failed) == 2 and all(e["asset"] == "boom" for e in failed)
    assert any("failed after 2 attempt(s): URLError" in e["message"] for e in failed)


def test_overdue_assets_alert_from_the_daemon(
    catalog: Catalog, catalog_url: str, assetline_home: Path, receivers: Any
) -> None:
    from assets_core import materialize

    receiver = receivers(fail_first=1)

    @asset(freshness=Freshness(max_lag="1h"), on_failure=[webhook(receiver.url)])
    def stale() -> int:
        return 1

    defs = Definitions(assets=[stale])
    materialize(defs, catalog=catalog)
    clock = Clock("2030-01-01T00:00:00")
    daemon = held_daemon(defs, catalog, catalog_url, clock)
    daemon.run(once=True)
    assert receiver.answered == [500, 200]
    [(_, body)] = receiver.posts
    assert (body["kind"], body["asset"], body["status"], body["run_id"]) == (
        "freshness",
        "stale",
        "OVERDUE",
        None,
    )
    assert "stale is OVERDUE" in body["error"] and body["url"].endswith("/assets/stale")
    [delivered] = catalog.asset_events(type="ALERT_SENT")
    assert delivered.asset_key == "stale" and delivered.data["attempts"] == 2  # type: ignore[index]


def test_bad_webhooks_are_definition_errors() -> None:
    with pytest.raises(DefinitionError, match="must start with http"):
        webhook("ftp://x")
    with pytest.raises(DefinitionError, match='use "json" or "slack"'):
        webhook("http://x", format="xml")  # type: ignore[arg-type]
    with pytest.raises(DefinitionError, match="on_failure= holds 'http://x'"):

        @asset(on_failure=["http://x"])  # type: ignore[list-item]
        def hooked() -> int:
            return 1

    with pytest.raises(DefinitionError, match="attempts"):
        webhook("http://x", attempts=0)
