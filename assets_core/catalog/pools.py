"""Pool slots: at most ``limit`` steps of a pool run at once, across every run,
executor and process that shares the catalog.

A pool of limit N has slots numbered 0..N-1; a step holds one by a row of
``pool_slots`` (primary key pool + slot, so two processes can never take the same
slot). A holder leases its slot until ``expires_at`` and renews the lease while its
step runs; a slot whose lease expired (its process died) or whose run ended (canceled,
or ended by crash recovery) is free again, so a slot is never leaked.

The functions take an open SQLAlchemy ``Connection`` (a write transaction for those
that write).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, exists, select

from assets_core.catalog import tables as t
from assets_core.catalog.records import FINISHED_RUN_STATUSES, api_partition, db_partition

_s, _runs = t.pool_slots, t.runs


@dataclass(frozen=True, slots=True)
class PoolSlotRecord:
    """A slot held in a pool.

    Attributes:
        pool: The pool's name.
        slot: The slot's number (0 to the pool's limit - 1).
        lease_id: The holder's lease.
        run_id: The run of the step holding it.
        asset_key: The asset of that step.
        partition: Its partition (None when unpartitioned).
        holder: Who holds it (``host:pid``, or a Dask driver).
        acquired_at: When it was taken.
        expires_at: When the lease runs out unless renewed.
    """

    pool: str
    slot: int
    lease_id: str
    run_id: str
    asset_key: str
    partition: str | None
    holder: str
    acquired_at: float
    expires_at: float


_FINISHED = "('SUCCESS', 'FAILURE', 'CANCELED')"
assert {"SUCCESS", "FAILURE", "CANCELED"} == FINISHED_RUN_STATUSES
# A slot is held while its lease runs and its run has not ended.
_IN_USE = (
    "SELECT count(*) FROM pool_slots s WHERE s.pool = ? AND s.expires_at >= ?"
    f" AND NOT EXISTS (SELECT 1 FROM runs r WHERE r.id = s.run_id AND r.status IN {_FINISHED})"
)
_FREE_DEAD = (
    "DELETE FROM pool_slots WHERE pool = ? AND (expires_at < ? OR run_id IN"
    f" (SELECT id FROM runs WHERE status IN {_FINISHED}))"
)
_TAKEN = "SELECT slot FROM pool_slots WHERE pool = ?"
_TAKE = (
    "INSERT INTO pool_slots (pool, slot, lease_id, run_id, asset_key, partition, holder,"
    " acquired_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)

# These run on the catalog's raw write connection (``BatchWriter.transact``): a step of
# a pool takes and gives back a slot, and SQLAlchemy's statement building would cost
# more than the SQL.


def slots_in_use(cur: Any, mark: str, pool: str, now: float) -> int:
    """How many slots of ``pool`` are held (read only: lets a waiter skip a write)."""
    cur.execute(_IN_USE.replace("?", mark), (pool, now))
    return int(cur.fetchone()[0])


def acquire_slot(
    cur: Any, mark: str, pool: str, limit: int, lease: PoolSlotRecord, now: float
) -> int | None:
    """Free the slots of ``pool`` whose lease expired or whose run ended, then take the
    lowest free slot for ``lease`` (its ``slot`` number is ignored); return that
    number, or None when all ``limit`` slots are held. Call it in a write transaction;
    a concurrent taker of the same slot makes the insert fail (roll back, try again)."""
    cur.execute(_FREE_DEAD.replace("?", mark), (pool, now))
    cur.execute(_TAKEN.replace("?", mark), (pool,))
    used = {row[0] for row in cur.fetchall()}
    if len(used) >= limit:
        return None
    number = next(n for n in range(limit) if n not in used)
    cur.execute(
        _TAKE.replace("?", mark),
        (
            pool,
            number,
            lease.lease_id,
            lease.run_id,
            lease.asset_key,
            db_partition(lease.partition),
            lease.holder,
            now,
            lease.expires_at,
        ),
    )
    return number


def renew_slots(cur: Any, mark: str, lease_ids: Sequence[str], expires_at: float) -> int:
    """Extend the leases ``lease_ids``; return how many are still held."""
    if not lease_ids:
        return 0
    marks = ", ".join([mark] * len(lease_ids))
    cur.execute(
        f"UPDATE pool_slots SET expires_at = {mark} WHERE lease_id IN ({marks})",
        (expires_at, *lease_ids),
    )
    return int(cur.rowcount)


def release_slots(cur: Any, mark: str, lease_ids: Sequence[str]) -> int:
    """Give back the slots of ``lease_ids``; return how many were held."""
    if not lease_ids:
        return 0
    marks = ", ".join([mark] * len(lease_ids))
    cur.execute(f"DELETE FROM pool_slots WHERE lease_id IN ({marks})", tuple(lease_ids))
    return int(cur.rowcount)


def held_slots(conn: Connection, pool: str | None, now: float) -> list[PoolSlotRecord]:
    """The slots held now (of ``pool``, or of every pool), by pool and slot."""
    finished = exists().where(
        _runs.c.id == _s.c.run_id, _runs.c.status.in_(sorted(FINISHED_RUN_STATUSES))
    )
    q = select(_s).where(_s.c.expires_at >= now, ~finished).order_by(_s.c.pool, _s.c.slot)
    if pool is not None:
        q = q.where(_s.c.pool == pool)
    return [
        PoolSlotRecord(
            r.pool,
            r.slot,
            r.lease_id,
            r.run_id,
            r.asset_key,
            api_partition(r.partition),
            r.holder,
            r.acquired_at,
            r.expires_at,
        )
        for r in conn.execute(q)
    ]
