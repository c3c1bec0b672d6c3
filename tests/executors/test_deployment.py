"""The deployment of docs/deploy.md, started for real on loopback: a PostgreSQL
catalog, a ``dask scheduler`` and two ``dask worker`` processes from the distributed
command line, and ``assetline ui``, sharing the environment of deploy/assetline.env.
The example project is materialized through the GraphQL ``materialize`` mutation with
the dask executor; the catalog, the stored files and the live events are checked."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.sync.client import connect

from assets_core.catalog.catalog import Catalog
from tests.conftest import POSTGRES_ENV, fresh_postgres_database
from tests.executors.dask_cluster import REPO, DaskCluster, dask_cluster, free_port

pytestmark = pytest.mark.skipif(
    not os.environ.get(POSTGRES_ENV),
    reason=f"{POSTGRES_ENV} is not set: the deployment runs on a PostgreSQL catalog",
)

PARTITIONS = ["2024-01-01", "2024-01-02"]
MATERIALIZE = """mutation($p: [String!], $e: ExecutorInput) {
  materialize(selection: "*", partitions: $p, executor: $e) { id status executor } }"""
EVENTS = """subscription($id: String!) { runEvents(runId: $id) { seq type asset message } }"""


@pytest.fixture
def deployment(tmp_path: Path) -> Iterator[tuple[str, str, Path, int, DaskCluster]]:
    """(catalog URL, scheduler address, shared ASSETLINE_HOME, UI port, cluster)."""
    home = tmp_path / "shared-home"
    with fresh_postgres_database() as url:
        shared = {"ASSETLINE_CATALOG_URL": url, "ASSETLINE_HOME": str(home)}
        with dask_cluster(tmp_path / "logs", 2, shared) as cluster:
            port = free_port()
            env = {
                **os.environ,
                **shared,
                "ASSETLINE_EXECUTOR": "dask",
                "ASSETLINE_DASK_ADDRESS": cluster.address,
                "PYTHONPATH": str(REPO),
            }
            log = open(tmp_path / "logs" / "ui.log", "wb")  # noqa: SIM115 - closed below
            ui = subprocess.Popen(
                [str(Path(sys.executable).with_name("assetline")), "ui", "--host", "127.0.0.1",
                 "--port", str(port)],
                cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
            try:
                _wait_healthy(port, ui, tmp_path / "logs" / "ui.log")
                yield url, cluster.address, home, port, cluster
            finally:
                ui.terminate()
                try:
                    ui.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    ui.kill()
                log.close()


def _wait_healthy(port: int, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 90
    while True:
        assert proc.poll() is None, log.read_text()
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.2)


def _subscribe(port: int, run_id: str) -> list[dict[str, Any]]:
    url = f"ws://127.0.0.1:{port}/graphql"
    with connect(url, subprotocols=["graphql-transport-ws"], open_timeout=10) as ws:  # type: ignore[list-item]
        ws.send(json.dumps({"type": "connection_init", "payload": {}}))
        assert json.loads(ws.recv(timeout=10))["type"] == "connection_ack"
        payload = {"query": EVENTS, "variables": {"id": run_id}}
        ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
        events = []
        deadline = time.monotonic() + 240
        while True:
            message = json.loads(ws.recv(timeout=max(deadline - time.monotonic(), 0.1)))
            if message["type"] == "next":
                events.append(message["payload"]["data"]["runEvents"])
            else:
                assert message["type"] == "complete", message
                return events


def test_the_example_project_runs_on_the_deployed_topology(
    deployment: tuple[str, str, Path, int, DaskCluster],
) -> None:
    url, address, home, port, cluster = deployment
    response = httpx.post(
        f"http://127.0.0.1:{port}/graphql",
        json={"query": MATERIALIZE, "variables": {"p": PARTITIONS, "e": {"name": "dask"}}},
        timeout=60,
    )
    body = response.json()
    assert not body.get("errors"), body
    run = body["data"]["materialize"]
    assert (run["status"], run["executor"]) == ("QUEUED", "dask")

    events = _subscribe(port, run["id"])  # live, while the cluster runs it
    types = [e["type"] for e in events]
    assert types[0] == "RUN_START" and types[-1] == "RUN_SUCCESS", events[-3:]

    catalog = Catalog.open(url)
    try:
        record = catalog.get_run(run["id"])
        assert record.status == "SUCCESS"
        assert (record.executor, record.executor_options) == ("dask", {"dask_address": address})
        steps = catalog.steps(record.id)
        assert steps and all(s.status == "SUCCESS" for s in steps)
        # one step per asset and partition (a multi-asset's step records each output)
        started = {(e["asset"]) for e in events if e["type"] == "STEP_START"}
        assert types.count("STEP_START") == types.count("STEP_SUCCESS") >= len(started) >= 15
        stored = [e["seq"] for e in events]
        assert [e.id for e in catalog.events(record.id)] == stored
        mats = catalog.materializations_for_run(record.id)
        assert {m.asset_key for m in mats} == {s.asset_key for s in steps}
        for m in mats:  # what the workers stored is where the catalog says
            if m.location and m.location.startswith("/"):
                assert Path(m.location).exists(), m.location
        assert (home / "storage").is_dir() and any((home / "storage").rglob("data.parquet"))
        assert catalog.pool_slots() == []
    finally:
        catalog.close()
    assert cluster.assetline_tasks() == []
