"""``assetline ui --workers N``: several server processes on one port, and what
crosses between them — runs launched by one and canceled or followed by another,
statuses, reloads — behaves as with one process."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.sync.client import connect

from tests.ui.conftest import FINISHED, UI_LOCATION
from tests.ui.test_reload import EXTRA

pytestmark = pytest.mark.slow


@dataclass
class Workers:
    proc: subprocess.Popen[bytes]
    port: int
    home: Path
    location: Path

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=f"http://127.0.0.1:{self.port}", timeout=60)

    def by_worker(self, count: int = 2) -> dict[int, httpx.Client]:
        """One kept-alive client per server process (found by asking /healthz)."""
        found: dict[int, httpx.Client] = {}
        for _ in range(200):
            client = self.client()
            pid = client.get("/healthz").json()["pid"]
            if pid in found:
                client.close()
            else:
                found[pid] = client
            if len(found) == count:
                return found
        raise AssertionError(f"only {len(found)} server processes answered")


def _data(client: httpx.Client, query: str, **variables: Any) -> dict[str, Any]:
    body = client.post("/graphql", json={"query": query, "variables": variables}).json()
    assert not body.get("errors"), body
    data: dict[str, Any] = body["data"]
    return data


def _wait(client: httpx.Client, run_id: str, statuses: tuple[str, ...]) -> str:
    deadline = time.monotonic() + 60
    while True:
        status: str = _data(client, f'{{ run(id: "{run_id}") {{ status }} }}')["run"]["status"]
        if status in statuses:
            return status
        assert time.monotonic() < deadline, f"run {run_id} still {status}"
        time.sleep(0.05)


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[Workers]:
    location = tmp_path / "ui_workers.py"
    location.write_text(UI_LOCATION.read_text())
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    home = tmp_path / "home"
    env = {**os.environ, "ASSETLINE_HOME": str(home)}
    env.pop("ASSETLINE_CATALOG_URL", None)
    env.pop("ASSETLINE_AUTH_TOKENS", None)
    argv = [sys.executable, "-m", "assets_ui.cli", "-f", str(location), "--port", str(port)]
    proc = subprocess.Popen([*argv, "--workers", "2", "--log-level", "warning"], env=env)
    server = Workers(proc, port, home, location)
    deadline = time.monotonic() + 120
    with server.client() as client:
        while True:
            try:
                if client.get("/healthz").json().get("worker_pid"):
                    break
            except httpx.TransportError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, "server did not start"
            time.sleep(0.1)
    yield server
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(60) == 0


def test_runs_statuses_and_reloads_cross_workers(workers: Workers) -> None:
    one, other = workers.by_worker().values()
    # A run launched through one worker, followed and canceled through the other.
    launch = """mutation($c: JSON) { materialize(selection: "slow", config: $c) { id } }"""
    run_id = _data(one, launch, c={"slow": {"seconds": 60}})["materialize"]["id"]
    _wait(other, run_id, ("STARTED",))
    while not (workers.home / "started_slow").exists():
        time.sleep(0.05)
    started = time.monotonic()
    _data(other, f'mutation {{ cancelRun(id: "{run_id}") {{ status }} }}')
    assert _wait(one, run_id, FINISHED) == "CANCELED"
    assert time.monotonic() - started < 30  # signalled, not left to run its 60 s
    # A run through one worker: the other's statuses and subscription see it.
    status = '{ asset(key: "raw_orders") { status } }'
    assert _data(other, status)["asset"]["status"] == "MISSING"
    run_id = _data(one, 'mutation { materialize(selection: "raw_orders") { id } }')
    run_id = run_id["materialize"]["id"]
    events = _subscribe(workers.port, other, run_id)
    assert events[-1] == "RUN_SUCCESS"
    assert _data(other, status)["asset"]["status"] == "FRESH"
    # A reload through one worker: the other serves the new definitions at once.
    workers.location.write_text(workers.location.read_text() + EXTRA)
    assert _data(one, "mutation { reload }")["reload"] == 12
    assert _data(other, '{ asset(key: "added_later") { key } }')["asset"] == {"key": "added_later"}
    assert other.get("/healthz").json()["generation"] == 2
    # The worker that reloaded does not reload again for its own announcement.
    time.sleep(1.0)
    assert [c.get("/healthz").json()["generation"] for c in (one, other)] == [2, 2]


def _subscribe(port: int, client: httpx.Client, run_id: str) -> list[str]:
    del client  # a websocket is a connection of its own, to whichever worker
    query = "subscription($id: String!) { runEvents(runId: $id) { type } }"
    url = f"ws://127.0.0.1:{port}/graphql"
    types: list[str] = []
    with connect(url, subprotocols=["graphql-transport-ws"], open_timeout=10) as ws:  # type: ignore[list-item]
        ws.send(json.dumps({"type": "connection_init", "payload": {}}))
        assert json.loads(ws.recv(timeout=10))["type"] == "connection_ack"
        payload = {"query": query, "variables": {"id": run_id}}
        ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
        while True:
            message = json.loads(ws.recv(timeout=60))
            if message["type"] != "next":
                assert message["type"] == "complete", message
                return types
            types.append(message["payload"]["data"]["runEvents"]["type"])


def test_workers_must_be_a_positive_count(tmp_path: Path) -> None:
    argv = [sys.executable, "-m", "assets_ui.cli", "-f", str(UI_LOCATION), "--workers", "0"]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert done.returncode == 2
    assert "--workers 0 must be between 1 and 64" in done.stderr
