"""Run events: one run's log in order, the first events of many runs at once, and
retention. Events are written by the batch writer (``writes.py``), never here.

Every function takes an open SQLAlchemy ``Connection``.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, delete, func, select

from assets_core.catalog import tables as t
from assets_core.catalog.dialect import chunks
from assets_core.catalog.records import EventRecord


def event_from_row(r: Any) -> EventRecord:
    """The record of an ``events`` row.

    Args:
        r: A row of ``events``.
    """
    return EventRecord(
        r.run_id, r.timestamp, r.type, r.message, r.asset_key, r.partition, r.level, r.data, r.id
    )


def events(
    conn: Connection, run_id: str, after: int | None = None, limit: int | None = None
) -> list[EventRecord]:
    """A run's events in order.

    Args:
        conn: An open connection.
        run_id: The run.
        after: The id of the last event already seen.
        limit: At most this many events.
    """
    q = select(t.events).where(t.events.c.run_id == run_id).order_by(t.events.c.id)
    if after is not None:
        q = q.where(t.events.c.id > after)
    if limit is not None:
        q = q.limit(limit)
    return [event_from_row(r) for r in conn.execute(q)]


def events_of_types(
    conn: Connection, run_id: str, types: Sequence[str], asset_key: str | None = None
) -> list[EventRecord]:
    """A run's events of the given types in order (its step failures, its captured
    output), optionally of one asset only.

    Args:
        conn: An open connection.
        run_id: The run.
        types: The event types wanted.
        asset_key: Only the events of this asset.
    """
    e = t.events
    q = select(e).where(e.c.run_id == run_id, e.c.type.in_(list(types))).order_by(e.c.id)
    if asset_key is not None:
        q = q.where(e.c.asset_key == asset_key)
    return [event_from_row(r) for r in conn.execute(q)]


def events_of_types_for_runs(
    conn: Connection, run_ids: Sequence[str], types: Sequence[str]
) -> dict[str, list[EventRecord]]:
    """The events of ``types`` of each run, in order: one statement per chunk of runs.

    Args:
        conn: An open connection.
        run_ids: The runs.
        types: The event types wanted.
    """
    e = t.events
    out: dict[str, list[EventRecord]] = {r: [] for r in run_ids}
    for chunk in chunks(list(run_ids)):
        q = (
            select(e)
            .where(e.c.run_id.in_(chunk), e.c.type.in_(list(types)))
            .order_by(e.c.run_id, e.c.id)
        )
        for r in conn.execute(q):
            out[r.run_id].append(event_from_row(r))
    return out


def events_for_runs(
    conn: Connection, run_ids: Sequence[str], after: int | None, limit: int
) -> dict[str, list[EventRecord]]:
    """The first ``limit`` events of each run after the event id ``after``, in order:
    one statement per chunk of runs (a ``row_number()`` window).

    Args:
        conn: An open connection.
        run_ids: The runs.
        after: The id of the last event already seen, for every run.
        limit: At most this many events per run.
    """
    e = t.events
    out: dict[str, list[EventRecord]] = {r: [] for r in run_ids}
    if limit <= 0 or not run_ids:
        return out
    for chunk in chunks(list(run_ids)):
        rn = func.row_number().over(partition_by=e.c.run_id, order_by=e.c.id)
        inner = select(e, rn.label("rn")).where(e.c.run_id.in_(chunk))
        if after is not None:
            inner = inner.where(e.c.id > after)
        sub = inner.subquery()
        q = select(sub).where(sub.c.rn <= limit).order_by(sub.c.run_id, sub.c.id)
        for r in conn.execute(q):
            out[r.run_id].append(event_from_row(r))
    return out


def prune_events(conn: Connection, older_than_s: float) -> int:
    """Delete run events older than ``older_than_s`` seconds; return how many.

    Materializations, provenance and check results are kept: they are the history
    status and lineage are computed from.

    Args:
        conn: A connection in a write transaction.
        older_than_s: The retention, in seconds.
    """
    cutoff = time.time() - older_than_s
    return int(conn.execute(delete(t.events).where(t.events.c.timestamp < cutoff)).rowcount)
