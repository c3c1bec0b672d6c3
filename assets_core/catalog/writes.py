"""The catalog's write path, the hottest code in a run.

One transaction per batch (a step's events, step record, materialization, provenance
and check results), so a finished step is durable as a whole or not at all. It runs
on a raw DB-API connection kept open by the writer: going through SQLAlchemy Core
statement by statement costs more than the whole rest of a trivial step. The SQL is
plain and identical on SQLite and PostgreSQL (``INSERT ... ON CONFLICT``, ``RETURNING``).
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from sqlalchemy import Engine

from assets_core.catalog import forks
from assets_core.catalog.reconnect import connection_lost, discard, lost_error, retry_when_lost
from assets_core.catalog.records import WriteBatch, db_partition
from assets_core.redaction import Redactor, guarded_cursor, redactor

T = TypeVar("T")

_EVENT = (
    "INSERT INTO events (run_id, timestamp, type, asset_key, partition, level, message,"
    " data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)
_STEP = (
    "INSERT INTO run_steps (run_id, asset_key, partition, status, attempts, started_at,"
    " ended_at, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (run_id, asset_key,"
    " partition) DO UPDATE SET status = excluded.status, attempts = excluded.attempts,"
    " started_at = excluded.started_at, ended_at = excluded.ended_at,"
    " error = excluded.error"
)
_MAT = (
    "INSERT INTO materializations (asset_key, partition, run_id, timestamp, code_version,"
    " data_version, metadata, location, stored_size, stored_mtime_ns)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"
)
_PROV = "INSERT INTO provenance (materialization_id, upstream_id) VALUES (?, ?)"
_LATEST = (
    "INSERT INTO asset_partitions (asset_key, partition, status, materialization_id,"
    " code_version, run_id, timestamp, failed_at)"
    " VALUES (?, ?, 'MATERIALIZED', ?, ?, ?, ?, NULL)"
    " ON CONFLICT (asset_key, partition) DO UPDATE SET status = 'MATERIALIZED',"
    " materialization_id = excluded.materialization_id,"
    " code_version = excluded.code_version, run_id = excluded.run_id,"
    " timestamp = excluded.timestamp, failed_at = NULL"
)
# A failure keeps the partition's last successful materialization.
_FAILED = (
    "INSERT INTO asset_partitions (asset_key, partition, status, materialization_id,"
    " run_id, timestamp, failed_at) VALUES (?, ?, 'FAILED', NULL, ?, ?, ?)"
    " ON CONFLICT (asset_key, partition) DO UPDATE SET status = 'FAILED',"
    " run_id = excluded.run_id, failed_at = excluded.failed_at"
)
_CHECK = (
    "INSERT INTO check_results (asset_key, check_name, partition, run_id, timestamp,"
    " status, passed, severity, blocking, metadata, error, duration_s)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def _json_default(value: Any) -> Any:
    for attr in ("isoformat", "item"):
        if hasattr(value, attr):
            return getattr(value, attr)()
    return str(value)


#: One encoder for every call: ``json.dumps`` with options builds a new one each time.
_ENCODE = json.JSONEncoder(separators=(",", ":"), allow_nan=False, default=_json_default).encode


def dumps(value: Any) -> str | None:
    if value is None:
        return None
    try:
        return _ENCODE(value)
    except ValueError:  # NaN / inf: JSON has no such numbers
        return json.dumps(_finite(value), separators=(",", ":"), default=_json_default)


def _finite(value: Any) -> Any:
    if (isinstance(value, float) and value != value) or value in (float("inf"), float("-inf")):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def redact_batch(batch: WriteBatch, hide: Redactor) -> WriteBatch:
    """``batch`` with its free text redacted: event messages and data, step errors,
    materialization metadata and data versions, check metadata and errors. Keys, ids,
    statuses and locations are kept as they are (they are looked up by value)."""
    if not hide:
        return batch
    return replace(
        batch,
        events=[
            replace(e, message=hide.redact(e.message), data=hide.redact_value(e.data))
            for e in batch.events
        ],
        steps=[replace(s, error=hide.redact(s.error)) if s.error else s for s in batch.steps],
        materializations=[
            replace(
                m,
                metadata=hide.redact_value(m.metadata),
                data_version=hide.redact(m.data_version) if m.data_version else m.data_version,
            )
            for m in batch.materializations
        ],
        check_results=[
            replace(
                c,
                metadata=hide.redact_value(c.metadata),
                error=hide.redact(c.error) if c.error else c.error,
            )
            for c in batch.check_results
        ],
    )


@dataclass(frozen=True, slots=True)
class RunEnd:
    """Move a run to its final ``status`` if it is still one of ``only_from``."""

    run_id: str
    status: str
    only_from: tuple[str, ...]
    ended_at: float
    error: str | None = None


class BatchWriter:
    """Writes ``WriteBatch``es on one long-lived raw connection (per process)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._sqlite = engine.dialect.name == "sqlite"
        self._sql = {
            name: sql if self._sqlite else sql.replace("?", "%s")
            for name, sql in (
                ("event", _EVENT),
                ("step", _STEP),
                ("mat", _MAT),
                ("prov", _PROV),
                ("latest", _LATEST),
                ("failed", _FAILED),
                ("check", _CHECK),
            )
        }
        self._lock = threading.Lock()
        self._conn: Any = None
        self._pid = 0

    def _connection(self) -> Any:
        if self._conn is None or self._pid != os.getpid():
            # After a fork the parent's connection must not be used (nor closed: the
            # parent still uses it): open our own.
            if self._conn is not None:
                forks.INHERITED.append(self._conn)
            self._conn = self._engine.raw_connection()
            self._pid = os.getpid()
        return self._conn

    def close(self) -> None:
        with forks.transaction(), self._lock:
            if self._conn is not None and self._pid == os.getpid():
                with contextlib.suppress(Exception):  # a connection whose server is gone
                    self._conn.close()
            self._conn = None

    def transact(self, fn: Callable[[Any, str], T], *, write: bool = True) -> T:
        """Run ``fn(cursor, mark)`` in one transaction on this writer's connection
        (``mark`` is the driver's parameter mark); roll back if it raises. A read
        (``write=False``) does not take SQLite's write lock."""
        mark = "?" if self._sqlite else "%s"
        with forks.transaction(), self._lock:
            return retry_when_lost(
                lambda: self._attempt(lambda conn, cur: fn(guarded_cursor(cur), mark), write),
                postgres=not self._sqlite,
            )

    def write(self, batch: WriteBatch, end_run: RunEnd | None = None) -> list[int] | None:
        """Commit ``batch``; with ``end_run``, only if the run could be moved to its
        final status in the same transaction (else nothing is written: None). On
        PostgreSQL a lost connection is reopened and the batch written again
        (``catalog/reconnect.py``). Every string is redacted first
        (``assets_core.redaction``)."""
        hide = redactor()
        if hide:
            batch = redact_batch(batch, hide)
            if end_run is not None and end_run.error:
                end_run = replace(end_run, error=hide.redact(end_run.error))

        def body(conn: Any, cur: Any) -> list[int] | None:
            if end_run is not None and not self._end_run(cur, end_run):
                conn.rollback()
                return None
            return self._write(cur, batch)

        with forks.transaction(), self._lock:
            return retry_when_lost(lambda: self._attempt(body, True), postgres=not self._sqlite)

    def _attempt(self, body: Callable[[Any, Any], T], write: bool) -> T:
        """One try: ``body(connection, cursor)`` in a transaction, then commit."""
        conn = self._connection()
        cur = conn.cursor()
        try:
            if self._sqlite and write:
                cur.execute("BEGIN IMMEDIATE")
            out = body(conn, cur)
        except BaseException as e:
            self._abort(conn, e)
            raise
        finally:
            with contextlib.suppress(Exception):
                cur.close()
        try:
            conn.commit()
        except BaseException as e:
            self._abort(conn, e)
            if not self._sqlite and connection_lost(e):
                raise lost_error(e, " while committing") from None
            raise
        return out

    def _abort(self, conn: Any, error: BaseException) -> None:
        if not self._sqlite and connection_lost(error):
            discard(conn)  # its server is gone: the next try opens a new one
            self._conn = None
            return
        conn.rollback()

    def _end_run(self, cur: Any, end: RunEnd) -> bool:
        mark = "?" if self._sqlite else "%s"
        allowed = ", ".join([mark] * len(end.only_from))
        cur.execute(
            f"UPDATE runs SET status = {mark}, ended_at = {mark}, error = {mark}"
            f" WHERE id = {mark} AND status IN ({allowed})",
            (end.status, end.ended_at, end.error, end.run_id, *end.only_from),
        )
        return bool(cur.rowcount == 1)

    def _write(self, cur: Any, batch: WriteBatch) -> list[int]:
        sql = self._sql
        if batch.events:
            cur.executemany(
                sql["event"],
                [
                    (
                        e.run_id,
                        e.timestamp,
                        e.type,
                        e.asset_key,
                        e.partition,
                        e.level,
                        e.message,
                        dumps(e.data),
                    )
                    for e in batch.events
                ],
            )
        if batch.steps:
            cur.executemany(
                sql["step"],
                [
                    (
                        s.run_id,
                        s.asset_key,
                        db_partition(s.partition),
                        s.status,
                        s.attempts,
                        s.started_at,
                        s.ended_at,
                        s.error,
                    )
                    for s in batch.steps
                ],
            )
        ids: list[int] = []
        for m in batch.materializations:
            part = db_partition(m.partition)
            cur.execute(
                sql["mat"],
                (
                    m.asset_key,
                    part,
                    m.run_id,
                    m.timestamp,
                    m.code_version,
                    m.data_version,
                    dumps(m.metadata),
                    m.location,
                    m.stored_size,
                    m.stored_mtime_ns,
                ),
            )
            mat_id = cur.fetchone()[0]
            ids.append(mat_id)
            if m.upstream_ids:
                cur.executemany(sql["prov"], [(mat_id, u) for u in dict.fromkeys(m.upstream_ids)])
            cur.execute(
                sql["latest"], (m.asset_key, part, mat_id, m.code_version, m.run_id, m.timestamp)
            )
        if batch.failures:
            cur.executemany(
                sql["failed"],
                [
                    (key, db_partition(part), run_id, ts, ts)
                    for key, part, run_id, ts in batch.failures
                ],
            )
        if batch.check_results:
            cur.executemany(
                sql["check"],
                [
                    (
                        c.asset_key,
                        c.check_name,
                        db_partition(c.partition),
                        c.run_id,
                        c.timestamp,
                        c.status,
                        c.passed,
                        c.severity,
                        c.blocking,
                        dumps(c.metadata),
                        c.error,
                        c.duration_s,
                    )
                    for c in batch.check_results
                ],
            )
        return ids
