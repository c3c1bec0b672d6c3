"""Materializations and their provenance: by id, latest per asset, history, the
upstream materializations each one consumed, and the latest data versions and columns.
They are written by the batch writer (``writes.py``), never here.

Every function takes an open SQLAlchemy ``Connection`` (the bulk provenance read uses
its raw DB-API cursor).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, func, select

from assets_core.catalog import tables as t
from assets_core.catalog.dialect import chunks, raw_cursor
from assets_core.catalog.partitions import partition_rows
from assets_core.catalog.records import MaterializationRecord, PartitionRow, api_partition


def materialization_from_row(r: Any) -> MaterializationRecord:
    """The record of a ``materializations`` row.

    Args:
        r: A row of ``materializations``.
    """
    return MaterializationRecord(
        r.id,
        r.asset_key,
        api_partition(r.partition),
        r.run_id,
        r.timestamp,
        r.code_version,
        r.data_version,
        r.metadata or {},
        r.location,
        r.stored_size,
        r.stored_mtime_ns,
    )


def materializations_by_id(
    conn: Connection, ids: Iterable[int | None]
) -> dict[int, MaterializationRecord]:
    """The materializations with these ids (unknown ids and None are left out).

    Args:
        conn: An open connection.
        ids: Materialization ids, in any order, repeated or not.
    """
    wanted = [i for i in dict.fromkeys(ids) if i is not None]
    out: dict[int, MaterializationRecord] = {}
    for chunk in chunks(wanted):
        q = select(t.materializations).where(t.materializations.c.id.in_(chunk))
        out.update((r.id, materialization_from_row(r)) for r in conn.execute(q))
    return out


def latest_versions(
    conn: Connection, asset_keys: Sequence[str]
) -> dict[tuple[str, str | None], tuple[int, str | None]]:
    """(asset, partition) -> (latest materialization id, its data version).

    Args:
        conn: An open connection.
        asset_keys: The assets.
    """
    ap, m = t.asset_partitions, t.materializations
    out: dict[tuple[str, str | None], tuple[int, str | None]] = {}
    for chunk in chunks(list(asset_keys)):
        q = (
            select(ap.c.asset_key, ap.c.partition, m.c.id, m.c.data_version)
            .join(m, m.c.id == ap.c.materialization_id)
            .where(ap.c.asset_key.in_(chunk))
        )
        for key, part, mat_id, version in conn.execute(q):
            out[(key, api_partition(part))] = (mat_id, version)
    return out


def latest_materializations(
    conn: Connection, asset_keys: Sequence[str], partition: str | None = None
) -> dict[str, MaterializationRecord]:
    """The latest materialization of each asset that has one.

    Args:
        conn: An open connection.
        asset_keys: The assets.
        partition: Of this partition; with None, an unpartitioned asset's latest, or
            a partitioned asset's latest of any partition.
    """
    rows = partition_rows(conn, asset_keys, partition, all_partitions=partition is None)
    best: dict[str, PartitionRow] = {}
    for r in rows:
        if r.materialization_id is None:
            continue
        cur = best.get(r.asset_key)
        if (
            cur is None
            or (r.partition is None and cur.partition is not None)
            or ((r.partition is None) == (cur.partition is None) and r.timestamp > cur.timestamp)
        ):
            best[r.asset_key] = r
    mats = materializations_by_id(conn, (r.materialization_id for r in best.values()))
    return {k: mats[r.materialization_id] for k, r in best.items() if r.materialization_id in mats}


def latest_columns(conn: Connection, asset_keys: Sequence[str]) -> dict[str, list[str]]:
    """Column names recorded (``schema`` metadata) with each asset's latest
    materialization.

    Args:
        conn: An open connection.
        asset_keys: The assets.
    """
    out = {}
    for key, m in latest_materializations(conn, asset_keys).items():
        schema = m.metadata.get("schema")
        if isinstance(schema, list):
            out[key] = [c["name"] for c in schema if isinstance(c, dict) and "name" in c]
    return out


def materializations(
    conn: Connection,
    asset_key: str,
    limit: int = 20,
    before: int | None = None,
    partition: str | None = None,
) -> list[MaterializationRecord]:
    """History of an asset, newest first.

    Args:
        conn: An open connection.
        asset_key: The asset.
        limit: At most this many.
        before: Only ids below this materialization id (the previous page's last).
        partition: Only this partition.
    """
    m = t.materializations
    q = select(m).where(m.c.asset_key == asset_key).order_by(m.c.id.desc()).limit(limit)
    if before is not None:
        q = q.where(m.c.id < before)
    if partition is not None:
        q = q.where(m.c.partition == partition)
    return [materialization_from_row(r) for r in conn.execute(q)]


def materializations_for_run(conn: Connection, run_id: str) -> list[MaterializationRecord]:
    """The materializations a run recorded, in order.

    Args:
        conn: An open connection.
        run_id: The run.
    """
    m = t.materializations
    q = select(m).where(m.c.run_id == run_id).order_by(m.c.id)
    return [materialization_from_row(r) for r in conn.execute(q)]


def materialization_histories(
    conn: Connection,
    asset_keys: Sequence[str],
    limit: int,
    before: int | None = None,
    partition: str | None = None,
) -> dict[str, list[MaterializationRecord]]:
    """The ``limit`` newest materializations of each asset, newest first: one statement
    per chunk of assets (a ``row_number()`` window).

    Args:
        conn: An open connection.
        asset_keys: The assets.
        limit: At most this many per asset.
        before: Only ids below this materialization id.
        partition: Only this partition.
    """
    m = t.materializations
    out: dict[str, list[MaterializationRecord]] = {k: [] for k in asset_keys}
    if limit <= 0 or not asset_keys:
        return out
    for chunk in chunks(list(asset_keys)):
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


def upstream_ids(conn: Connection, materialization_ids: Iterable[int]) -> dict[int, list[int]]:
    """Materialization id -> ids of the upstream materializations it consumed.

    Read on the raw cursor: status asks this for every latest materialization.

    Args:
        conn: An open connection.
        materialization_ids: The downstream materializations.
    """
    wanted = list(dict.fromkeys(materialization_ids))
    out: dict[int, list[int]] = {i: [] for i in wanted}
    with raw_cursor(conn) as (cursor, mark):
        for chunk in chunks(wanted):
            cursor.execute(
                "SELECT materialization_id, upstream_id FROM provenance"
                f" WHERE materialization_id IN ({', '.join([mark] * len(chunk))})",
                tuple(chunk),
            )
            for mat_id, up_id in cursor.fetchall():
                out[mat_id].append(up_id)
    return out


def data_versions(
    conn: Connection, materialization_ids: Iterable[int]
) -> dict[int, tuple[str, str | None]]:
    """Materialization id -> (asset key, data version).

    Args:
        conn: An open connection.
        materialization_ids: The materializations.
    """
    wanted = list(dict.fromkeys(materialization_ids))
    out: dict[int, tuple[str, str | None]] = {}
    with raw_cursor(conn) as (cursor, mark):
        for chunk in chunks(wanted):
            cursor.execute(
                "SELECT id, asset_key, data_version FROM materializations"
                f" WHERE id IN ({', '.join([mark] * len(chunk))})",
                tuple(chunk),
            )
            for mat_id, key, version in cursor.fetchall():
                out[mat_id] = (key, version)
    return out


def provenance(conn: Connection, materialization_id: int) -> list[MaterializationRecord]:
    """The upstream materializations one materialization consumed.

    Args:
        conn: An open connection.
        materialization_id: The downstream materialization.
    """
    ups = upstream_ids(conn, [materialization_id])[materialization_id]
    mats = materializations_by_id(conn, ups)
    return [mats[i] for i in ups if i in mats]
