"""Fixtures for the UI server tests: a real uvicorn server on a free loopback port,
an httpx client, a graphql-transport-ws client, and SQLite or PostgreSQL catalogs.

PostgreSQL runs when ``ASSETLINE_TEST_POSTGRES_URL`` is set (e.g.
``postgresql+psycopg://postgres@127.0.0.1:5432/test``): the session creates a fresh
database there, each server gets its own schema in it, and the database is dropped at
the end.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from websockets.sync.client import connect

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
UI_LOCATION = FIXTURES / "ui_location.py"
FINISHED = ("SUCCESS", "FAILURE", "CANCELED")


@dataclass
class UiServer:
    """A running server and clients for it."""

    app: Any
    server: uvicorn.Server
    thread: threading.Thread
    port: int
    home: Path
    client: httpx.Client = field(init=False)

    def __post_init__(self) -> None:
        self.client = httpx.Client(base_url=self.url, timeout=30)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def state(self) -> Any:
        return self.app.state.assetline

    def post(
        self, query: str, variables: dict[str, Any] | None = None, **kw: Any
    ) -> httpx.Response:
        return self.client.post(
            "/graphql", json={"query": query, "variables": variables or {}}, **kw
        )

    def gql(self, query: str, **variables: Any) -> dict[str, Any]:
        """The JSON body of a POSTed operation (HTTP 200 asserted)."""
        response = self.post(query, variables)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def data(self, query: str, **variables: Any) -> dict[str, Any]:
        """The data of an operation that must not fail."""
        body = self.gql(query, **variables)
        assert not body.get("errors"), body["errors"]
        data: dict[str, Any] = body["data"]
        return data

    def error(self, query: str, **variables: Any) -> dict[str, Any]:
        """The first error of an operation that must fail."""
        body = self.gql(query, **variables)
        assert body.get("errors"), body
        error: dict[str, Any] = body["errors"][0]
        return error

    def materialize(self, selection: str, **variables: Any) -> str:
        mutation = """mutation($s: String!, $p: [String!], $c: JSON, $t: JSON) {
            materialize(selection: $s, partitions: $p, config: $c, tags: $t) { id status } }"""
        data = self.data(mutation, s=selection, **variables)
        run = data["materialize"]
        assert run["status"] == "QUEUED"
        return str(run["id"])

    def wait_run(self, run_id: str, timeout: float = 60) -> dict[str, Any]:
        """Poll until the run ended; its id, status and steps."""
        query = """query($id: String!) { run(id: $id) {
            id status steps { asset partition status attempts error { message } } } }"""
        deadline = time.monotonic() + timeout
        while True:
            run: dict[str, Any] = self.data(query, id=run_id)["run"]
            if run["status"] in FINISHED:
                return run
            assert time.monotonic() < deadline, f"run {run_id} still {run['status']}"
            time.sleep(0.05)

    def subscribe(
        self,
        query: str,
        variables: dict[str, Any],
        timeout: float = 60,
        params: dict[str, Any] | None = None,
    ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        """Run a subscription over graphql-transport-ws to its end: the ``next``
        payloads, and the closing message (``complete`` or ``error``)."""
        url = f"ws://127.0.0.1:{self.port}/graphql"
        with connect(url, subprotocols=["graphql-transport-ws"], open_timeout=10) as ws:  # type: ignore[list-item]
            ws.send(json.dumps({"type": "connection_init", "payload": params or {}}))
            ack = json.loads(ws.recv(timeout=10))
            assert ack["type"] == "connection_ack", ack
            ws.send(json.dumps({"id": "1", "type": "subscribe",
                                "payload": {"query": query, "variables": variables}}))  # fmt: skip
            received: list[dict[str, Any]] = []
            deadline = time.monotonic() + timeout
            while True:
                message = json.loads(ws.recv(timeout=max(deadline - time.monotonic(), 0.1)))
                if message["type"] == "next":
                    received.append(message["payload"])
                elif message["type"] in ("complete", "error"):
                    return received, message

    def close(self) -> None:
        self.client.close()
        self.server.should_exit = True
        self.thread.join(30)


def start_server(
    home: Path, file: Path = UI_LOCATION, catalog_url: str | None = None, **kw: Any
) -> UiServer:
    """Create the app and serve it with uvicorn in a thread on a free port."""
    from assets_ui.app import create_app

    app = create_app(file=str(file), home=home, catalog_url=catalog_url, **kw)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", ws="websockets-sansio", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    ui = UiServer(app, server, thread, port, home)
    ui.state.launcher.wait_ready()
    return ui


# -- catalogs -----------------------------------------------------------------------
@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A fresh PostgreSQL database for this session (dropped at the end)."""
    base = os.environ.get("ASSETLINE_TEST_POSTGRES_URL")
    if not base:
        pytest.skip("ASSETLINE_TEST_POSTGRES_URL is not set: PostgreSQL catalog tests skipped")
    from sqlalchemy import create_engine, make_url, text

    name = f"assetline_ui_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(base).set(database=name).render_as_string(hide_password=False)
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def postgres_schema_url(database_url: str) -> str:
    """A new schema in the session database, as a catalog URL."""
    from sqlalchemy import create_engine, text

    schema = f"s_{uuid.uuid4().hex[:10]}"
    engine = create_engine(database_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    separator = "&" if "?" in database_url else "?"
    return f"{database_url}{separator}options=-csearch_path%3D{schema}"


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def catalog_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A fresh, empty catalog: SQLite on disk, or a PostgreSQL schema."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('catalog') / 'catalog.db'}"
    database: str = request.getfixturevalue("postgres_database")
    return postgres_schema_url(database)


@pytest.fixture(scope="module")
def server(catalog_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[UiServer]:
    """A server for ``tests/fixtures/ui_location.py`` on each catalog backend."""
    ui = start_server(tmp_path_factory.mktemp("home"), catalog_url=catalog_url)
    yield ui
    ui.close()
