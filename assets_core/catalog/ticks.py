"""Schedules and sensors in the catalog: their start/stop state and cursors, and the
ticks that evaluated them (and the automation conditions).

A tick is committed in one transaction with everything it decided: the runs it
queued, the schedule's or sensor's new state (last tick, cursor), the dynamic
partitions a sensor added, and, when a daemon commits it, a check that the daemon
still holds its lease. A daemon killed before the commit leaves no trace of the tick
(the next daemon evaluates it again, with the same run keys); one killed after leaves
all of it. A run key that already launched a run is never launched again: such a
request is left out and the tick says so.

The functions take an open SQLAlchemy ``Connection``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, delete, func, select

from assets_core.catalog import tables as t
from assets_core.catalog.dialect import insert_ignore, insert_many, raw_cursor, upsert
from assets_core.catalog.records import RunRecord
from assets_core.catalog.runs import run_row

TICK_STATUSES = ("SUCCESS", "SKIPPED", "FAILURE")
INSTIGATOR_STATUSES = ("RUNNING", "STOPPED")


@dataclass(frozen=True, slots=True)
class InstigatorState:
    """What the catalog holds about one schedule or sensor.

    Attributes:
        name: The schedule's or sensor's name.
        kind: ``schedule`` or ``sensor``.
        status: ``RUNNING`` or ``STOPPED`` as set by start/stop; None: never set (the
            definition's ``default_status`` applies).
        cursor: A sensor's cursor (``context.update_cursor``).
        last_tick_at: A schedule's last cron instant handled; a sensor's last
            evaluation (epoch seconds).
    """

    name: str
    kind: str
    status: str | None = None
    cursor: str | None = None
    last_tick_at: float | None = None
    updated_at: float = 0.0


@dataclass(frozen=True, slots=True)
class TickRecord:
    """One recorded tick.

    Attributes:
        id: Increasing with time (the page cursor).
        name: The schedule's or sensor's name, or ``automation``.
        kind: ``schedule``, ``sensor`` or ``automation``.
        timestamp: The tick's time (a schedule's cron instant).
        status: ``SUCCESS`` (it queued runs), ``SKIPPED`` (with ``reason``) or
            ``FAILURE`` (with ``error``).
        run_ids: The runs it queued.
    """

    id: int
    name: str
    kind: str
    timestamp: float
    status: str
    reason: str | None
    error: str | None
    run_ids: list[str]
    cursor_before: str | None
    cursor_after: str | None
    duration_s: float | None


@dataclass(slots=True)
class TickCommit:
    """A tick to record with what it decided, in one transaction.

    Attributes:
        name: The schedule's or sensor's name, or ``automation``.
        kind: ``schedule``, ``sensor`` or ``automation``.
        timestamp: The tick's time.
        status: ``SUCCESS``, ``SKIPPED`` or ``FAILURE`` as evaluated; a SUCCESS whose
            every run key had already launched is recorded SKIPPED.
        runs: The QUEUED runs to create.
        last_tick_at: The new ``last_tick_at`` of the schedule or sensor (None: keep).
        cursor_after: A sensor's new cursor (None with ``set_cursor`` False: keep).
        dynamic_partitions: ``(name, keys)`` a sensor added.
    """

    name: str
    kind: str
    timestamp: float
    status: str
    reason: str | None = None
    error: str | None = None
    runs: list[RunRecord] = field(default_factory=list)
    cursor_before: str | None = None
    cursor_after: str | None = None
    set_cursor: bool = False
    last_tick_at: float | None = None
    duration_s: float | None = None
    dynamic_partitions: list[tuple[str, list[str]]] = field(default_factory=list)


def _state_from_row(r: Any) -> InstigatorState:
    return InstigatorState(r.name, r.kind, r.status, r.cursor, r.last_tick_at, r.updated_at)


def _tick_from_row(r: Any) -> TickRecord:
    return TickRecord(
        r.id,
        r.name,
        r.kind,
        r.timestamp,
        r.status,
        r.reason,
        r.error,
        list(r.run_ids or []),
        r.cursor_before,
        r.cursor_after,
        r.duration_s,
    )


# -- state ------------------------------------------------------------------------------
def instigator_states(conn: Connection) -> dict[str, InstigatorState]:
    """Every schedule's and sensor's stored state, by name."""
    return {r.name: _state_from_row(r) for r in conn.execute(select(t.instigators))}


def set_instigator_status(
    conn: Connection, name: str, kind: str, status: str, now: float, last_tick_at: float | None
) -> None:
    """Start (``RUNNING``) or stop (``STOPPED``) a schedule or sensor. Starting sets
    ``last_tick_at`` to now, so a schedule does not catch up on the ticks it missed
    while stopped."""
    row = {
        "name": name,
        "kind": kind,
        "status": status,
        "last_tick_at": last_tick_at,
        "updated_at": now,
    }
    columns = ["kind", "status", "updated_at"] + (["last_tick_at"] if last_tick_at else [])
    upsert(conn, t.instigators, [row], keys=("name",), update=columns)


def reset_cursor(conn: Connection, name: str, kind: str, cursor: str | None, now: float) -> None:
    """Set a sensor's cursor (``None`` clears it)."""
    row = {"name": name, "kind": kind, "cursor": cursor, "updated_at": now}
    upsert(conn, t.instigators, [row], keys=("name",), update=("cursor", "updated_at"))


# -- ticks ------------------------------------------------------------------------------
def commit_ticks(
    conn: Connection,
    commits: Sequence[TickCommit],
    now: float,
    marks: Sequence[tuple[str, str, float]] = (),
) -> list[TickRecord]:
    """Record ``commits`` and everything they decided (see the module docstring), and
    ``marks``: (name, kind, last_tick_at) of schedules or sensors seen for the first
    time (no tick); return the recorded ticks, in order."""
    keyed = [r.run_key for c in commits for r in c.runs if r.run_key]
    launched: dict[str, str] = {}
    for i in range(0, len(keyed), 500):
        chunk = keyed[i : i + 500]
        q = select(t.runs.c.run_key, t.runs.c.id).where(t.runs.c.run_key.in_(chunk))
        launched.update({k: rid for k, rid in conn.execute(q)})

    run_rows: list[dict[str, Any]] = []
    tick_rows: list[dict[str, Any]] = []
    states: dict[str, dict[str, Any]] = {
        name: {"name": name, "kind": kind, "updated_at": now, "last_tick_at": at}
        for name, kind, at in marks
    }
    partitions: list[dict[str, Any]] = []
    for c in commits:
        fresh = [r for r in c.runs if not r.run_key or r.run_key not in launched]
        again = [r.run_key for r in c.runs if r.run_key and r.run_key in launched]
        for r in fresh:
            if r.run_key:
                launched[r.run_key] = r.id  # a key twice within this commit runs once
        status, reason = c.status, c.reason
        if again:
            listed = ", ".join(f"{k} (run {launched[k][:8]})" for k in again[:5])
            more = f" and {len(again) - 5} more" if len(again) > 5 else ""
            note = f"run key already launched: {listed}{more}"
            reason = f"{reason}; {note}" if reason and fresh else note
            if not fresh and status == "SUCCESS":
                status = "SKIPPED"
        run_rows += [run_row(r) for r in fresh]
        tick_rows.append(
            {
                "name": c.name,
                "kind": c.kind,
                "timestamp": c.timestamp,
                "status": status,
                "reason": reason,
                "error": c.error,
                "run_ids": [r.id for r in fresh],
                "cursor_before": c.cursor_before,
                "cursor_after": c.cursor_after if c.set_cursor else c.cursor_before,
                "duration_s": c.duration_s,
            }
        )
        if c.kind != "automation" and (c.last_tick_at is not None or c.set_cursor):
            state = states.setdefault(c.name, {"name": c.name, "kind": c.kind, "updated_at": now})
            if c.last_tick_at is not None:
                state["last_tick_at"] = c.last_tick_at
            if c.set_cursor:
                state["cursor"] = c.cursor_after
        for name, keys in c.dynamic_partitions:
            partitions += [{"name": name, "partition": k, "added_at": now} for k in keys]
    if partitions:
        insert_ignore(conn, t.dynamic_partitions, partitions)
    if run_rows:
        insert_many(conn, t.runs, run_rows)
    _save_states(conn, list(states.values()))
    ids = insert_many(conn, t.ticks, tick_rows, ids=True)
    return [TickRecord(id=i, **row) for i, row in zip(ids, tick_rows, strict=True)]


def _save_states(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Upsert state rows, each updating only the columns it holds."""
    by_columns: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        by_columns.setdefault(tuple(row), []).append(row)
    for columns, group in by_columns.items():
        updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c != "name")
        with raw_cursor(conn) as (cursor, mark):
            cursor.executemany(
                f"INSERT INTO instigators ({', '.join(columns)}) VALUES "
                f"({', '.join([mark] * len(columns))}) ON CONFLICT (name) DO UPDATE SET {updates}",
                [tuple(r[c] for c in columns) for r in group],
            )


def list_ticks(
    conn: Connection,
    names: Sequence[str] | None,
    limit: int,
    before_id: int | None,
    kinds: Sequence[str] | None = None,
    statuses: Sequence[str] | None = None,
) -> list[TickRecord]:
    """Ticks newest first, of ``names`` (None: all) and ``statuses`` (None: all);
    ``before_id`` is the id of the last tick of the previous page."""
    q = select(t.ticks).order_by(t.ticks.c.id.desc()).limit(limit)
    if names is not None:
        q = q.where(t.ticks.c.name.in_(list(names)))
    if kinds is not None:
        q = q.where(t.ticks.c.kind.in_(list(kinds)))
    if statuses is not None:
        q = q.where(t.ticks.c.status.in_(list(statuses)))
    if before_id is not None:
        q = q.where(t.ticks.c.id < before_id)
    return [_tick_from_row(r) for r in conn.execute(q)]


def latest_ticks(
    conn: Connection, names: Sequence[str], per_name: int
) -> dict[str, list[TickRecord]]:
    """The ``per_name`` newest ticks of each name, newest first (one statement)."""
    if not names:
        return {}
    rank = (
        func.row_number()
        .over(partition_by=t.ticks.c.name, order_by=t.ticks.c.id.desc())
        .label("rank")
    )
    inner = select(t.ticks, rank).where(t.ticks.c.name.in_(list(names))).subquery()
    q = select(inner).where(inner.c.rank <= per_name).order_by(inner.c.name, inner.c.id.desc())
    out: dict[str, list[TickRecord]] = {n: [] for n in names}
    for r in conn.execute(q):
        out[r.name].append(_tick_from_row(r))
    return out


def tick_durations(conn: Connection, limit: int) -> list[tuple[str, str, float]]:
    """(kind, status, duration) of the ``limit`` newest ticks that recorded a duration."""
    q = (
        select(t.ticks.c.kind, t.ticks.c.status, t.ticks.c.duration_s)
        .where(t.ticks.c.duration_s.is_not(None))
        .order_by(t.ticks.c.id.desc())
        .limit(limit)
    )
    return [(r[0], r[1], float(r[2])) for r in conn.execute(q)]


def prune_ticks(conn: Connection, older_than: float) -> int:
    """Delete SKIPPED ticks recorded before ``older_than`` (epoch seconds): they say
    nothing happened; ticks that queued runs or failed are kept."""
    q = delete(t.ticks).where(t.ticks.c.status == "SKIPPED", t.ticks.c.timestamp < older_than)
    return conn.execute(q).rowcount


def mark_state(conn: Connection, /, name: str, kind: str, now: float, **values: Any) -> None:
    """Set columns of one schedule's or sensor's state (creating it)."""
    row = {"name": name, "kind": kind, "updated_at": now, **values}
    upsert(conn, t.instigators, [row], keys=("name",), update=[c for c in row if c != "name"])


__all__ = [
    "INSTIGATOR_STATUSES",
    "TICK_STATUSES",
    "InstigatorState",
    "TickCommit",
    "TickRecord",
    "commit_ticks",
    "instigator_states",
    "latest_ticks",
    "list_ticks",
    "mark_state",
    "prune_ticks",
    "reset_cursor",
    "set_instigator_status",
    "tick_durations",
]
