"""The catalog's automation records on SQLite and PostgreSQL: ticks committed with
their runs (a run key launches once), schedule/sensor state, paging, the lease, and
retention of ticks and evaluations."""

from __future__ import annotations

import time

import pytest

from assets_core.catalog.catalog import Catalog
from assets_core.catalog.evaluations import EvaluationRecord
from assets_core.catalog.leases import LeaseLostError
from assets_core.catalog.records import RunRecord
from assets_core.catalog.ticks import TickCommit


def queued(rid: str, key: str | None = None) -> RunRecord:
    return RunRecord(rid, "QUEUED", "orders", tags={"t": "1"}, run_key=key, created_at=time.time())


def test_a_tick_commits_its_runs_and_state_and_a_run_key_launches_once(catalog: Catalog) -> None:
    (first,) = catalog.commit_ticks(
        [
            TickCommit(
                "files",
                "sensor",
                10.0,
                "SUCCESS",
                runs=[queued("r1", "k1"), queued("r2", "k2")],
                cursor_before=None,
                cursor_after='["a"]',
                set_cursor=True,
                last_tick_at=10.0,
                dynamic_partitions=[("files", ["a.csv"])],
            )
        ],
        marks=[("nightly", "schedule", 5.0)],
    )
    assert first.run_ids == ["r1", "r2"] and first.cursor_after == '["a"]'
    assert catalog.get_run("r1").tags == {"t": "1"} and catalog.get_run("r2").status == "QUEUED"
    states = catalog.instigator_states()
    assert (states["files"].cursor, states["files"].last_tick_at) == ('["a"]', 10.0)
    assert states["nightly"].last_tick_at == 5.0 and states["nightly"].kind == "schedule"
    assert catalog.dynamic_partitions("files") == ["a.csv"]
    (again,) = catalog.commit_ticks(
        [
            TickCommit(
                "files", "sensor", 20.0, "SUCCESS", runs=[queued("r3", "k2"), queued("r4", "k3")]
            )
        ]
    )
    assert again.run_ids == ["r4"]
    assert again.reason == "run key already launched: k2 (run r2)" and again.status == "SUCCESS"
    (skipped,) = catalog.commit_ticks(
        [TickCommit("files", "sensor", 30.0, "SUCCESS", runs=[queued("r5", "k1")])]
    )
    assert skipped.status == "SKIPPED" and skipped.run_ids == []
    assert catalog.instigator_states()["files"].cursor == '["a"]'  # no set_cursor: kept
    assert sorted(r.id for r in catalog.list_runs()) == ["r1", "r2", "r4"]


def test_ticks_page_newest_first(catalog: Catalog) -> None:
    catalog.commit_ticks(
        [
            TickCommit("a" if i % 2 else "b", "sensor", float(i), "SKIPPED", reason=str(i))
            for i in range(7)
        ]
    )
    page = catalog.list_ticks(limit=3)
    assert [t.reason for t in page] == ["6", "5", "4"]
    assert [t.reason for t in catalog.list_ticks(limit=3, before_id=page[-1].id)] == ["3", "2", "1"]
    assert [t.reason for t in catalog.list_ticks(["a"], limit=10)] == ["5", "3", "1"]
    latest = catalog.latest_ticks(["a", "b", "c"], per_name=2)
    assert {k: [t.reason for t in v] for k, v in latest.items()} == {
        "a": ["5", "3"],
        "b": ["6", "4"],
        "c": [],
    }


def test_the_lease_is_held_by_one_owner_until_it_expires_or_is_released(catalog: Catalog) -> None:
    first = catalog.acquire_lease("daemon", "one", "h1", 1, ttl_s=0.5)
    assert first is not None and first.owner == "one"
    held = catalog.acquire_lease("daemon", "two", "h2", 2, ttl_s=0.5)
    assert held is not None and held.owner == "one"  # taken: the holder is returned
    assert catalog.renew_lease("daemon", "one", 0.5) and not catalog.renew_lease(
        "daemon", "two", 0.5
    )
    time.sleep(0.6)  # expired
    taken = catalog.acquire_lease("daemon", "two", "h2", 2, ttl_s=30)
    assert taken is not None and taken.owner == "two"
    assert not catalog.renew_lease("daemon", "one", 30)  # the old owner lost it
    with pytest.raises(LeaseLostError):
        catalog.commit_ticks(
            [TickCommit("x", "sensor", 1.0, "SKIPPED")], fence=("daemon", "one", 30)
        )
    assert catalog.list_ticks() == []  # nothing written without the lease
    catalog.commit_ticks([TickCommit("x", "sensor", 1.0, "SKIPPED")], fence=("daemon", "two", 30))
    catalog.release_lease("daemon", "one")  # not the holder: nothing happens
    assert catalog.get_lease("daemon").owner == "two"  # type: ignore[union-attr]
    catalog.release_lease("daemon", "two")
    assert catalog.get_lease("daemon") is None


def test_retention_keeps_what_says_something(catalog: Catalog) -> None:
    old, new = time.time() - 30 * 86400, time.time()
    catalog.commit_ticks(
        [
            TickCommit("s", "sensor", old, "SKIPPED", reason="nothing"),
            TickCommit("s", "sensor", old, "FAILURE", error="boom"),
            TickCommit("s", "sensor", new, "SKIPPED", reason="nothing"),
        ]
    )
    assert catalog.prune_ticks(time.time() - 7 * 86400) == 1
    assert [t.status for t in catalog.list_ticks()] == ["SKIPPED", "FAILURE"]

    def tick(at: float, reasons: list[tuple[str, str]]) -> None:
        commit = TickCommit("automation", "automation", at, "SKIPPED")
        records = [EvaluationRecord(key, at, False, why) for key, why in reasons]
        catalog.commit_evaluation_tick(commit, records)

    tick(old - 10, [("a", "old a"), ("b", "old b")])
    tick(old, [("a", "older a, latest of a"), ("a", "second group of a")])
    tick(new, [("b", "new b")])
    assert catalog.prune_evaluations(time.time() - 7 * 86400) == 2
    kept = catalog.latest_evaluations(["a", "b"], per_asset=5)
    assert sorted(e.reason for e in kept["a"]) == ["older a, latest of a", "second group of a"]
    assert [e.reason for e in kept["b"]] == ["new b"]
