"""Histories of many assets, checks or runs at once: the latest N rows of each, in
one statement per chunk (a ``row_number()`` window; SQLite >= 3.25 and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Engine, func, select

from assets_core.catalog import tables as t
from assets_core.catalog.records import (
    CheckResultRecord,
    EventRecord,
    MaterializationRecord,
    check_from_row,
    event_from_row,
    materialization_from_row,
)

_CHUNK = 900


def _chunks(items: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for i in range(0, len(items), _CHUNK):
        yield items[i : i + _CHUNK]


def materialization_history(
    engine: Engine,
    asset_keys: Sequence[str],
    limit: int,
    before: int | None = None,
    partition: str | None = None,
) -> dict[str, list[MaterializationRecord]]:
    """The ``limit`` newest materializations of each asset (ids below ``before``,
    of ``partition`` when given), newest first."""
    m = t.materializations
    out: dict[str, list[MaterializationRecord]] = {k: [] for k in asset_keys}
    if limit <= 0 or not asset_keys:
        return out
    with engine.connect() as conn:
        for chunk in _chunks(list(asset_keys)):
            rn = func.row_number().over(partition_by=m.c.asset_key, order_by=m.c.id.desc())
            inner = select(m, rn.label("rn")).where(m.c.asset_key.in_(chunk))
            if before is not None:
                inner = inner.where(m.c.id < before)
            if partition is not None:
                inner = inner.where(m.c.partition == partition)
            sub = inner.subquery()
            q = select(sub).where(sub.c.rn <= limit).order_by(sub.c.asset_key, sub.c.id.desc())
            for r in conn.execute(q):
                out[r.asset_key].append(materialization_from_row(r))
    return out


def run_events(
    engine: Engine, run_ids: Sequence[str], after: int | None, limit: int
) -> dict[str, list[EventRecord]]:
    """The first ``limit`` events of each run after the event id ``after``, in order."""
    e = t.events
    out: dict[str, list[EventRecord]] = {r: [] for r in run_ids}
    if limit <= 0 or not run_ids:
        return out
    with engine.connect() as conn:
        for chunk in _chunks(list(run_ids)):
            rn = func.row_number().over(partition_by=e.c.run_id, order_by=e.c.id)
            inner = select(e, rn.label("rn")).where(e.c.run_id.in_(chunk))
            if after is not None:
                inner = inner.where(e.c.id > after)
            sub = inner.subquery()
            q = select(sub).where(sub.c.rn <= limit).order_by(sub.c.run_id, sub.c.id)
            for r in conn.execute(q):
                out[r.run_id].append(event_from_row(r))
    return out


def check_histories(
    engine: Engine, checks: Sequence[tuple[str, str]], limit: int
) -> dict[tuple[str, str], list[CheckResultRecord]]:
    """The ``limit`` newest results of each ``(asset, check name)``, newest first."""
    c = t.check_results
    out: dict[tuple[str, str], list[CheckResultRecord]] = {k: [] for k in checks}
    if limit <= 0 or not checks:
        return out
    assets = sorted({a for a, _ in checks})
    names = sorted({n for _, n in checks})
    with engine.connect() as conn:
        for chunk in _chunks(assets):
            rn = func.row_number().over(
                partition_by=(c.c.asset_key, c.c.check_name), order_by=c.c.id.desc()
            )
            inner = select(c, rn.label("rn")).where(c.c.asset_key.in_(chunk))
            if len(names) <= _CHUNK:  # else filter the pairs below
                inner = inner.where(c.c.check_name.in_(names))
            sub = inner.subquery()
            q = select(sub).where(sub.c.rn <= limit).order_by(sub.c.id.desc())
            for r in conn.execute(q):
                key = (r.asset_key, r.check_name)
                if key in out:
                    out[key].append(check_from_row(r))
    return out
