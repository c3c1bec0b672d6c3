"""The automation's part of the ``Catalog`` façade: pool slots, schedule and sensor
state and their ticks, condition evaluations and asset events, and the daemon lease."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection

from assets_core.catalog import evaluations as evals  # ``evaluations`` is a method below
from assets_core.catalog import (
    leases,
    pools,
)
from assets_core.catalog import ticks as _ticks  # ``ticks`` is a variable below
from assets_core.catalog.evaluations import AssetEventRecord, EvaluationRecord
from assets_core.catalog.facade import CatalogBase
from assets_core.catalog.leases import LeaseLostError, LeaseRecord
from assets_core.catalog.pools import PoolSlotRecord
from assets_core.catalog.ticks import InstigatorState, TickCommit, TickRecord


class AutomationCatalog(CatalogBase):
    """Pool slots, ticks, evaluations and leases (see ``Catalog``)."""

    # -- pool slots (pools.py) ------------------------------------------------------------
    def acquire_pool_slot(self, pool: str, limit: int, slot: PoolSlotRecord) -> int | None:
        """Take a free slot of ``pool`` (of ``limit``) for ``slot``'s lease; return its
        number, or None when every slot is held. See ``pools.acquire_slot``."""
        now = time.time()
        in_use = self._writer.transact(
            lambda cur, mark: pools.slots_in_use(cur, mark, pool, now), write=False
        )
        if in_use >= limit:
            return None  # full: a waiter polls without taking the write lock
        try:
            return self._writer.transact(
                lambda cur, mark: pools.acquire_slot(cur, mark, pool, limit, slot, now)
            )
        except self.engine.dialect.dbapi.IntegrityError:  # type: ignore[union-attr]
            return None  # another process took that slot in the same instant

    def renew_pool_slots(self, lease_ids: Sequence[str], expires_at: float) -> int:
        """Extend these leases to ``expires_at``; return how many are still held."""
        return self._writer.transact(
            lambda cur, mark: pools.renew_slots(cur, mark, lease_ids, expires_at)
        )

    def release_pool_slots(self, lease_ids: Sequence[str]) -> int:
        """Give back the slots of these leases; return how many were held."""
        return self._writer.transact(lambda cur, mark: pools.release_slots(cur, mark, lease_ids))

    def pool_slots(self, pool: str | None = None) -> list[PoolSlotRecord]:
        """The slots held now (lease alive, run not finished), of ``pool`` or all."""
        return self._reading(pools.held_slots, pool, time.time())

    # -- schedules, sensors and ticks (ticks.py) -----------------------------------------
    def instigator_states(self) -> dict[str, InstigatorState]:
        """Every schedule's and sensor's stored state (start/stop, cursor), by name."""
        return self._reading(_ticks.instigator_states)

    def set_instigator_status(
        self, name: str, kind: str, status: str, last_tick_at: float | None = None
    ) -> None:
        """Start (``RUNNING``) or stop (``STOPPED``) a schedule or sensor."""
        self._writing(_ticks.set_instigator_status, name, kind, status, time.time(), last_tick_at)

    def mark_instigator(self, name: str, kind: str, **values: Any) -> None:
        """Set columns of a schedule's or sensor's state (``last_tick_at``, ``cursor``)."""
        self._writing(_ticks.mark_state, name, kind, time.time(), **values)

    def commit_ticks(
        self,
        commits: Sequence[TickCommit],
        fence: tuple[str, str, float] | None = None,
        marks: Sequence[tuple[str, str, float]] = (),
    ) -> list[TickRecord]:
        """Record ticks with the runs they queued and the state they moved, in one
        transaction; with ``fence`` = (lease name, owner, ttl) only while that owner
        holds the lease (else ``LeaseLostError`` and nothing is written). ``marks``:
        (name, kind, last_tick_at) of schedules and sensors seen for the first time."""
        with self._write() as conn:
            now = time.time()
            _fence(conn, fence, now)
            return _ticks.commit_ticks(conn, commits, now, marks)

    def commit_evaluation_tick(
        self,
        commit: TickCommit,
        records: Sequence[EvaluationRecord],
        events: Sequence[AssetEventRecord] = (),
        fence: tuple[str, str, float] | None = None,
    ) -> TickRecord:
        """Record an automation tick with its runs, the evaluations it decided (linked
        to the tick) and asset events, in one transaction (see ``commit_ticks``)."""
        with self._write() as conn:
            now = time.time()
            _fence(conn, fence, now)
            (tick,) = _ticks.commit_ticks(conn, [commit], now)
            evals.add_evaluations(conn, records, tick.id)
            evals.add_asset_events(conn, events)
            return tick

    def list_ticks(
        self,
        names: Sequence[str] | None = None,
        limit: int = 50,
        before_id: int | None = None,
        kinds: Sequence[str] | None = None,
        statuses: Sequence[str] | None = None,
    ) -> list[TickRecord]:
        """Ticks newest first; ``before_id``: the id of the previous page's last tick."""
        return self._reading(_ticks.list_ticks, names, limit, before_id, kinds, statuses)

    def latest_ticks(self, names: Sequence[str], per_name: int = 1) -> dict[str, list[TickRecord]]:
        """The ``per_name`` newest ticks of each name, newest first."""
        return self._reading(_ticks.latest_ticks, names, per_name)

    def tick_durations(self, limit: int = 500) -> list[tuple[str, str, float]]:
        """(kind, status, seconds) of the newest ticks."""
        return self._reading(_ticks.tick_durations, limit)

    def prune_ticks(self, older_than: float) -> int:
        """Delete SKIPPED ticks older than ``older_than`` (epoch seconds)."""
        return self._writing(_ticks.prune_ticks, older_than)

    # -- automation evaluations and asset events (evaluations.py) ------------------------
    def add_evaluations(
        self,
        records: Sequence[EvaluationRecord],
        asset_events: Sequence[AssetEventRecord] = (),
    ) -> None:
        """Record automation evaluations and asset events in one transaction."""
        with self._write() as conn:
            evals.add_evaluations(conn, records)
            evals.add_asset_events(conn, asset_events)

    def evaluations(
        self, asset_key: str, limit: int = 20, before_id: int | None = None
    ) -> list[EvaluationRecord]:
        """An asset's automation evaluations, newest first."""
        return self._reading(evals.evaluations, asset_key, limit, before_id)

    def latest_evaluations(
        self, asset_keys: Sequence[str], per_asset: int = 5
    ) -> dict[str, list[EvaluationRecord]]:
        """The newest automation evaluations of each asset, newest first."""
        return self._reading(evals.latest_evaluations, asset_keys, per_asset)

    def prune_evaluations(self, older_than: float) -> int:
        """Delete evaluations older than ``older_than`` (epoch seconds), each asset's
        latest kept."""
        return self._writing(evals.prune_evaluations, older_than)

    def asset_events(
        self, asset_key: str | None = None, type: str | None = None, limit: int = 50
    ) -> list[AssetEventRecord]:
        """Asset events (freshness violations...), newest first."""
        return self._reading(evals.asset_events, asset_key, type, limit)

    def add_asset_events(self, events: Sequence[AssetEventRecord]) -> None:
        """Record asset events outside a tick (alert deliveries of the daemon)."""
        with self._write() as conn:
            evals.add_asset_events(conn, events)

    def latest_asset_events(self, type: str) -> dict[str, float]:
        """asset key -> the time of its latest asset event of ``type``."""
        return self._reading(evals.latest_asset_events, type)

    # -- the daemon lease (leases.py) ----------------------------------------------------
    def acquire_lease(
        self, name: str, owner: str, host: str, pid: int, ttl_s: float
    ) -> LeaseRecord | None:
        """Take the lease if it is free, expired or already ``owner``'s; return it as
        it now stands."""
        return self._writing(leases.acquire_lease, name, owner, host, pid, time.time(), ttl_s)

    def renew_lease(self, name: str, owner: str, ttl_s: float) -> bool:
        """Extend ``owner``'s lease; False when it no longer holds it."""
        return self._writing(leases.renew_lease, name, owner, time.time(), ttl_s)

    def release_lease(self, name: str, owner: str) -> None:
        """Give up ``owner``'s lease."""
        self._writing(leases.release_lease, name, owner)

    def get_lease(self, name: str) -> LeaseRecord | None:
        """The lease ``name`` as stored, live or expired."""
        return self._reading(leases.get_lease, name)


def _fence(conn: Connection, fence: tuple[str, str, float] | None, now: float) -> None:
    if fence is not None and not leases.renew_lease(conn, fence[0], fence[1], now, fence[2]):
        raise LeaseLostError(f"The lease {fence[0]!r} is no longer held by this process.")
