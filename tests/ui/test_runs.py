"""Runs through the API: materialize and follow the run live over the websocket,
cancel, re-execute from failure, partitions, config, dynamic partitions — on SQLite
and PostgreSQL catalogs."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from typing import Any

from tests.ui.conftest import UiServer

EVENTS = """subscription($id: String!) {
  runEvents(runId: $id) { seq runId timestamp type asset partition level message } }"""


def _wait_for(path: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.02)


def test_materialize_returns_queued_and_the_subscription_streams_every_event(
    server: UiServer,
) -> None:
    run_id = server.materialize("raw_orders+ or revenue+", t={"who": "test"})
    received, end = server.subscribe(EVENTS, {"id": run_id})
    assert end["type"] == "complete"
    events = [p["data"]["runEvents"] for p in received]
    seqs = [e["seq"] for e in events]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    assert {e["runId"] for e in events} == {run_id}
    types = [e["type"] for e in events]
    assert types[0] == "RUN_START" and types[-1] == "RUN_SUCCESS"
    assert types.count("STEP_START") == 4 and types.count("STEP_SUCCESS") == 4
    assert any(e["type"] == "LOG" and e["message"] == "building the report" for e in events)
    run = server.wait_run(run_id)
    assert run["status"] == "SUCCESS"
    assert [s["asset"] for s in run["steps"]] == ["raw_orders", "orders_clean", "revenue", "report"]
    stored = server.data(
        "query($id: String!) { run(id: $id) { tags launchedBy events(limit: 1000) { seq } } }",
        id=run_id,
    )["run"]
    assert [e["seq"] for e in stored["events"]] == seqs
    assert stored["tags"] == {"who": "test"} and stored["launchedBy"] == "local"
    # A finished run's subscription replays its events and completes.
    again, end = server.subscribe(EVENTS, {"id": run_id})
    assert end["type"] == "complete" and [p["data"]["runEvents"]["seq"] for p in again] == seqs
    revenue = server.data(
        """{ asset(key: "revenue") { status latestMaterialization { runId
             upstream { assetKey runId } } materializations(limit: 5) { runId } } }"""
    )["asset"]
    assert revenue["status"] == "FRESH"
    assert revenue["latestMaterialization"]["runId"] == run_id
    assert [u["assetKey"] for u in revenue["latestMaterialization"]["upstream"]] == ["orders_clean"]


def test_cancel_a_long_running_run(server: UiServer) -> None:
    marker = server.home / "started_slow"
    marker.unlink(missing_ok=True)
    run_id = server.materialize("slow", c={"slow": {"seconds": 60}})
    _wait_for(marker)
    canceled = server.data(
        "mutation($id: String!) { cancelRun(id: $id) { id status } }", id=run_id
    )["cancelRun"]
    assert canceled["status"] in ("CANCELING", "CANCELED")
    started = time.monotonic()
    run = server.wait_run(run_id, timeout=30)
    assert run["status"] == "CANCELED"
    assert time.monotonic() - started < 10
    assert run["steps"][0]["status"] in ("CANCELED", "FAILED")
    received, end = server.subscribe(EVENTS, {"id": run_id})
    assert end["type"] == "complete"
    assert received[-1]["data"]["runEvents"]["type"] == "RUN_CANCELED"
    # Canceling again is harmless.
    again = server.data("mutation($id: String!) { cancelRun(id: $id) { status } }", id=run_id)
    assert again["cancelRun"]["status"] == "CANCELED"


def test_cancel_right_after_launch(server: UiServer) -> None:
    for _ in range(3):
        run_id = server.materialize("slow", c={"slow": {"seconds": 60}})
        server.data("mutation($id: String!) { cancelRun(id: $id) { status } }", id=run_id)
        assert server.wait_run(run_id, timeout=20)["status"] == "CANCELED"


def test_a_worker_that_dies_fails_its_run_and_not_the_server(server: UiServer) -> None:
    run_id = server.materialize("crasher")
    received, end = server.subscribe(EVENTS, {"id": run_id})
    assert end["type"] == "complete"
    last = received[-1]["data"]["runEvents"]
    assert last["type"] == "RUN_FAILURE" and "SIGKILL" in last["message"]
    run = server.wait_run(run_id)
    assert run["status"] == "FAILURE"
    # The step's start may not have reached the catalog before the kill.
    assert all(step["status"] == "FAILED" for step in run["steps"])
    assert server.wait_run(server.materialize("raw_orders"))["status"] == "SUCCESS"


def test_a_step_whose_worker_is_killed_is_failed(server: UiServer) -> None:
    marker = server.home / "started_slow"
    marker.unlink(missing_ok=True)
    run_id = server.materialize("slow", c={"slow": {"seconds": 60}})
    _wait_for(marker)
    time.sleep(0.3)  # the step's start reaches the catalog within 0.1 s
    pid = server.state.launcher.pid_of(run_id)
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    run = server.wait_run(run_id, timeout=20)
    assert run["status"] == "FAILURE"
    assert [(s["asset"], s["status"]) for s in run["steps"]] == [("slow", "FAILED")]
    assert "SIGKILL" in run["steps"][0]["error"]["message"]


def test_reexecute_from_failure_runs_only_what_did_not_succeed(server: UiServer) -> None:
    flag = server.home / "fail_flaky"
    flag.write_text("fail")
    try:
        first = server.materialize("raw_orders or flaky+")
        failed = server.wait_run(first)
    finally:
        flag.unlink()
    assert failed["status"] == "FAILURE"
    status = {s["asset"]: s["status"] for s in failed["steps"]}
    assert status["raw_orders"] == "SUCCESS" and status["flaky"] == "FAILED"
    assert status.get("after_flaky", "SKIPPED") == "SKIPPED"
    flaky = server.data('{ asset(key: "flaky") { status } }')["asset"]
    assert flaky["status"] == "FAILED"
    retry = server.data(
        """mutation($id: String!) { reexecuteRun(id: $id, fromFailure: true) {
             id status selection } }""",
        id=first,
    )["reexecuteRun"]
    assert retry["status"] == "QUEUED"
    assert retry["selection"] == "flaky, after_flaky"
    done = server.wait_run(retry["id"])
    assert done["status"] == "SUCCESS"
    assert [s["asset"] for s in done["steps"]] == ["flaky", "after_flaky"]
    error = server.error(
        "mutation($id: String!) { reexecuteRun(id: $id, fromFailure: true) { id } }",
        id=retry["id"],
    )
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


def test_partitions_config_and_their_errors(server: UiServer) -> None:
    run_id = server.materialize("by_region", p=["us"])
    assert server.wait_run(run_id)["steps"][0]["partition"] == "us"
    stats = server.data('{ asset(key: "by_region") { partitionStats { materialized ranges } } }')
    assert stats["asset"]["partitionStats"]["materialized"] >= 1
    mutation = """mutation($s: String!, $p: [String!], $c: JSON, $t: JSON) {
        materialize(selection: $s, partitions: $p, config: $c, tags: $t) { id } }"""
    cases: list[tuple[dict[str, Any], str]] = [
        ({"s": "by_region", "p": ["mars"]}, "INVALID_PARTITION"),
        ({"s": "by_region"}, "BAD_USER_INPUT"),
        ({"s": "slow", "c": {"slow": {"seconds": "long"}}}, "INVALID_CONFIG"),
        ({"s": "slow", "c": {"slow": {"nope": 1}}}, "INVALID_CONFIG"),
        ({"s": "raw_orders", "t": {"n": 1}}, "BAD_USER_INPUT"),
        ({"s": "raw_orders or"}, "INVALID_SELECTION"),
    ]
    before = server.data("{ runs(limit: 500) { runs { id } } }")["runs"]["runs"]
    for variables, code in cases:
        error = server.error(mutation, **variables)
        assert error["extensions"]["code"] == code, (variables, error)
    after = server.data("{ runs(limit: 500) { runs { id } } }")["runs"]["runs"]
    assert after == before  # nothing was queued


def test_dynamic_partitions(server: UiServer) -> None:
    add = "mutation($n: String!, $k: [String!]!) { addDynamicPartitions(name: $n, keys: $k) }"
    keys = server.data(add, n="customers", k=["acme", "globex"])["addDynamicPartitions"]
    assert {"acme", "globex"} <= set(keys)
    total = server.data('{ asset(key: "per_customer") { partitionsDef { total keys } } }')
    assert set(total["asset"]["partitionsDef"]["keys"]) >= {"acme", "globex"}
    assert server.error(add, n="clients", k=["x"])["extensions"]["code"] == "NOT_FOUND"
    bad = server.error(add, n="customers", k=["../etc"])
    assert bad["extensions"]["code"] == "INVALID_PARTITION"
    # The same rule as the CLI's: 255 bytes of UTF-8, not 255 characters.
    long = server.error(add, n="customers", k=["é" * 130])
    assert long["extensions"]["code"] == "INVALID_PARTITION"
    assert "is 260 bytes long in UTF-8; the limit is 255 bytes" in long["message"]
    run_id = server.materialize("per_customer", p=["acme"])
    assert server.wait_run(run_id)["status"] == "SUCCESS"


def test_children_are_reaped(server: UiServer) -> None:
    run_id = server.materialize("raw_orders")
    server.wait_run(run_id)
    worker = server.state.launcher.worker_pid
    assert worker is not None
    deadline = time.monotonic() + 10
    while True:
        children = []
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                stat = Path(f"/proc/{pid}/stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            if int(fields[1]) == worker:
                children.append((pid, fields[0]))
        if not children:
            break
        assert time.monotonic() < deadline, f"worker children left: {children}"
        time.sleep(0.1)


def test_subscription_errors_have_codes(server: UiServer) -> None:
    received, end = server.subscribe('subscription { runEvents(runId: "nope") { seq } }', {})
    assert end["type"] == "complete"
    assert received[0]["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    _, end = server.subscribe('subscription { runEvents(runId: "x") { seq nosuch } }', {})
    assert end["type"] == "error"
    assert end["payload"][0]["extensions"]["code"] == "BAD_USER_INPUT"
