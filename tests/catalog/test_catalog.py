"""The catalog façade on SQLite and PostgreSQL: migrations, runs, events, batched
writes, materializations and provenance, retention, dynamic partitions, snapshots."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from assets_core.catalog.catalog import Catalog
from assets_core.catalog.connection import HEAD_REVISION, current_revision, make_engine, upgrade
from assets_core.catalog.records import (
    CheckResultRecord,
    EventRecord,
    NewMaterialization,
    RunRecord,
    StepRecord,
    WriteBatch,
)
from assets_core.errors import NotFoundError

TABLES = {
    "runs",
    "run_steps",
    "events",
    "materializations",
    "provenance",
    "asset_partitions",
    "check_results",
    "snapshots",
    "dynamic_partitions",
    "kv",
    "alembic_version",
}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_catalog_url(request: pytest.FixtureRequest, assetline_home: Path) -> Iterator[str]:
    """A database with nothing in it yet (no schema)."""
    if request.param == "sqlite":
        yield f"sqlite:///{assetline_home / 'fresh' / 'catalog.db'}"
    else:
        yield request.getfixturevalue("postgres_url")


def test_migrations_are_applied_on_first_open(empty_catalog_url: str) -> None:
    engine = make_engine(empty_catalog_url)
    try:
        assert current_revision(engine) is None
        catalog = Catalog.open(empty_catalog_url)
        catalog.close()
        assert current_revision(engine) == HEAD_REVISION
        assert set(inspect(engine).get_table_names()) == TABLES
    finally:
        engine.dispose()


def test_migrations_are_idempotent(empty_catalog_url: str) -> None:
    engine = make_engine(empty_catalog_url)
    try:
        assert upgrade(engine) is True
        assert upgrade(engine) is False
        Catalog.open(empty_catalog_url).close()
        Catalog.open(empty_catalog_url).close()
        with engine.connect() as conn:
            versions = conn.execute(text("SELECT version_num FROM alembic_version")).all()
        assert [v[0] for v in versions] == [HEAD_REVISION]
    finally:
        engine.dispose()


def test_reopening_keeps_the_data(catalog_url: str) -> None:
    first = Catalog.open(catalog_url)
    first.create_run(run("kept"))
    first.close()
    second = Catalog.open(catalog_url)
    try:
        assert second.get_run("kept").status == "STARTED"
    finally:
        second.close()


def run(run_id: str, status: str = "STARTED", created_at: float | None = None) -> RunRecord:
    return RunRecord(
        id=run_id,
        status=status,  # type: ignore[arg-type]
        selection="*",
        partitions=["2024-01-01"],
        tags={"k": "v"},
        config={"a": {"limit": 1}},
        launched_by="tester",
        executor="inprocess",
        created_at=created_at or time.time(),
        started_at=time.time(),
    )


def test_runs_round_trip(catalog: Catalog) -> None:
    catalog.create_run(run("r1"))
    got = catalog.get_run("r1")
    assert (got.status, got.selection, got.partitions) == ("STARTED", "*", ["2024-01-01"])
    assert (got.tags, got.config, got.launched_by) == ({"k": "v"}, {"a": {"limit": 1}}, "tester")

    catalog.update_run("r1", status="SUCCESS", ended_at=123.0, error=None)
    assert (catalog.get_run("r1").status, catalog.get_run("r1").ended_at) == ("SUCCESS", 123.0)
    assert catalog.get_run("r1").is_finished


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


def test_list_runs_newest_first_with_status_filter_and_pages(catalog: Catalog) -> None:
    for i in range(5):
        catalog.create_run(run(f"run{i}", "SUCCESS" if i % 2 else "FAILURE", 1000.0 + i))
    assert [r.id for r in catalog.list_runs()] == ["run4", "run3", "run2", "run1", "run0"]
    assert [r.id for r in catalog.list_runs(status="SUCCESS")] == ["run3", "run1"]
    page1 = catalog.list_runs(limit=2)
    page2 = catalog.list_runs(limit=2, before=(page1[-1].created_at, page1[-1].id))
    assert [r.id for r in page1 + page2] == ["run4", "run3", "run2", "run1"]
    assert catalog.count_runs(["FAILURE"]) == 3


def test_transition_run_only_from_given_statuses(catalog: Catalog) -> None:
    catalog.create_run(run("q", "QUEUED"))
    assert catalog.transition_run("q", "STARTED", only_from=["QUEUED"]) is True
    assert catalog.transition_run("q", "STARTED", only_from=["QUEUED"]) is False
    assert catalog.get_run("q").status == "STARTED"


def mat(asset: str, run_id: str, partition: str | None = None, upstream: tuple[int, ...] = ()):  # type: ignore[no-untyped-def]
    return NewMaterialization(
        asset_key=asset,
        partition=partition,
        run_id=run_id,
        timestamp=time.time(),
        code_version="1",
        data_version=f"dv-{asset}",
        metadata={"row_count": 3, "nested": {"nan": float("nan")}},
        location=f"/tmp/{asset}",
        upstream_ids=upstream,
    )


def test_a_batch_writes_events_steps_materializations_and_provenance(catalog: Catalog) -> None:
    catalog.create_run(run("r"))
    now = time.time()
    [a_id] = catalog.write(
        WriteBatch(
            events=[EventRecord("r", now, "STEP_START", "Started a", "a")],
            steps=[StepRecord("r", "a", None, "SUCCESS", 1, now, now + 1)],
            materializations=[mat("a", "r")],
        )
    )
    [b_id] = catalog.write(WriteBatch(materializations=[mat("b", "r", upstream=(a_id, a_id))]))
    assert catalog.write(WriteBatch()) == []

    assert catalog.upstream_ids([b_id, a_id]) == {b_id: [a_id], a_id: []}
    [a] = catalog.provenance(b_id)
    assert (a.id, a.asset_key, a.data_version, a.partition) == (a_id, "a", "dv-a", None)
    # NaN is not JSON: it is stored as null rather than failing the write.
    assert a.metadata == {"row_count": 3, "nested": {"nan": None}}
    [step] = catalog.steps("r")
    assert (step.asset_key, step.partition, step.status, step.duration_s) == (
        "a",
        None,
        "SUCCESS",
        pytest.approx(1.0),
    )
    [event] = catalog.events("r")
    assert (event.type, event.asset_key, event.message) == ("STEP_START", "a", "Started a")


def test_latest_outcome_per_partition(catalog: Catalog) -> None:
    catalog.create_run(run("r"))
    [first] = catalog.write(WriteBatch(materializations=[mat("p", "r", "2024-01-01")]))
    catalog.write(WriteBatch(failures=[("p", "2024-01-02", "r", time.time())]))
    [second] = catalog.write(WriteBatch(materializations=[mat("p", "r", "2024-01-01")]))
    # A failure keeps the partition's last good materialization.
    catalog.write(WriteBatch(failures=[("p", "2024-01-01", "r", time.time())]))

    rows = {r.partition: r for r in catalog.partition_rows(["p"], all_partitions=True)}
    assert (rows["2024-01-01"].status, rows["2024-01-01"].materialization_id) == (
        "FAILED",
        second,
    )
    assert (rows["2024-01-02"].status, rows["2024-01-02"].materialization_id) == ("FAILED", None)
    assert [m.id for m in catalog.materializations("p")] == [second, first]
    assert [m.id for m in catalog.materializations("p", before=second)] == [first]
    assert catalog.latest_versions(["p"]) == {("p", "2024-01-01"): (second, "dv-p")}
    assert catalog.latest_materializations(["p"])["p"].id == second


def test_partition_statuses(catalog: Catalog) -> None:
    catalog.create_run(run("r"))
    catalog.write(WriteBatch(materializations=[mat("p", "r", "2024-01-01")]))
    catalog.write(WriteBatch(failures=[("p", "2024-01-02", "r", time.time())]))
    assert catalog.partition_statuses("p") == {
        "2024-01-01": "MATERIALIZED",
        "2024-01-02": "FAILED",
    }


def test_prune_removes_old_events_and_keeps_history(catalog: Catalog) -> None:
    catalog.create_run(run("old"))
    old = time.time() - 10 * 86400
    [a_id] = catalog.write(
        WriteBatch(
            events=[EventRecord("old", old, "LOG", f"line {i}") for i in range(3)],
            materializations=[mat("a", "old")],
            check_results=[
                CheckResultRecord("a", "ok", None, "old", old, "PASSED", True, "error", False, {})
            ],
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


def test_check_results_latest_and_history(catalog: Catalog) -> None:
    def result(passed: bool, ts: float) -> CheckResultRecord:
        status = "PASSED" if passed else "FAILED"
        return CheckResultRecord("a", "c", None, None, ts, status, passed, "warn", True, {"n": 1})

    catalog.write(WriteBatch(check_results=[result(True, 1.0), result(False, 2.0)]))
    latest = catalog.latest_check_results(["a"])[("a", "c")]
    assert (latest.passed, latest.severity, latest.blocking, latest.metadata) == (
        False,
        "warn",
        True,
        {"n": 1},
    )
    assert [r.passed for r in catalog.check_history("a", "c")] == [False, True]


def test_dynamic_partitions(catalog: Catalog, request: pytest.FixtureRequest) -> None:
    assert catalog.add_dynamic_partitions("customers", ["acme", "globex"]) == 2
    assert catalog.add_dynamic_partitions("customers", ["acme", "initech"]) == 1
    assert catalog.dynamic_partitions("customers") == ["acme", "globex", "initech"]
    assert catalog.delete_dynamic_partitions("customers", ["globex"]) == 1
    assert catalog.dynamic_partitions("customers") == ["acme", "initech"]
    assert catalog.dynamic_partitions("other") == []


def test_key_value_state(catalog: Catalog) -> None:
    assert catalog.get_kv("cursor") is None
    catalog.set_kv("cursor", {"offset": 1})
    catalog.set_kv("cursor", {"offset": 2})
    assert catalog.get_kv("cursor") == {"offset": 2}


def test_snapshots_are_stored_once_per_digest(
    catalog: Catalog, request: pytest.FixtureRequest
) -> None:
    assert catalog.latest_snapshot() is None
    assert catalog.save_snapshot("h1", {"assets": [{"key": "a"}]}) is True
    assert catalog.save_snapshot("h1", {"assets": [{"key": "a"}]}) is False
    assert catalog.save_snapshot("h2", {"assets": [{"key": "b"}]}) is True
    assert catalog.latest_snapshot() == {"assets": [{"key": "b"}]}
