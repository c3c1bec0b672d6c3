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

from sqlalchemy import Connection, and_, delete, exists, func, insert, select, update
from sqlalchemy.exc import IntegrityError

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


def _live(pool: str, now: float) -> list[object]:
    """Conditions of a slot still held: lease not expired, run not finished."""
    finished = exists().where(
        _runs.c.id == _s.c.run_id, _runs.c.status.in_(sorted(FINISHED_RUN_STATUSES))
    )
    return [_s.c.pool == pool, _s.c.expires_at >= now, ~finished]


def slots_in_use(conn: Connection, pool: str, now: float) -> int:
    """How many slots of ``pool`` are held (read only: lets a waiter skip a write)."""
    q = select(func.count()).select_from(_s).where(*_live(pool, now))  # type: ignore[arg-type]
    return int(conn.execute(q).scalar_one())


def acquire_slot(
    conn: Connection, pool: str, limit: int, slot: PoolSlotRecord, now: float
) -> int | None:
    """Free the slots of ``pool`` whose lease expired or whose run ended, then take the
    lowest free slot for ``slot`` (its ``slot`` number is ignored); return that number,
    or None when all ``limit`` slots are held. Call it in a write transaction."""
    finished = select(_runs.c.id).where(
        _runs.c.id == _s.c.run_id, _runs.c.status.in_(sorted(FINISHED_RUN_STATUSES))
    )
    conn.execute(delete(_s).where(_s.c.pool == pool, (_s.c.expires_at < now) | exists(finished)))
    used = set(conn.execute(select(_s.c.slot).where(_s.c.pool == pool)).scalars())
    if len(used) >= limit:
        return None
    number = next(n for n in range(limit) if n not in used)
    try:
        with conn.begin_nested():
            conn.execute(
                insert(_s).values(
                    pool=pool,
                    slot=number,
                    lease_id=slot.lease_id,
                    run_id=slot.run_id,
                    asset_key=slot.asset_key,
                    partition=db_partition(slot.partition),
                    holder=slot.holder,
                    acquired_at=now,
                    expires_at=slot.expires_at,
                )
            )
    except IntegrityError:  # another process took that slot in the same instant
        return None
    return number


def renew_slots(conn: Connection, lease_ids: Sequence[str], expires_at: float) -> int:
    """Extend the leases ``lease_ids``; return how many are still held."""
    if not lease_ids:
        return 0
    q = update(_s).where(_s.c.lease_id.in_(list(lease_ids))).values(expires_at=expires_at)
    return int(conn.execute(q).rowcount)


def release_slots(conn: Connection, lease_ids: Sequence[str]) -> int:
    """Give back the slots of ``lease_ids``; return how many were held."""
    if not lease_ids:
        return 0
    return int(conn.execute(delete(_s).where(_s.c.lease_id.in_(list(lease_ids)))).rowcount)


def held_slots(conn: Connection, pool: str | None, now: float) -> list[PoolSlotRecord]:
    """The slots held now (of ``pool``, or of every pool), by pool and slot."""
    q = select(_s).order_by(_s.c.pool, _s.c.slot)
    if pool is not None:
        q = q.where(*_live(pool, now))  # type: ignore[arg-type]
    else:
        finished = exists().where(
            _runs.c.id == _s.c.run_id, _runs.c.status.in_(sorted(FINISHED_RUN_STATUSES))
        )
        q = q.where(and_(_s.c.expires_at >= now, ~finished))
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
