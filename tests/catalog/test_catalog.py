"""The catalog façade on SQLite and PostgreSQL: migrations on first open, reopening,
and the one-transaction write path (``catalog/catalog.py``, ``catalog/writes.py``)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from assets_core.catalog.catalog import Catalog
from assets_core.catalog.connection import HEAD_REVISION, current_revision, make_engine, upgrade
from assets_core.catalog.records import EventRecord, StepRecord, WriteBatch
from tests.catalog.factories import mat, run

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
    "pool_slots",
    "instigators",
    "ticks",
    "automation_evaluations",
    "asset_events",
    "daemon_leases",
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
        assert repr(second) == f"<Catalog {second.url}>"
    finally:
        second.close()


def test_a_batch_writes_events_steps_materializations_and_provenance(catalog: Catalog) -> None:
    catalog.create_run(run("r"))
    now = time.time()
    [a_id] = catalog.write(
        WriteBatch(
            events=[EventRecord("r", now, "STEP_START", "Started a", "a")],
            steps=[StepRecord("r", "a", None, "SUCCESS", 1, now, now + 1)],
            materializations=[mat("a", "r", metadata={"row_count": 3, "n": {"x": float("nan")}})],
        )
    )
    [b_id] = catalog.write(WriteBatch(materializations=[mat("b", "r", upstream=(a_id, a_id))]))
    assert catalog.write(WriteBatch()) == []

    assert catalog.upstream_ids([b_id, a_id]) == {b_id: [a_id], a_id: []}
    [a] = catalog.provenance(b_id)
    assert (a.id, a.asset_key, a.data_version, a.partition) == (a_id, "a", "dv-a", None)
    # NaN is not JSON: it is stored as null rather than failing the write.
    assert a.metadata == {"row_count": 3, "n": {"x": None}}
    [step] = catalog.steps("r")
    assert (step.asset_key, step.partition, step.status) == ("a", None, "SUCCESS")
    assert step.duration_s == pytest.approx(1.0)
    [event] = catalog.events("r")
    assert (event.type, event.asset_key, event.message) == ("STEP_START", "a", "Started a")


def test_end_run_writes_the_last_batch_only_if_the_run_moves(catalog: Catalog) -> None:
    catalog.create_run(run("r"))
    last = WriteBatch(events=[EventRecord("r", time.time(), "RUN_SUCCESS", "done")])
    assert catalog.end_run("r", "SUCCESS", only_from=["STARTED"], batch=last) is True
    got = catalog.get_run("r")
    assert (got.status, got.ended_at is not None) == ("SUCCESS", True)
    assert [e.type for e in catalog.events("r")] == ["RUN_SUCCESS"]

    again = WriteBatch(events=[EventRecord("r", time.time(), "RUN_FAILURE", "late")])
    assert catalog.end_run("r", "FAILURE", only_from=["STARTED"], batch=again) is False
    assert catalog.get_run("r").status == "SUCCESS"
    assert [e.type for e in catalog.events("r")] == ["RUN_SUCCESS"]


def test_sqlite_connections_checkpoint_the_wal_rarely(tmp_path: Path) -> None:
    """Every SQLite connection (the run writer's raw one included) checkpoints after
    WAL_CHECKPOINT_PAGES, not SQLite's 1,000: checkpoint fsyncs dominated small steps."""
    from assets_core.catalog.connection import WAL_CHECKPOINT_PAGES

    catalog = Catalog.open(f"sqlite:///{tmp_path / 'catalog.db'}")
    try:
        with catalog.engine.connect() as conn:
            pages = conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar()
            limit = conn.exec_driver_sql("PRAGMA journal_size_limit").scalar()
        writer_pages = catalog._writer.transact(
            lambda cur, _mark: cur.execute("PRAGMA wal_autocheckpoint").fetchone()[0],
            write=False,
        )
    finally:
        catalog.close()
    assert pages == writer_pages == WAL_CHECKPOINT_PAGES == 10_000
    assert limit == 64 * 1024 * 1024
