"""The catalog façade: runs, events, materializations, provenance, checks,
definition snapshots and dynamic partitions, over SQLite or PostgreSQL.

Several processes (UI server, run workers, CLI) share one catalog: every write is a
short transaction; on SQLite writers take the lock up front and wait for each other.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, and_, delete, func, insert, or_, select, update

from assets_core.catalog import evaluations as evals
from assets_core.catalog import leases, ticks
from assets_core.catalog import tables as t
from assets_core.catalog.connection import assetline_home, default_catalog_url, make_engine
from assets_core.catalog.connection import upgrade as upgrade_schema
from assets_core.catalog.dialect import insert_ignore, upsert
from assets_core.catalog.evaluations import AssetEventRecord, EvaluationRecord
from assets_core.catalog.leases import LeaseLostError, LeaseRecord
from assets_core.catalog.records import (
    FINISHED_RUN_STATUSES,
    CheckResultRecord,
    EventRecord,
    MaterializationRecord,
    PartitionRow,
    RunRecord,
    RunStatus,
    StepRecord,
    WriteBatch,
    api_partition,
    check_from_row,
    db_partition,
    event_from_row,
    materialization_from_row,
    run_from_row,
    run_row,
    step_from_row,
)
from assets_core.catalog.ticks import InstigatorState, TickCommit, TickRecord
from assets_core.catalog.writes import BatchWriter, RunEnd
from assets_core.errors import NotFoundError

_CHUNK = 900  # stay below SQLite's bound-parameter limits on old builds


def _chunks(items: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for i in range(0, len(items), _CHUNK):
        yield items[i : i + _CHUNK]


class Catalog:
    """Where Assetline records what happened. Open it with ``Catalog.open()``."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._writer = BatchWriter(engine)

    @classmethod
    def open(cls, url: str | None = None, home: Path | None = None) -> Catalog:
        """Open (and migrate if needed) the catalog at ``url``, by default
        ``$ASSETLINE_CATALOG_URL`` or SQLite in ``$ASSETLINE_HOME``."""
        engine = make_engine(url or default_catalog_url(home or assetline_home()))
        upgrade_schema(engine)
        return cls(engine)

    @property
    def url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    def close(self) -> None:
        self._writer.close()
        self.engine.dispose()

    def release_connections(self) -> None:
        """Close every open connection (before a fork: a connection must never be
        shared with a child process); the next call opens new ones."""
        self._writer.close()
        self.engine.dispose()

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        with self.engine.connect().execution_options(catalog_write=True) as conn, conn.begin():
            yield conn

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            yield conn

    @contextmanager
    def _raw_cursor(self) -> Iterator[tuple[Any, str]]:
        """A DB-API cursor and the driver's parameter mark, for the bulk reads where
        SQLAlchemy's result objects cost more than the query."""
        mark = "?" if self.engine.dialect.name == "sqlite" else "%s"
        with self._read() as conn:
            cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
            try:
                yield cursor, mark
            finally:
                cursor.close()

    # -- runs --------------------------------------------------------------------
    def create_run(self, run: RunRecord) -> RunRecord:
        run.created_at = run.created_at or time.time()
        with self._write() as conn:
            conn.execute(insert(t.runs), run_row(run))
        return run

    def update_run(self, run_id: str, **values: Any) -> None:
        """Set columns of a run (``status``, ``started_at``, ``ended_at``, ``error``...)."""
        with self._write() as conn:
            conn.execute(update(t.runs).where(t.runs.c.id == run_id).values(**values))

    def transition_run(
        self, run_id: str, to: RunStatus, *, only_from: Iterable[str], **values: Any
    ) -> bool:
        """Move a run to ``to`` only if its status is one of ``only_from`` (atomically);
        return whether it moved."""
        with self._write() as conn:
            result = conn.execute(
                update(t.runs)
                .where(t.runs.c.id == run_id, t.runs.c.status.in_(list(only_from)))
                .values(status=to, **values)
            )
            return result.rowcount == 1

    def heartbeat(self, run_id: str) -> None:
        self.update_run(run_id, heartbeat_at=time.time())

    def get_run(self, run_id: str) -> RunRecord:
        with self._read() as conn:
            row = conn.execute(select(t.runs).where(t.runs.c.id == run_id)).mappings().first()
            if row is None and len(run_id) >= 4:
                rows = (
                    conn.execute(
                        select(t.runs)
                        .where(t.runs.c.id.startswith(run_id, autoescape=True))
                        .limit(2)
                    )
                    .mappings()
                    .all()
                )
                row = rows[0] if len(rows) == 1 else None
        if row is None:
            raise NotFoundError(
                f"No run {run_id!r} in the catalog. List runs with `assetline runs`."
            )
        return run_from_row(row)

    def find_run_by_key(self, run_key: str) -> RunRecord | None:
        with self._read() as conn:
            row = conn.execute(select(t.runs).where(t.runs.c.run_key == run_key)).mappings().first()
        return run_from_row(row) if row else None

    def list_runs(
        self, status: str | None = None, limit: int = 50, before: tuple[float, str] | None = None
    ) -> list[RunRecord]:
        """Runs newest first; ``before`` = (created_at, id) of the last run of the
        previous page."""
        q = select(t.runs).order_by(t.runs.c.created_at.desc(), t.runs.c.id.desc()).limit(limit)
        if status:
            q = q.where(t.runs.c.status == status)
        if before is not None:
            ts, rid = before
            q = q.where(
                or_(t.runs.c.created_at < ts, and_(t.runs.c.created_at == ts, t.runs.c.id < rid))
            )
        with self._read() as conn:
            return [run_from_row(r) for r in conn.execute(q).mappings()]

    def runs_in_status(self, statuses: Iterable[str], limit: int | None = None) -> list[RunRecord]:
        """Runs with one of ``statuses``, oldest first (the run queue's order)."""
        q = (
            select(t.runs)
            .where(t.runs.c.status.in_(list(statuses)))
            .order_by(t.runs.c.created_at, t.runs.c.id)
        )
        if limit is not None:
            q = q.limit(limit)
        with self._read() as conn:
            return [run_from_row(r) for r in conn.execute(q).mappings()]

    def count_runs(self, statuses: Iterable[str]) -> int:
        with self._read() as conn:
            return conn.execute(
                select(func.count()).select_from(t.runs).where(t.runs.c.status.in_(list(statuses)))
            ).scalar_one()

    # -- write path ----------------------------------------------------------------
    def write(self, batch: WriteBatch) -> list[int]:
        """Commit a batch in one transaction; return new materialization ids."""
        if not batch:
            return []
        return self._writer.write(batch) or []

    def end_run(
        self,
        run_id: str,
        status: str,
        *,
        only_from: Iterable[str],
        batch: WriteBatch,
        error: str | None = None,
    ) -> bool:
        """Atomically move a run to its final ``status`` (if it is still one of
        ``only_from``) and write ``batch`` (its last events and step records): a
        watcher never sees the run finished without its last events."""
        end = RunEnd(run_id, status, tuple(only_from), time.time(), error)
        return self._writer.write(batch, end) is not None

    def add_events(self, events: Sequence[EventRecord]) -> None:
        self.write(WriteBatch(events=list(events)))

    # -- events and steps ------------------------------------------------------------
    def events(
        self, run_id: str, after: int | None = None, limit: int | None = None
    ) -> list[EventRecord]:
        """A run's events in order; ``after`` is the id of the last event seen."""
        q = select(t.events).where(t.events.c.run_id == run_id).order_by(t.events.c.id)
        if after is not None:
            q = q.where(t.events.c.id > after)
        if limit is not None:
            q = q.limit(limit)
        with self._read() as conn:
            return [event_from_row(r) for r in conn.execute(q)]

    def steps(self, run_id: str) -> list[StepRecord]:
        q = (
            select(t.run_steps)
            .where(t.run_steps.c.run_id == run_id)
            .order_by(
                # skipped and canceled steps never started: place them when they ended,
                # the same way on every database
                func.coalesce(t.run_steps.c.started_at, t.run_steps.c.ended_at),
                t.run_steps.c.asset_key,
                t.run_steps.c.partition,
            )
        )
        with self._read() as conn:
            return [step_from_row(r) for r in conn.execute(q)]

    def steps_for_runs(self, run_ids: Sequence[str]) -> dict[str, list[StepRecord]]:
        out: dict[str, list[StepRecord]] = {r: [] for r in run_ids}
        with self._read() as conn:
            for chunk in _chunks(list(run_ids)):
                q = select(t.run_steps).where(t.run_steps.c.run_id.in_(chunk))
                for r in conn.execute(q):
                    out[r.run_id].append(step_from_row(r))
        return out

    def prune_events(self, older_than_s: float) -> int:
        """Delete run events older than ``older_than_s`` seconds (the retention
        setting); materializations, provenance and check results are kept."""
        cutoff = time.time() - older_than_s
        with self._write() as conn:
            return conn.execute(delete(t.events).where(t.events.c.timestamp < cutoff)).rowcount

    # -- materializations ---------------------------------------------------------------
    def partition_rows(
        self, asset_keys: Sequence[str], partition: str | None = None, all_partitions: bool = False
    ) -> list[PartitionRow]:
        """Latest outcome per (asset, partition). Unpartitioned assets have partition
        None. With ``all_partitions`` every partition of the assets is returned."""
        rows: list[PartitionRow] = []
        with self._read() as conn:
            for chunk in _chunks(list(asset_keys)):
                q = select(t.asset_partitions).where(t.asset_partitions.c.asset_key.in_(chunk))
                if not all_partitions:
                    q = q.where(t.asset_partitions.c.partition == db_partition(partition))
                rows.extend(
                    PartitionRow(
                        r.asset_key,
                        api_partition(r.partition),
                        r.status,
                        r.materialization_id,
                        r.run_id,
                        r.timestamp,
                        r.failed_at,
                    )
                    for r in conn.execute(q)
                )
        return rows

    def all_partition_rows(self) -> list[PartitionRow]:
        with self._read() as conn:
            return [
                PartitionRow(
                    r.asset_key,
                    api_partition(r.partition),
                    r.status,
                    r.materialization_id,
                    r.run_id,
                    r.timestamp,
                    r.failed_at,
                )
                for r in conn.execute(select(t.asset_partitions))
            ]

    def partition_outcomes(
        self, asset_key: str, code_version: str | None = None, with_times: bool = False
    ) -> list[tuple[Any, ...]]:
        """(partition, outcome[, timestamp]) for every partition of an asset with an
        outcome: 0 failed, 1 materialized, 2 materialized with a code version other than
        ``code_version`` (when given). Classified in SQL and read on a raw cursor: it
        must stay fast for 100,000 partitions."""
        stale = "code_version IS NULL OR code_version <> ?" if code_version else "1 = 0"
        sql = (
            f"SELECT partition, CASE WHEN status = 'FAILED' THEN 0 WHEN {stale} THEN 2"
            f" ELSE 1 END{', timestamp' if with_times else ''} FROM asset_partitions"
            " WHERE asset_key = ?"
        )
        params = (code_version, asset_key) if code_version else (asset_key,)
        with self._raw_cursor() as (cursor, mark):
            cursor.execute(sql.replace("?", mark), params)
            return list(cursor.fetchall())

    def change_marker(self) -> tuple[Any, ...]:
        """A value that changes whenever a materialization, failure or check result is
        recorded: status caches compare it instead of recomputing."""
        q = (
            "SELECT (SELECT count(*) FROM asset_partitions),"
            " (SELECT max(timestamp) FROM asset_partitions),"
            " (SELECT max(failed_at) FROM asset_partitions),"
            " (SELECT max(id) FROM check_results)"
        )
        with self._read() as conn:
            return tuple(conn.exec_driver_sql(q).one())

    def asset_outcomes(self, asset_keys: Sequence[str]) -> dict[str, tuple[Any, ...]]:
        """Per asset, in two aggregate queries whatever the number of partitions:
        (materialized count, failed count, unpartitioned latest failed, latest
        materialization id, its timestamp, its code version)."""
        counts_sql = (
            "SELECT asset_key, SUM(CASE WHEN status = 'MATERIALIZED' THEN 1 ELSE 0 END),"
            " SUM(CASE WHEN status = 'FAILED' THEN 1 ELSE 0 END),"
            " MAX(CASE WHEN status = 'FAILED' AND partition = '' THEN 1 ELSE 0 END)"
            " FROM asset_partitions WHERE asset_key IN ({}) GROUP BY asset_key"
        )
        latest_sql = (
            "SELECT ap.asset_key, ap.materialization_id, ap.timestamp, ap.code_version"
            " FROM asset_partitions ap JOIN (SELECT asset_key, MAX(timestamp) AS ts"
            " FROM asset_partitions WHERE materialization_id IS NOT NULL"
            " AND asset_key IN ({}) GROUP BY asset_key) m"
            " ON m.asset_key = ap.asset_key AND m.ts = ap.timestamp"
            " WHERE ap.materialization_id IS NOT NULL"
        )
        out: dict[str, tuple[Any, ...]] = {}
        with self._raw_cursor() as (cursor, mark):
            for chunk in _chunks(list(asset_keys)):
                marks = ", ".join([mark] * len(chunk))
                cursor.execute(counts_sql.format(marks), tuple(chunk))
                for key, done, failed, failed_root in cursor.fetchall():
                    out[key] = (int(done), int(failed), bool(failed_root), None, None, None)
                cursor.execute(latest_sql.format(marks), tuple(chunk))
                for key, mat_id, ts, code_version in cursor.fetchall():
                    out[key] = (*out[key][:3], mat_id, ts, code_version)
        return out

    def partition_statuses(self, asset_key: str) -> dict[str, str]:
        """partition -> MATERIALIZED | FAILED for every partition with an outcome."""
        q = select(t.asset_partitions.c.partition, t.asset_partitions.c.status).where(
            t.asset_partitions.c.asset_key == asset_key
        )
        with self._read() as conn:
            return {r[0]: r[1] for r in conn.execute(q)}

    def latest_versions(
        self, asset_keys: Sequence[str]
    ) -> dict[tuple[str, str | None], tuple[int, str | None]]:
        """(asset, partition) -> (latest materialization id, its data version)."""
        ap, m = t.asset_partitions, t.materializations
        out: dict[tuple[str, str | None], tuple[int, str | None]] = {}
        with self._read() as conn:
            for chunk in _chunks(list(asset_keys)):
                q = (
                    select(ap.c.asset_key, ap.c.partition, m.c.id, m.c.data_version)
                    .join(m, m.c.id == ap.c.materialization_id)
                    .where(ap.c.asset_key.in_(chunk))
                )
                for key, part, mat_id, version in conn.execute(q):
                    out[(key, api_partition(part))] = (mat_id, version)
        return out

    def materializations_by_id(self, ids: Iterable[int]) -> dict[int, MaterializationRecord]:
        wanted = [i for i in dict.fromkeys(ids) if i is not None]
        out: dict[int, MaterializationRecord] = {}
        with self._read() as conn:
            for chunk in _chunks(wanted):
                q = select(t.materializations).where(t.materializations.c.id.in_(chunk))
                out.update((r.id, materialization_from_row(r)) for r in conn.execute(q))
        return out

    def latest_materializations(
        self, asset_keys: Sequence[str], partition: str | None = None
    ) -> dict[str, MaterializationRecord]:
        """The latest materialization of each asset (of ``partition``; for a
        partitioned asset with ``partition`` None: of any partition)."""
        rows = self.partition_rows(asset_keys, partition, all_partitions=partition is None)
        best: dict[str, PartitionRow] = {}
        for r in rows:
            if r.materialization_id is None:
                continue
            cur = best.get(r.asset_key)
            if (
                cur is None
                or (r.partition is None and cur.partition is not None)
                or (
                    (r.partition is None) == (cur.partition is None) and r.timestamp > cur.timestamp
                )
            ):
                best[r.asset_key] = r
        mats = self.materializations_by_id(
            r.materialization_id for r in best.values() if r.materialization_id is not None
        )
        return {
            k: mats[r.materialization_id] for k, r in best.items() if r.materialization_id in mats
        }

    def latest_columns(self, asset_keys: Sequence[str]) -> dict[str, list[str]]:
        """Column names recorded with each asset's latest materialization."""
        out = {}
        for key, m in self.latest_materializations(asset_keys).items():
            schema = m.metadata.get("schema")
            if isinstance(schema, list):
                out[key] = [c["name"] for c in schema if isinstance(c, dict) and "name" in c]
        return out

    def materializations(
        self,
        asset_key: str,
        limit: int = 20,
        before: int | None = None,
        partition: str | None = None,
    ) -> list[MaterializationRecord]:
        """History of an asset, newest first; ``before`` is a materialization id."""
        q = (
            select(t.materializations)
            .where(t.materializations.c.asset_key == asset_key)
            .order_by(t.materializations.c.id.desc())
            .limit(limit)
        )
        if before is not None:
            q = q.where(t.materializations.c.id < before)
        if partition is not None:
            q = q.where(t.materializations.c.partition == partition)
        with self._read() as conn:
            return [materialization_from_row(r) for r in conn.execute(q)]

    def materializations_for_run(self, run_id: str) -> list[MaterializationRecord]:
        q = (
            select(t.materializations)
            .where(t.materializations.c.run_id == run_id)
            .order_by(t.materializations.c.id)
        )
        with self._read() as conn:
            return [materialization_from_row(r) for r in conn.execute(q)]

    def upstream_ids(self, materialization_ids: Iterable[int]) -> dict[int, list[int]]:
        """materialization id -> ids of the upstream materializations it consumed."""
        wanted = list(dict.fromkeys(materialization_ids))
        out: dict[int, list[int]] = {i: [] for i in wanted}
        with self._raw_cursor() as (cursor, mark):
            for chunk in _chunks(wanted):
                cursor.execute(
                    "SELECT materialization_id, upstream_id FROM provenance"
                    f" WHERE materialization_id IN ({', '.join([mark] * len(chunk))})",
                    tuple(chunk),
                )
                for mat_id, up_id in cursor.fetchall():
                    out[mat_id].append(up_id)
        return out

    def provenance(self, materialization_id: int) -> list[MaterializationRecord]:
        ups = self.upstream_ids([materialization_id])[materialization_id]
        mats = self.materializations_by_id(ups)
        return [mats[i] for i in ups if i in mats]

    # -- histories of many at once (catalog/history.py) ---------------------------------
    def materialization_histories(
        self,
        asset_keys: Sequence[str],
        limit: int,
        before: int | None = None,
        partition: str | None = None,
    ) -> dict[str, list[MaterializationRecord]]:
        """The ``limit`` newest materializations of each asset, newest first."""
        from assets_core.catalog.history import materialization_history

        return materialization_history(self.engine, asset_keys, limit, before, partition)

    def events_for_runs(
        self, run_ids: Sequence[str], after: int | None, limit: int
    ) -> dict[str, list[EventRecord]]:
        """The first ``limit`` events of each run after event id ``after``, in order."""
        from assets_core.catalog.history import run_events

        return run_events(self.engine, run_ids, after, limit)

    def check_histories(
        self, checks: Sequence[tuple[str, str]], limit: int
    ) -> dict[tuple[str, str], list[CheckResultRecord]]:
        """The ``limit`` newest results of each ``(asset, check name)``, newest first."""
        from assets_core.catalog.history import check_histories

        return check_histories(self.engine, checks, limit)

    # -- checks ---------------------------------------------------------------------------
    def latest_check_results(
        self, asset_keys: Sequence[str]
    ) -> dict[tuple[str, str], CheckResultRecord]:
        """(asset, check name) -> its latest result."""
        out: dict[tuple[str, str], CheckResultRecord] = {}
        with self._read() as conn:
            for chunk in _chunks(list(asset_keys)):
                latest = (
                    select(func.max(t.check_results.c.id))
                    .where(t.check_results.c.asset_key.in_(chunk))
                    .group_by(t.check_results.c.asset_key, t.check_results.c.check_name)
                )
                q = select(t.check_results).where(t.check_results.c.id.in_(latest))
                for r in conn.execute(q):
                    out[(r.asset_key, r.check_name)] = check_from_row(r)
        return out

    def check_results_for_run(self, run_id: str) -> list[CheckResultRecord]:
        q = (
            select(t.check_results)
            .where(t.check_results.c.run_id == run_id)
            .order_by(t.check_results.c.id)
        )
        with self._read() as conn:
            return [check_from_row(r) for r in conn.execute(q)]

    def check_history(
        self, asset_key: str, check_name: str, limit: int = 20
    ) -> list[CheckResultRecord]:
        q = (
            select(t.check_results)
            .where(
                t.check_results.c.asset_key == asset_key, t.check_results.c.check_name == check_name
            )
            .order_by(t.check_results.c.id.desc())
            .limit(limit)
        )
        with self._read() as conn:
            return [check_from_row(r) for r in conn.execute(q)]

    # -- dynamic partitions and key/value state ---------------------------------------------
    def add_dynamic_partitions(self, name: str, keys: Sequence[str]) -> int:
        now = time.time()
        with self._write() as conn:
            return insert_ignore(
                conn,
                t.dynamic_partitions,
                [{"name": name, "partition": k, "added_at": now} for k in keys],
            )

    def delete_dynamic_partitions(self, name: str, keys: Sequence[str]) -> int:
        with self._write() as conn:
            return conn.execute(
                delete(t.dynamic_partitions).where(
                    t.dynamic_partitions.c.name == name,
                    t.dynamic_partitions.c.partition.in_(list(keys)),
                )
            ).rowcount

    def dynamic_partitions(self, name: str) -> list[str]:
        q = (
            select(t.dynamic_partitions.c.partition)
            .where(t.dynamic_partitions.c.name == name)
            .order_by(t.dynamic_partitions.c.added_at, t.dynamic_partitions.c.partition)
        )
        with self._read() as conn:
            return list(conn.execute(q).scalars())

    def get_kv(self, key: str) -> Any:
        with self._read() as conn:
            return conn.execute(select(t.kv.c.value).where(t.kv.c.key == key)).scalar()

    def set_kv(self, key: str, value: Any) -> None:
        with self._write() as conn:
            upsert(
                conn,
                t.kv,
                [{"key": key, "value": value, "updated_at": time.time()}],
                keys=("key",),
                update=("value", "updated_at"),
            )

    # -- snapshots (see snapshots.py for their content) ---------------------------------------
    def save_snapshot(self, digest: str, data: dict[str, Any]) -> bool:
        """Record that the definitions with this digest were loaded now; store the
        snapshot itself once. Return whether it was new."""
        now = time.time()
        with self._write() as conn:
            seen = conn.execute(
                update(t.snapshots).where(t.snapshots.c.hash == digest).values(created_at=now)
            ).rowcount
            if seen:
                return False
            rows = [{"hash": digest, "created_at": now, "data": data}]
            return insert_ignore(conn, t.snapshots, rows) > 0

    def latest_snapshot(self) -> dict[str, Any] | None:
        """The definitions most recently loaded (by a run or the server)."""
        q = (
            select(t.snapshots.c.data)
            .order_by(t.snapshots.c.created_at.desc(), t.snapshots.c.id.desc())
            .limit(1)
        )
        with self._read() as conn:
            return conn.execute(q).scalar()

    # -- schedules, sensors and ticks (ticks.py) -----------------------------------------
    def instigator_states(self) -> dict[str, InstigatorState]:
        """Every schedule's and sensor's stored state (start/stop, cursor), by name."""
        with self._read() as conn:
            return ticks.instigator_states(conn)

    def set_instigator_status(
        self, name: str, kind: str, status: str, last_tick_at: float | None = None
    ) -> None:
        """Start (``RUNNING``) or stop (``STOPPED``) a schedule or sensor."""
        with self._write() as conn:
            ticks.set_instigator_status(conn, name, kind, status, time.time(), last_tick_at)

    def mark_instigator(self, name: str, kind: str, **values: Any) -> None:
        """Set columns of a schedule's or sensor's state (``last_tick_at``, ``cursor``)."""
        with self._write() as conn:
            ticks.mark_state(conn, name, kind, time.time(), **values)

    def commit_ticks(
        self,
        commits: Sequence[TickCommit],
        fence: tuple[str, str, float] | None = None,
        marks: Sequence[tuple[str, str, float]] = (),
    ) -> list[TickRecord]:
        """Record ticks with the runs they queued and the state they moved, in one
        transaction; with ``fence`` = (lease name, owner, ttl) only while that owner
        holds the lease (else ``LeaseLostError`` and nothing is written). ``marks``:
        (name, kind, last_tick_at) of schedules and sensors seen for the first time."""
        now = time.time()
        with self._write() as conn:
            if fence is not None and not leases.renew_lease(
                conn, fence[0], fence[1], now, fence[2]
            ):
                raise LeaseLostError(f"The lease {fence[0]!r} is no longer held by this process.")
            return ticks.commit_ticks(conn, commits, now, marks)

    def commit_evaluation_tick(
        self,
        commit: TickCommit,
        records: Sequence[EvaluationRecord],
        events: Sequence[AssetEventRecord] = (),
        fence: tuple[str, str, float] | None = None,
    ) -> TickRecord:
        """Record an automation tick with its runs, the evaluations it decided (linked
        to the tick) and asset events, in one transaction (see ``commit_ticks``)."""
        now = time.time()
        with self._write() as conn:
            if fence is not None and not leases.renew_lease(
                conn, fence[0], fence[1], now, fence[2]
            ):
                raise LeaseLostError(f"The lease {fence[0]!r} is no longer held by this process.")
            (tick,) = ticks.commit_ticks(conn, [commit], now)
            evals.add_evaluations(conn, [replace(r, tick_id=tick.id) for r in records])
            evals.add_asset_events(conn, events)
            return tick

    def list_ticks(
        self,
        names: Sequence[str] | None = None,
        limit: int = 50,
        before_id: int | None = None,
        kinds: Sequence[str] | None = None,
    ) -> list[TickRecord]:
        """Ticks newest first; ``before_id``: the id of the previous page's last tick."""
        with self._read() as conn:
            return ticks.list_ticks(conn, names, limit, before_id, kinds)

    def latest_ticks(self, names: Sequence[str], per_name: int = 1) -> dict[str, list[TickRecord]]:
        """The ``per_name`` newest ticks of each name, newest first."""
        with self._read() as conn:
            return ticks.latest_ticks(conn, names, per_name)

    def tick_durations(self, limit: int = 500) -> list[tuple[str, str, float]]:
        """(kind, status, seconds) of the newest ticks."""
        with self._read() as conn:
            return ticks.tick_durations(conn, limit)

    def prune_ticks(self, older_than: float) -> int:
        """Delete SKIPPED ticks older than ``older_than`` (epoch seconds)."""
        with self._write() as conn:
            return ticks.prune_ticks(conn, older_than)

    # -- automation evaluations and asset events (evaluations.py) ------------------------
    def add_evaluations(
        self,
        records: Sequence[EvaluationRecord],
        asset_events: Sequence[AssetEventRecord] = (),
    ) -> None:
        """Record automation evaluations and asset events in one transaction."""
        with self._write() as conn:
            evals.add_evaluations(conn, records)
            evals.add_asset_events(conn, asset_events)

    def evaluations(
        self, asset_key: str, limit: int = 20, before_id: int | None = None
    ) -> list[EvaluationRecord]:
        """An asset's automation evaluations, newest first."""
        with self._read() as conn:
            return evals.evaluations(conn, asset_key, limit, before_id)

    def latest_evaluations(
        self, asset_keys: Sequence[str], per_asset: int = 5
    ) -> dict[str, list[EvaluationRecord]]:
        """The newest automation evaluations of each asset, newest first."""
        with self._read() as conn:
            return evals.latest_evaluations(conn, asset_keys, per_asset)

    def asset_events(
        self, asset_key: str | None = None, type: str | None = None, limit: int = 50
    ) -> list[AssetEventRecord]:
        """Asset events (freshness violations...), newest first."""
        with self._read() as conn:
            return evals.asset_events(conn, asset_key, type, limit)

    def latest_asset_events(self, type: str) -> dict[str, float]:
        """asset key -> the time of its latest asset event of ``type``."""
        with self._read() as conn:
            return evals.latest_asset_events(conn, type)

    # -- leases (leases.py) ------------------------------------------------------------
    def acquire_lease(
        self, name: str, owner: str, host: str, pid: int, ttl_s: float
    ) -> LeaseRecord | None:
        """Take the lease if it is free, expired or already ``owner``'s; return it as
        it now stands."""
        with self._write() as conn:
            return leases.acquire_lease(conn, name, owner, host, pid, time.time(), ttl_s)

    def renew_lease(self, name: str, owner: str, ttl_s: float) -> bool:
        """Extend ``owner``'s lease; False when it no longer holds it."""
        with self._write() as conn:
            return leases.renew_lease(conn, name, owner, time.time(), ttl_s)

    def release_lease(self, name: str, owner: str) -> None:
        """Give up ``owner``'s lease."""
        with self._write() as conn:
            leases.release_lease(conn, name, owner)

    def get_lease(self, name: str) -> LeaseRecord | None:
        """The lease ``name`` as stored, live or expired."""
        with self._read() as conn:
            return leases.get_lease(conn, name)

    def __repr__(self) -> str:
        return f"<Catalog {self.url}>"


__all__ = ["FINISHED_RUN_STATUSES", "Catalog"]
