"""Runs and their steps on SQLite and PostgreSQL (``catalog/runs.py``)."""

from __future__ import annotations

import time

import pytest

from assets_core.catalog.catalog import Catalog
from assets_core.catalog.records import StepRecord, WriteBatch
from assets_core.errors import NotFoundError
from tests.catalog.factories import run


def test_runs_round_trip(catalog: Catalog) -> None:
    catalog.create_run(run("r1"))
    got = catalog.get_run("r1")
    assert (got.status, got.selection, got.partitions) == ("STARTED", "*", ["2024-01-01"])
    assert (got.tags, got.config, got.launched_by) == ({"k": "v"}, {"a": {"limit": 1}}, "tester")

    catalog.update_run("r1", status="SUCCESS", ended_at=123.0, error=None)
    assert (catalog.get_run("r1").status, catalog.get_run("r1").ended_at) == ("SUCCESS", 123.0)
    assert catalog.get_run("r1").is_finished


def test_created_at_is_stamped_when_unset(catalog: Catalog) -> None:
    record = run("r")
    record.created_at = 0.0
    before = time.time()
    assert catalog.create_run(record).created_at >= before
    assert catalog.get_run("r").created_at >= before


def test_heartbeat(catalog: Catalog) -> None:
    catalog.create_run(run("r"))
    assert catalog.get_run("r").heartbeat_at is None
    before = time.time()
    catalog.heartbeat("r")
    beat = catalog.get_run("r").heartbeat_at
    assert beat is not None and beat >= before


def test_get_run_by_prefix_and_not_found(catalog: Catalog) -> None:
    catalog.create_run(run("abcd1111"))
    catalog.create_run(run("abcd2222"))
    assert catalog.get_run("abcd1").id == "abcd1111"
    with pytest.raises(NotFoundError, match="No run 'abcz'"):
        catalog.get_run("abcz")
    with pytest.raises(NotFoundError):
        catalog.get_run("abcd")  # ambiguous
    with pytest.raises(NotFoundError):
        catalog.get_run("abc")  # prefixes shorter than 4 characters are not looked up
    catalog.create_run(run("xyz0"))
    with pytest.raises(NotFoundError):
        catalog.get_run("xyz")


@pytest.mark.parametrize("pattern", ["____", "ab%%", "%%%%"])
def test_get_run_prefix_is_not_a_pattern(catalog: Catalog, pattern: str) -> None:
    catalog.create_run(run("abcd1234"))
    with pytest.raises(NotFoundError):
        catalog.get_run(pattern)


def test_find_run_by_key(catalog: Catalog) -> None:
    keyed = run("r1")
    keyed.run_key = "daily-2024-01-01"
    catalog.create_run(keyed)
    catalog.create_run(run("r2"))
    found = catalog.find_run_by_key("daily-2024-01-01")
    assert found is not None and found.id == "r1"
    assert catalog.find_run_by_key("daily-2024-01-02") is None


def test_list_runs_newest_first_with_status_filter_and_pages(catalog: Catalog) -> None:
    for i in range(5):
        catalog.create_run(run(f"run{i}", "SUCCESS" if i % 2 else "FAILURE", 1000.0 + i))
    assert [r.id for r in catalog.list_runs()] == ["run4", "run3", "run2", "run1", "run0"]
    assert [r.id for r in catalog.list_runs(status="SUCCESS")] == ["run3", "run1"]
    page1 = catalog.list_runs(limit=2)
    page2 = catalog.list_runs(limit=2, before=(page1[-1].created_at, page1[-1].id))
    assert [r.id for r in page1 + page2] == ["run4", "run3", "run2", "run1"]
    assert catalog.count_runs(["FAILURE"]) == 3
    assert catalog.count_runs(["SUCCESS", "FAILURE"]) == 5


def test_runs_created_at_the_same_instant_page_by_id(catalog: Catalog) -> None:
    for rid in ("a", "b", "c"):
        catalog.create_run(run(rid, created_at=1000.0))
    first = catalog.list_runs(limit=2)
    rest = catalog.list_runs(limit=2, before=(first[-1].created_at, first[-1].id))
    assert [r.id for r in first + rest] == ["c", "b", "a"]


def test_transition_run_only_from_given_statuses(catalog: Catalog) -> None:
    catalog.create_run(run("q", "QUEUED"))
    assert catalog.transition_run("q", "STARTED", only_from=["QUEUED"], pid=42) is True
    assert catalog.transition_run("q", "STARTED", only_from=["QUEUED"]) is False
    got = catalog.get_run("q")
    assert (got.status, got.pid) == ("STARTED", 42)


def test_steps_in_the_order_they_started_skipped_ones_when_they_ended(catalog: Catalog) -> None:
    catalog.create_run(run("r"))
    catalog.write(
        WriteBatch(
            steps=[
                StepRecord("r", "c", None, "SKIPPED", 0, None, 30.0),
                StepRecord("r", "b", "2024-01-02", "SUCCESS", 1, 20.0, 21.0),
                StepRecord("r", "a", None, "FAILED", 2, 10.0, 11.0, "boom"),
            ]
        )
    )
    # A step written again (a retry) replaces its record.
    catalog.write(WriteBatch(steps=[StepRecord("r", "a", None, "SUCCESS", 3, 10.0, 12.0)]))
    got = catalog.steps("r")
    assert [(s.asset_key, s.partition, s.status, s.attempts) for s in got] == [
        ("a", None, "SUCCESS", 3),
        ("b", "2024-01-02", "SUCCESS", 1),
        ("c", None, "SKIPPED", 0),
    ]
    assert got[0].error is None and got[2].duration_s is None


def test_steps_for_runs(catalog: Catalog) -> None:
    for rid in ("r1", "r2", "r3"):
        catalog.create_run(run(rid))
    catalog.write(
        WriteBatch(
            steps=[
                StepRecord("r1", "a", None, "SUCCESS", 1, 1.0, 2.0),
                StepRecord("r1", "b", None, "SUCCESS", 1, 2.0, 3.0),
                StepRecord("r2", "a", None, "FAILED", 1, 1.0, 2.0),
            ]
        )
    )
    found = catalog.steps_for_runs(["r1", "r2", "r3"])
    assert {r: sorted(s.asset_key for s in steps) for r, steps in found.items()} == {
        "r1": ["a", "b"],
        "r2": ["a"],
        "r3": [],
    }
