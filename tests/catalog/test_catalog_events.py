"""Run events and their retention on SQLite and PostgreSQL (``catalog/events.py``)."""

from __future__ import annotations

import time

from assets_core.catalog.catalog import Catalog
from assets_core.catalog.records import EventRecord, WriteBatch
from tests.catalog.factories import check, mat, run


def log(run_id: str, n: int, at: float | None = None) -> list[EventRecord]:
    return [EventRecord(run_id, at or time.time(), "LOG", f"{run_id} {i}") for i in range(n)]


def test_events_in_order_after_an_id_with_a_limit(catalog: Catalog) -> None:
    catalog.create_run(run("r"))
    catalog.add_events(log("r", 5))
    events = catalog.events("r")
    assert [e.message for e in events] == [f"r {i}" for i in range(5)]
    after = events[1].id
    assert [e.message for e in catalog.events("r", after=after)] == ["r 2", "r 3", "r 4"]
    assert [e.message for e in catalog.events("r", after=after, limit=2)] == ["r 2", "r 3"]
    assert catalog.events("other") == []


def test_event_data_round_trips(catalog: Catalog) -> None:
    catalog.create_run(run("r"))
    sent = EventRecord("r", 1.5, "STEP_FAILURE", "b failed", "b", "2024-01-01", "ERROR", {"n": 1})
    catalog.add_events([sent])
    [got] = catalog.events("r")
    assert got.id is not None
    assert (got.type, got.asset_key, got.partition, got.level, got.data, got.timestamp) == (
        "STEP_FAILURE",
        "b",
        "2024-01-01",
        "ERROR",
        {"n": 1},
        1.5,
    )


def test_events_for_runs_the_first_of_each_run(catalog: Catalog) -> None:
    for rid in ("r1", "r2", "r3"):
        catalog.create_run(run(rid))
    catalog.add_events(log("r1", 4) + log("r2", 2))
    found = catalog.events_for_runs(["r1", "r2", "r3"], None, 3)
    assert {r: [e.message for e in es] for r, es in found.items()} == {
        "r1": ["r1 0", "r1 1", "r1 2"],
        "r2": ["r2 0", "r2 1"],
        "r3": [],
    }
    after = found["r1"][1].id
    later = catalog.events_for_runs(["r1"], after, 10)
    assert [e.message for e in later["r1"]] == ["r1 2", "r1 3"]
    assert catalog.events_for_runs(["r1"], None, 0) == {"r1": []}


def test_prune_removes_old_events_and_keeps_history(catalog: Catalog) -> None:
    catalog.create_run(run("old"))
    old = time.time() - 10 * 86400
    [a_id] = catalog.write(
        WriteBatch(
            events=log("old", 3, at=old),
            materializations=[mat("a", "old")],
            check_results=[check("a", "ok", True, old, run_id="old")],
        )
    )
    [b_id] = catalog.write(
        WriteBatch(
            events=[EventRecord("old", time.time(), "LOG", "recent")],
            materializations=[mat("b", "old", upstream=(a_id,))],
        )
    )
    assert catalog.prune_events(7 * 86400) == 3
    assert [e.message for e in catalog.events("old")] == ["recent"]
    assert catalog.get_run("old").id == "old"
    assert [m.id for m in catalog.materializations("a")] == [a_id]
    assert catalog.upstream_ids([b_id]) == {b_id: [a_id]}
    assert len(catalog.check_results_for_run("old")) == 1
    assert catalog.prune_events(7 * 86400) == 0
