"""What the automation conditions decided, and why (``automation_evaluations``), and
alert-worthy facts about assets outside any run (``asset_events``: a freshness
violation).

The functions take an open SQLAlchemy ``Connection``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select

from assets_core.catalog import tables as t
from assets_core.catalog.dialect import raw_cursor
from assets_core.catalog.records import api_partition

_CHUNK = 500


@dataclass(frozen=True, slots=True)
class EvaluationRecord:
    """One decision about an asset (and a set of its partitions).

    Attributes:
        asset_key: The asset.
        timestamp: When the condition was evaluated.
        requested: Whether a run was requested.
        reason: Why, in words ("upstream raw/orders updated at 06:02").
        partitions: ``(first, last)`` key ranges it is about; None for an
            unpartitioned asset.
        partition_count: How many partitions (1 for an unpartitioned asset).
        run_id: The run it requested, if any.
        tick_id: The automation tick that decided it.
    """

    asset_key: str
    timestamp: float
    requested: bool
    reason: str
    partitions: list[tuple[str, str]] | None = None
    partition_count: int = 1
    run_id: str | None = None
    tick_id: int | None = None
    id: int | None = None


@dataclass(frozen=True, slots=True)
class AssetEventRecord:
    """An alert-worthy fact about an asset, such as ``FRESHNESS_VIOLATION``."""

    asset_key: str
    timestamp: float
    type: str
    message: str
    partition: str | None = None
    data: dict[str, Any] | None = None
    id: int | None = None


def _evaluation_from_row(r: Any) -> EvaluationRecord:
    ranges = [(a, b) for a, b in r.partitions] if r.partitions is not None else None
    return EvaluationRecord(
        r.asset_key,
        r.timestamp,
        bool(r.requested),
        r.reason,
        ranges,
        r.partition_count,
        r.run_id,
        r.tick_id,
        r.id,
    )


def add_evaluations(
    conn: Connection, records: Sequence[EvaluationRecord], tick_id: int | None = None
) -> None:
    """Record evaluations (many rows in one statement); ``tick_id``: the tick that
    decided them all."""
    if not records:
        return
    from assets_core.catalog.writes import dumps

    # Tuples straight onto the DB-API cursor: a tick can decide 10,000 assets.
    values = [
        (
            e.asset_key,
            e.timestamp,
            e.requested,
            e.reason,
            None if e.partitions is None else dumps([list(r) for r in e.partitions]),
            e.partition_count,
            e.run_id,
            e.tick_id if tick_id is None else tick_id,
        )
        for e in records
    ]
    with raw_cursor(conn) as (cursor, mark):
        cursor.executemany(
            "INSERT INTO automation_evaluations (asset_key, timestamp, requested, reason,"
            " partitions, partition_count, run_id, tick_id) VALUES (" + ", ".join([mark] * 8) + ")",
            values,
        )


def evaluations(
    conn: Connection, asset_key: str, limit: int, before_id: int | None = None
) -> list[EvaluationRecord]:
    """An asset's evaluations, newest first."""
    c = t.automation_evaluations.c
    q = select(t.automation_evaluations).where(c.asset_key == asset_key)
    if before_id is not None:
        q = q.where(c.id < before_id)
    q = q.order_by(c.id.desc()).limit(limit)
    return [_evaluation_from_row(r) for r in conn.execute(q)]


def latest_evaluations(
    conn: Connection, asset_keys: Sequence[str], per_asset: int
) -> dict[str, list[EvaluationRecord]]:
    """The ``per_asset`` newest evaluations of each asset, newest first."""
    out: dict[str, list[EvaluationRecord]] = {k: [] for k in asset_keys}
    c = t.automation_evaluations.c
    rank = func.row_number().over(partition_by=c.asset_key, order_by=c.id.desc()).label("rank")
    for i in range(0, len(asset_keys), _CHUNK):
        chunk = list(asset_keys[i : i + _CHUNK])
        inner = select(t.automation_evaluations, rank).where(c.asset_key.in_(chunk)).subquery()
        q = select(inner).where(inner.c.rank <= per_asset).order_by(inner.c.id.desc())
        for r in conn.execute(q):
            out[r.asset_key].append(_evaluation_from_row(r))
    return out


def prune_evaluations(conn: Connection, older_than: float) -> int:
    """Delete evaluations recorded before ``older_than`` (epoch seconds), except each
    asset's latest (what ``automation why`` shows first); return how many went."""
    c = t.automation_evaluations.c
    latest = (
        select(c.asset_key, func.max(c.tick_id).label("tick_id")).group_by(c.asset_key).subquery()
    )
    keep = select(t.automation_evaluations.c.id).join(
        latest, (c.asset_key == latest.c.asset_key) & (c.tick_id == latest.c.tick_id)
    )
    q = delete(t.automation_evaluations).where(c.timestamp < older_than, c.id.not_in(keep))
    return conn.execute(q).rowcount


def add_asset_events(conn: Connection, records: Sequence[AssetEventRecord]) -> None:
    """Record asset events."""
    if records:
        conn.execute(
            insert(t.asset_events),
            [
                {
                    "asset_key": e.asset_key,
                    "partition": e.partition,
                    "timestamp": e.timestamp,
                    "type": e.type,
                    "message": e.message,
                    "data": e.data,
                }
                for e in records
            ],
        )


def asset_events(
    conn: Connection, asset_key: str | None, type: str | None, limit: int
) -> list[AssetEventRecord]:
    """Asset events newest first, of one asset and/or one type."""
    c = t.asset_events.c
    q = select(t.asset_events).order_by(c.id.desc()).limit(limit)
    if asset_key is not None:
        q = q.where(c.asset_key == asset_key)
    if type is not None:
        q = q.where(c.type == type)
    return [
        AssetEventRecord(
            r.asset_key, r.timestamp, r.type, r.message, api_partition(r.partition), r.data, r.id
        )
        for r in conn.execute(q)
    ]


def latest_asset_events(conn: Connection, type: str) -> dict[str, float]:
    """asset key -> the time of its latest event of ``type``."""
    c = t.asset_events.c
    q = select(c.asset_key, func.max(c.timestamp)).where(c.type == type).group_by(c.asset_key)
    return {k: float(ts) for k, ts in conn.execute(q)}


__all__ = [
    "AssetEventRecord",
    "EvaluationRecord",
    "add_asset_events",
    "add_evaluations",
    "asset_events",
    "evaluations",
    "latest_asset_events",
    "latest_evaluations",
    "prune_evaluations",
]
