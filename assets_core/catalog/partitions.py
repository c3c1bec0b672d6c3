"""The latest outcome of every (asset, partition) — the ``asset_partitions`` table that
keeps status independent of history length — and the keys of dynamic partitions.

Outcomes are written by the batch writer (``writes.py``). Every function takes an open
SQLAlchemy ``Connection``; the reads that status makes for thousands of assets or
100,000 partitions go through its raw DB-API cursor, classified and aggregated in SQL.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, delete, select

from assets_core.catalog import tables as t
from assets_core.catalog.dialect import chunks, insert_ignore, raw_cursor
from assets_core.catalog.records import PartitionRow, api_partition, db_partition

#: Per asset: counts of materialized and failed partitions, whether the unpartitioned
#: row failed, and the latest materialized row, in ONE statement so that all of it
#: comes from one state of the catalog (two statements saw an asset materialized for
#: the first time in between; issue 14).
_OUTCOMES = (
    "SELECT c.asset_key, c.done, c.failed, c.failed_root,"
    " l.materialization_id, l.timestamp, l.code_version"
    " FROM (SELECT asset_key,"
    " SUM(CASE WHEN status = 'MATERIALIZED' THEN 1 ELSE 0 END) AS done,"
    " SUM(CASE WHEN status = 'FAILED' THEN 1 ELSE 0 END) AS failed,"
    " MAX(CASE WHEN status = 'FAILED' AND partition = '' THEN 1 ELSE 0 END) AS failed_root,"
    " MAX(CASE WHEN materialization_id IS NOT NULL THEN timestamp END) AS ts"
    " FROM asset_partitions WHERE asset_key IN ({}) GROUP BY asset_key) c"
    " LEFT JOIN asset_partitions l ON l.asset_key = c.asset_key AND l.timestamp = c.ts"
    " AND l.materialization_id IS NOT NULL"
)


def partition_row(r: Any) -> PartitionRow:
    """The record of an ``asset_partitions`` row.

    Args:
        r: A row of ``asset_partitions``.
    """
    return PartitionRow(
        r.asset_key,
        api_partition(r.partition),
        r.status,
        r.materialization_id,
        r.run_id,
        r.timestamp,
        r.failed_at,
    )


def partition_rows(
    conn: Connection,
    asset_keys: Sequence[str],
    partition: str | None = None,
    all_partitions: bool = False,
) -> list[PartitionRow]:
    """The latest outcome of each asset's ``partition`` (None: unpartitioned).

    Args:
        conn: An open connection.
        asset_keys: The assets.
        partition: The partition to read.
        all_partitions: Read every partition of the assets instead.
    """
    ap = t.asset_partitions
    rows: list[PartitionRow] = []
    for chunk in chunks(list(asset_keys)):
        q = select(ap).where(ap.c.asset_key.in_(chunk))
        if not all_partitions:
            q = q.where(ap.c.partition == db_partition(partition))
        rows.extend(partition_row(r) for r in conn.execute(q))
    return rows


def all_partition_rows(conn: Connection) -> list[PartitionRow]:
    """The latest outcome of every (asset, partition) in the catalog.

    Args:
        conn: An open connection.
    """
    return [partition_row(r) for r in conn.execute(select(t.asset_partitions))]


def partition_outcomes(
    conn: Connection, asset_key: str, code_version: str | None = None, with_times: bool = False
) -> list[tuple[Any, ...]]:
    """``(partition, outcome[, timestamp])`` for every partition of an asset with an
    outcome: 0 failed, 1 materialized, 2 materialized with a code version other than
    ``code_version``. Classified in SQL and read on the raw cursor: it must stay fast
    for 100,000 partitions.

    Args:
        conn: An open connection.
        asset_key: The asset.
        code_version: The current code version; None: never outcome 2.
        with_times: Add each partition's timestamp.
    """
    stale = "code_version IS NULL OR code_version <> ?" if code_version else "1 = 0"
    sql = (
        f"SELECT partition, CASE WHEN status = 'FAILED' THEN 0 WHEN {stale} THEN 2"
        f" ELSE 1 END{', timestamp' if with_times else ''} FROM asset_partitions"
        " WHERE asset_key = ?"
    )
    params = (code_version, asset_key) if code_version else (asset_key,)
    with raw_cursor(conn) as (cursor, mark):
        cursor.execute(sql.replace("?", mark), params)
        return list(cursor.fetchall())


_ATTEMPTS = (
    "SELECT asset_key, partition, status = 'FAILED', materialization_id IS NOT NULL,"
    " timestamp, failed_at FROM asset_partitions"
)


def latest_attempts(
    conn: Connection, asset_keys: Sequence[str], scan: bool = False
) -> list[tuple[Any, ...]]:
    """(asset, partition, latest attempt failed, has a materialization, its timestamp,
    failed_at) of every (asset, partition) of ``asset_keys`` with an outcome (what the
    automation conditions read, in one pass).

    Args:
        conn: An open connection.
        asset_keys: The assets.
        scan: Read the whole table and keep the rows of ``asset_keys``: for 10,000 of
            10,000 assets a third of the cost of the ``IN`` lists (12 statements).
    """
    with raw_cursor(conn) as (cursor, mark):
        if scan:
            wanted = set(asset_keys)
            cursor.execute(_ATTEMPTS)
            return [row for row in cursor.fetchall() if row[0] in wanted]
        rows: list[tuple[Any, ...]] = []
        for chunk in chunks(list(asset_keys)):
            cursor.execute(
                f"{_ATTEMPTS} WHERE asset_key IN ({', '.join([mark] * len(chunk))})",
                tuple(chunk),
            )
            rows += cursor.fetchall()
    return rows


def asset_outcomes(conn: Connection, asset_keys: Sequence[str]) -> dict[str, tuple[Any, ...]]:
    """Per asset, in one aggregate statement per chunk of assets whatever the number of
    partitions: (materialized count, failed count, whether the unpartitioned row
    failed, latest materialization id, its timestamp, its code version).

    Args:
        conn: An open connection.
        asset_keys: The assets; those never materialized nor failed are left out.
    """
    out: dict[str, tuple[Any, ...]] = {}
    with raw_cursor(conn) as (cursor, mark):
        for chunk in chunks(list(asset_keys)):
            cursor.execute(_OUTCOMES.format(", ".join([mark] * len(chunk))), tuple(chunk))
            for key, done, failed, failed_root, mat_id, ts, code_version in cursor.fetchall():
                seen = out.get(key)
                # Two partitions materialized at the same instant: keep the newer id.
                if seen is None or (mat_id is not None and mat_id > (seen[3] or 0)):
                    out[key] = (int(done), int(failed), bool(failed_root), mat_id, ts, code_version)
    return out


def change_marker(conn: Connection) -> tuple[Any, ...]:
    """A value that changes whenever a materialization, failure or check result is
    recorded, or dynamic partition keys are added or deleted: status caches compare it
    instead of recomputing.

    Args:
        conn: An open connection.
    """
    q = (
        "SELECT (SELECT count(*) FROM asset_partitions),"
        " (SELECT max(timestamp) FROM asset_partitions),"
        " (SELECT max(failed_at) FROM asset_partitions),"
        " (SELECT max(id) FROM check_results),"
        f" (SELECT updated_at FROM kv WHERE key = '{DYNAMIC_KEYS_VERSION}'),"
        f" (SELECT value FROM kv WHERE key = '{DYNAMIC_KEYS_VERSION}')"
    )
    return tuple(conn.exec_driver_sql(q).one())


def partition_statuses(conn: Connection, asset_key: str) -> dict[str, str]:
    """Partition -> MATERIALIZED | FAILED for every partition of an asset with an
    outcome.

    Args:
        conn: An open connection.
        asset_key: The asset.
    """
    ap = t.asset_partitions
    q = select(ap.c.partition, ap.c.status).where(ap.c.asset_key == asset_key)
    return {r[0]: r[1] for r in conn.execute(q)}


def add_dynamic_partitions(conn: Connection, name: str, keys: Sequence[str]) -> int:
    """Add ``keys`` to the dynamic partitions ``name``; return how many were new.

    Args:
        conn: A connection in a write transaction.
        name: The ``DynamicPartitions`` name.
        keys: The partition keys (validated by the caller).
    """
    now = time.time()
    rows = [{"name": name, "partition": k, "added_at": now} for k in keys]
    added = insert_ignore(conn, t.dynamic_partitions, rows)
    if added:
        _dynamic_keys_changed(conn)
    return added


def delete_dynamic_partitions(conn: Connection, name: str, keys: Sequence[str]) -> int:
    """Remove ``keys`` from the dynamic partitions ``name``; return how many existed.

    Args:
        conn: A connection in a write transaction.
        name: The ``DynamicPartitions`` name.
        keys: The partition keys.
    """
    d = t.dynamic_partitions
    q = delete(d).where(d.c.name == name, d.c.partition.in_(list(keys)))
    deleted = int(conn.execute(q).rowcount)
    if deleted:
        _dynamic_keys_changed(conn)
    return deleted


#: The ``kv`` entry counting changes to dynamic partition keys (the change marker
#: reads its time, so a cache sees keys added or deleted).
DYNAMIC_KEYS_VERSION = "dynamic_partitions/version"


def _dynamic_keys_changed(conn: Connection) -> None:
    from assets_core.catalog.snapshots import get_kv, set_kv

    set_kv(conn, DYNAMIC_KEYS_VERSION, int(get_kv(conn, DYNAMIC_KEYS_VERSION) or 0) + 1)


def dynamic_partitions(conn: Connection, name: str) -> list[str]:
    """The keys of the dynamic partitions ``name``, in the order they were added.

    Args:
        conn: An open connection.
        name: The ``DynamicPartitions`` name.
    """
    d = t.dynamic_partitions
    q = select(d.c.partition).where(d.c.name == name).order_by(d.c.added_at, d.c.partition)
    return list(conn.execute(q).scalars())
