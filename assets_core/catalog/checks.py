"""Check results: the latest of each (asset, check), a run's results, and histories.
They are written by the batch writer (``writes.py``), never here.

Every function takes an open SQLAlchemy ``Connection``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, func, select

from assets_core.catalog import tables as t
from assets_core.catalog.dialect import CHUNK, chunks
from assets_core.catalog.records import CheckResultRecord, api_partition


def check_from_row(r: Any) -> CheckResultRecord:
    """The record of a ``check_results`` row.

    Args:
        r: A row of ``check_results``.
    """
    return CheckResultRecord(
        r.asset_key,
        r.check_name,
        api_partition(r.partition),
        r.run_id,
        r.timestamp,
        r.status,
        r.passed,
        r.severity,
        r.blocking,
        r.metadata or {},
        r.error,
        r.duration_s,
        r.id,
    )


def latest_check_results(
    conn: Connection, asset_keys: Sequence[str]
) -> dict[tuple[str, str], CheckResultRecord]:
    """(asset, check name) -> its latest result, for every check of these assets.

    Args:
        conn: An open connection.
        asset_keys: The assets.
    """
    c = t.check_results
    out: dict[tuple[str, str], CheckResultRecord] = {}
    for chunk in chunks(list(asset_keys)):
        latest = (
            select(func.max(c.c.id))
            .where(c.c.asset_key.in_(chunk))
            .group_by(c.c.asset_key, c.c.check_name)
        )
        for r in conn.execute(select(c).where(c.c.id.in_(latest))):
            out[(r.asset_key, r.check_name)] = check_from_row(r)
    return out


def check_results_for_run(conn: Connection, run_id: str) -> list[CheckResultRecord]:
    """The check results a run recorded, in order.

    Args:
        conn: An open connection.
        run_id: The run.
    """
    c = t.check_results
    q = select(c).where(c.c.run_id == run_id).order_by(c.c.id)
    return [check_from_row(r) for r in conn.execute(q)]


def check_history(
    conn: Connection, asset_key: str, check_name: str, limit: int = 20
) -> list[CheckResultRecord]:
    """The results of one check, newest first.

    Args:
        conn: An open connection.
        asset_key: The asset checked.
        check_name: The check.
        limit: At most this many.
    """
    c = t.check_results
    q = (
        select(c)
        .where(c.c.asset_key == asset_key, c.c.check_name == check_name)
        .order_by(c.c.id.desc())
        .limit(limit)
    )
    return [check_from_row(r) for r in conn.execute(q)]


def check_histories(
    conn: Connection, checks: Sequence[tuple[str, str]], limit: int
) -> dict[tuple[str, str], list[CheckResultRecord]]:
    """The ``limit`` newest results of each ``(asset, check name)``, newest first: one
    statement per chunk of assets (a ``row_number()`` window).

    Args:
        conn: An open connection.
        checks: ``(asset, check name)`` pairs.
        limit: At most this many per check.
    """
    c = t.check_results
    out: dict[tuple[str, str], list[CheckResultRecord]] = {k: [] for k in checks}
    if limit <= 0 or not checks:
        return out
    assets = sorted({a for a, _ in checks})
    names = sorted({n for _, n in checks})
    for chunk in chunks(assets):
        rn = func.row_number().over(
            partition_by=(c.c.asset_key, c.c.check_name), order_by=c.c.id.desc()
        )
        inner = select(c, rn.label("rn")).where(c.c.asset_key.in_(chunk))
        if len(names) <= CHUNK:  # else keep only the wanted pairs below
            inner = inner.where(c.c.check_name.in_(names))
        sub = inner.subquery()
        q = select(sub).where(sub.c.rn <= limit).order_by(sub.c.id.desc())
        for r in conn.execute(q):
            key = (r.asset_key, r.check_name)
            if key in out:
                out[key].append(check_from_row(r))
    return out
