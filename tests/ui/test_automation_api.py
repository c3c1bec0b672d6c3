"""The automation over GraphQL, over real HTTP (SPEC §9): schedules and sensors with
their status and next tick, start/stop mutations (roles, group scopes, audit), ticks
with the runs they queued, an asset's condition and its evaluations, and queued runs
with their place in the queue. A daemon on a fake clock ticks in the test process
against the same catalog."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy import event

from assets_core.catalog.catalog import Catalog
from tests.automation.conftest import Clock, held_daemon
from tests.ui.conftest import FIXTURES, UiServer, start_server

LOCATION = FIXTURES / "automation_files.py"

LISTING = """{
  schedules { name cron timezone select partition status nextTickAt lastTicks { status } }
  sensors { name intervalS select status cursor lastTickAt nextTickAt
            lastTicks(limit: 5) { status reason error runIds runs { id status } } }
}"""


@pytest.fixture(scope="module")
def landing(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("files")
    folder = root / "landing"
    folder.mkdir()
    before = os.environ.get("AL_LANDING")
    os.environ["AL_LANDING"] = str(folder)
    yield folder
    if before is None:
        os.environ.pop("AL_LANDING", None)
    else:
        os.environ["AL_LANDING"] = before


@pytest.fixture(scope="module")
def auto_server(
    catalog_url: str, landing: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[UiServer]:
    mp = pytest.MonkeyPatch()
    mp.setenv("ASSETLINE_AUTH_TOKENS", "view:viewer,ops:operator:group:ops,op:operator,root:admin")
    ui = start_server(tmp_path_factory.mktemp("home"), file=LOCATION, catalog_url=catalog_url)
    mp.undo()
    yield ui
    ui.close()


def as_(token: str, server: UiServer, query: str, **variables: object) -> httpx.Response:
    return server.post(query, variables, headers={"Authorization": f"Bearer {token}"})


def data(server: UiServer, query: str, token: str = "root", **variables: object) -> dict:  # type: ignore[type-arg]
    body = as_(token, server, query, **variables).json()
    assert not body.get("errors"), body["errors"]
    return body["data"]  # type: ignore[no-any-return]


def test_schedules_and_sensors_with_status_and_next_tick(auto_server: UiServer) -> None:
    found = data(auto_server, LISTING)
    schedules = {s["name"]: s for s in found["schedules"]}
    assert set(schedules) == {"yearly", "nightly"}
    yearly = schedules["yearly"]
    assert yearly["status"] == "RUNNING" and yearly["cron"] == "0 0 1 1 *"
    next_year = datetime.now(UTC).year + 1
    assert yearly["nextTickAt"] == f"{next_year}-01-01T00:00:00+00:00"
    nightly = schedules["nightly"]
    assert (nightly["status"], nightly["nextTickAt"]) == ("STOPPED", None)
    assert (nightly["partition"], nightly["timezone"]) == ("previous_day", "Europe/Berlin")
    sensors = {s["name"]: s for s in found["sensors"]}
    assert sensors["new_files"]["status"] == "RUNNING"
    assert sensors["new_files"]["select"] == "readings"
    assert sensors["broken"]["status"] == "STOPPED"


def test_start_and_stop_are_operator_mutations_scoped_by_group(auto_server: UiServer) -> None:
    start = "mutation($n: String!) { startSchedule(name: $n) { name status nextTickAt } }"
    stop = "mutation($n: String!) { stopSensor(name: $n) { name status nextTickAt } }"
    viewer = as_("view", auto_server, start, n="nightly").json()["errors"][0]
    assert viewer["extensions"]["code"] == "FORBIDDEN"
    assert "operator role" in viewer["message"]
    scoped = as_("ops", auto_server, start, n="nightly").json()["errors"][0]
    assert scoped["extensions"]["code"] == "FORBIDDEN"
    assert "touches default" in scoped["message"]
    unknown = as_("op", auto_server, start, n="nighty").json()["errors"][0]
    assert unknown["extensions"]["code"] == "NOT_FOUND"
    assert "Did you mean 'nightly'?" in unknown["message"]

    started = data(auto_server, start, token="op", n="nightly")["startSchedule"]
    assert started["status"] == "RUNNING" and started["nextTickAt"] is not None
    states = auto_server.state.catalog.instigator_states()
    assert states["nightly"].status == "RUNNING"
    # The listing (cached a moment ago) shows the change: mutations write the catalog.
    listed = {s["name"]: s for s in data(auto_server, LISTING)["schedules"]}
    assert listed["nightly"]["status"] == "RUNNING"
    stopped = data(auto_server, stop, token="op", n="broken")["stopSensor"]
    assert stopped == {"name": "broken", "status": "STOPPED", "nextTickAt": None}
    data(auto_server, 'mutation { stopSchedule(name: "nightly") { status } }', token="op")
    assert auto_server.state.catalog.instigator_states()["nightly"].status == "STOPPED"
    audit = (auto_server.home / "audit.log").read_text()
    assert "startSchedule" in audit and "stopSensor" in audit


def test_ticks_runs_conditions_and_queue_positions(
    auto_server: UiServer, landing: Path, catalog_url: str
) -> None:
    for old in landing.iterdir():  # files of the other catalog backend's run
        old.unlink()
    defs = auto_server.state.location.defs
    catalog = Catalog.open(catalog_url, auto_server.home)
    # The clock of today: the daemon prunes SKIPPED ticks older than some days.
    clock = Clock(datetime.now(UTC).isoformat())
    # A daemon that queues but starts nothing: the server sees its live lease and
    # leaves queued runs to it.
    daemon = held_daemon(defs, catalog, catalog_url, clock)
    try:
        running = data(auto_server, "{ daemon { running pid host since } }")["daemon"]
        assert running["running"] is True and running["pid"] == os.getpid()
        daemon.step(everything=True)  # no file yet: the sensor skips
        (landing / "2024-01-03_a.csv").write_text("x")
        (landing / "2024-01-04_b.csv").write_text("x")
        clock.advance(60)
        daemon.step(everything=True)
        page = data(
            auto_server,
            """{ ticks(name: "new_files", limit: 1) { nextCursor ticks {
                   kind status reason runIds runs { id status partitions queuePosition } } } }""",
        )["ticks"]
        (newest,) = page["ticks"]
        assert (newest["kind"], newest["status"]) == ("sensor", "SUCCESS")
        runs = newest["runs"]
        assert [r["partitions"] for r in runs] == [["2024-01-03"], ["2024-01-04"]]
        assert [r["status"] for r in runs] == ["QUEUED", "QUEUED"]
        assert sorted(r["queuePosition"] for r in runs) == [1, 2]
        older = data(
            auto_server,
            'query($c: String) { ticks(name: "new_files", cursor: $c) {'
            " ticks { status reason } } }",
            c=page["nextCursor"],
        )["ticks"]["ticks"]
        assert older[0] == {"status": "SKIPPED", "reason": "no new files"}
        happened = data(
            auto_server,
            '{ ticks(name: "new_files", statuses: [SUCCESS, FAILURE]) { ticks { status } } }',
        )["ticks"]["ticks"]
        assert happened == [{"status": "SUCCESS"}]
        listed = data(auto_server, "{ runs(status: QUEUED) { runs { id queuePosition } } }")
        positions = {r["id"]: r["queuePosition"] for r in listed["runs"]["runs"]}
        assert positions == {r["id"]: r["queuePosition"] for r in runs}

        asset = data(
            auto_server,
            """{ asset(key: "daily_summary") { automation { condition
                  lastEvaluations(limit: 5) { timestamp requested reason
                     partitions { start end } partitionCount runId } } }
                 readings: asset(key: "readings") { automation { condition } } }""",
        )
        automation = asset["asset"]["automation"]
        assert automation["condition"] == "eager()"
        assert asset["readings"]["automation"] is None
        evaluations = automation["lastEvaluations"]
        assert evaluations, "the automation tick recorded nothing"
        assert all(e["reason"] for e in evaluations)
        # The runs of a page of ticks come in one statement, however many ticks.
        for n in range(3):
            (landing / f"2024-01-1{n}_more.csv").write_text("x")
            clock.advance(60)
            daemon.step(everything=True)
        statements: list[str] = []

        def count(*args: object) -> None:
            statements.append(str(args[2]))

        engine = auto_server.state.catalog.engine
        event.listen(engine, "before_cursor_execute", count)
        try:
            page = data(auto_server, '{ ticks(name: "new_files") { ticks { runs { id } } } }')
        finally:
            event.remove(engine, "before_cursor_execute", count)
        assert sum(len(t["runs"]) for t in page["ticks"]["ticks"]) == 5
        runs_read = [s for s in statements if "FROM runs" in s]
        assert len(runs_read) == 1, statements
        bad = as_("view", auto_server, '{ ticks(cursor: "x") { ticks { id } } }').json()
        bad = bad["errors"][0]
        assert bad["extensions"]["code"] == "BAD_USER_INPUT"
    finally:
        daemon.lease.release()
        catalog.close()


def test_load_error_is_null_while_the_definitions_load(auto_server: UiServer) -> None:
    assert data(auto_server, "{ loadError }") == {"loadError": None}


def test_no_daemon_runs_until_one_holds_the_lease(auto_server: UiServer) -> None:
    found = data(auto_server, "{ daemon { running pid host since } }")["daemon"]
    assert found == {"running": False, "pid": None, "host": None, "since": None}
