"""Concurrency pools: ``pool="warehouse"`` on an asset and ``[tool.assetline.pools]
warehouse = 2`` let at most 2 steps of that pool run at once, across every run,
executor and process sharing the catalog.

A step takes a slot leased in the catalog (``catalog/pools.py``) before it starts and
gives it back when it ends, however it ends (success, failure, cancel). While a step
holds its slot, a background thread renews the lease; when the holder dies (kill -9,
a lost machine) the lease expires after ``lease_s`` and the slot is free again. A step
waiting for a slot is recorded as WAITING (a ``STEP_WAITING`` event and step record),
not as running.

The inprocess and multiprocess executors wait inside the step (``pool_slot``); the Dask
executor's driver takes slots for the steps it submits (``PoolSlots.try_acquire``), so
its workers need no catalog access.
"""

from __future__ import annotations

import contextlib
import os
import random
import threading
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING

from assets_core.catalog.pools import PoolSlotRecord
from assets_core.catalog.records import StepRecord, WriteBatch

if TYPE_CHECKING:
    from assets_core.catalog.catalog import Catalog
    from assets_core.execution.events import RunEventWriter
    from assets_core.execution.plan import Step
    from assets_core.execution.step import RunState

#: Seconds a slot stays held after its holder stops renewing it (it died).
LEASE_ENV = "ASSETLINE_POOL_LEASE_S"
DEFAULT_LEASE_S = 30.0
#: How often a waiting step tries again (seconds, randomised so waiters spread out).
POLL_S = (0.01, 0.05)
#: How often a waiting step checks whether its run is being canceled.
CANCEL_CHECK_S = 0.5


def lease_seconds() -> float:
    """The lease time: ``$ASSETLINE_POOL_LEASE_S`` or 30 seconds."""
    value = os.environ.get(LEASE_ENV)
    try:
        return max(0.5, float(value)) if value else DEFAULT_LEASE_S
    except ValueError:
        return DEFAULT_LEASE_S


class PoolSlots:
    """The pool slots a process holds, leased in ``catalog`` and renewed in the
    background while held.

    Args:
        catalog: The catalog the slots are leased in.
        limits: Pool name -> limit (``[tool.assetline.pools]``).
        lease_s: Lease time; default ``lease_seconds()``.
    """

    def __init__(
        self, catalog: Catalog, limits: Mapping[str, int], lease_s: float | None = None
    ) -> None:
        self.catalog = catalog
        self.limits = dict(limits)
        self.lease_s = lease_s if lease_s is not None else lease_seconds()
        self.warned: set[str] = set()
        self._held: dict[str, str] = {}  # lease id -> pool
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._pid = os.getpid()

    def try_acquire(self, pool: str, run_id: str, step: Step) -> str | None:
        """Take a slot of ``pool`` for ``step`` if one is free; return the lease id,
        or None when the pool is full. A pool without a limit is not limited: ``""``."""
        limit = self.limits.get(pool)
        if limit is None:
            return ""
        now = time.time()
        lease = PoolSlotRecord(
            pool=pool,
            slot=-1,
            lease_id=uuid.uuid4().hex,
            run_id=run_id,
            asset_key=str(step.key),
            partition=step.partition_key,
            holder=f"{_hostname()}:{os.getpid()}",
            acquired_at=now,
            expires_at=now + self.lease_s,
        )
        if self.catalog.acquire_pool_slot(pool, limit, lease) is None:
            return None
        with self._lock:
            self._held[lease.lease_id] = pool
            self._ensure_renewer()
        return lease.lease_id

    def release(self, lease_id: str) -> None:
        """Give the slot back (a no-op for ``""``, an unlimited pool)."""
        if not lease_id:
            return
        with self._lock:
            self._held.pop(lease_id, None)
        self.catalog.release_pool_slots([lease_id])

    def release_all(self) -> None:
        """Give back every slot still held (the run ends)."""
        with self._lock:
            held, self._held = list(self._held), {}
        if held:
            self.catalog.release_pool_slots(held)

    def _ensure_renewer(self) -> None:
        if self._pid != os.getpid():  # forked (multiprocess): the parent's thread is not here
            self._pid, self._thread = os.getpid(), None
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(
                target=self._renew_loop, name="assetline-pool-leases", daemon=True
            )
            self._thread.start()

    def _renew_loop(self) -> None:
        while True:
            time.sleep(self.lease_s / 3)
            with self._lock:
                held = list(self._held)
                if not held:
                    self._thread = None
                    return
            # the catalog busy or away: try again next period
            with contextlib.suppress(Exception):
                self.catalog.renew_pool_slots(held, time.time() + self.lease_s)


@contextmanager
def pool_slot(state: RunState, step: Step) -> Iterator[None]:
    """Hold a slot of ``step``'s pool while the block runs; wait for one first,
    recorded as WAITING, when the pool is full. Canceling the run while it waits
    records the step CANCELED."""
    pool, slots = step.definition.pool, state.pools
    if pool is None or slots is None:
        yield
        return
    lease = slots.try_acquire(pool, state.run_id, step)
    if lease is None:
        lease = _wait_for_slot(state, slots, pool, step)
    elif lease == "":
        warn_unlimited(state.writer, slots, pool, step)
    try:
        yield
    finally:
        slots.release(lease)


def warn_unlimited(writer: RunEventWriter, slots: PoolSlots, pool: str, step: Step) -> None:
    """Say once per run that ``pool`` has no limit, so its steps are not limited."""
    if pool in slots.warned:
        return
    slots.warned.add(pool)
    writer.emit(
        "POOL_UNLIMITED",
        f"Pool {pool!r} of {step.key} has no limit in [tool.assetline.pools]; its steps run "
        f"without one. Add `{pool} = N` there to limit them.",
        str(step.key),
        step.partition_key,
        "WARNING",
        {"pool": pool},
    )


def waiting_records(run_id: str, step: Step, since: float) -> list[StepRecord]:
    """The WAITING records of ``step`` (one per asset and partition)."""
    return [
        StepRecord(run_id, str(k), p, "WAITING", 0, since)
        for k in step.keys
        for p in step.partition_keys or (None,)
    ]


def announce_waiting(
    writer: RunEventWriter, run_id: str, step: Step, pool: str, limit: int
) -> None:
    """Record that ``step`` waits for a slot: a STEP_WAITING event and WAITING step
    records, written at once so a live view shows it."""
    writer.emit(
        "STEP_WAITING",
        f"{step.id} waits for a slot of pool {pool!r} (all {limit} in use)",
        str(step.key),
        step.partition_key,
        data={"pool": pool, "limit": limit},
    )
    writer.commit(WriteBatch(steps=waiting_records(run_id, step, time.time())))


def _wait_for_slot(state: RunState, slots: PoolSlots, pool: str, step: Step) -> str:
    from assets_core.execution.step import RunCanceled

    announce_waiting(state.writer, state.run_id, step, pool, slots.limits[pool])
    next_cancel_check = time.monotonic() + CANCEL_CHECK_S
    try:
        while True:
            state.sleep(random.uniform(*POLL_S))
            lease = slots.try_acquire(pool, state.run_id, step)
            if lease is not None:
                return lease
            if time.monotonic() >= next_cancel_check:
                next_cancel_check = time.monotonic() + CANCEL_CHECK_S
                if slots.catalog.get_run(state.run_id).status == "CANCELING":
                    raise RunCanceled()
    except (RunCanceled, KeyboardInterrupt):
        now = time.time()
        canceled = [
            StepRecord(state.run_id, str(k), p, "CANCELED", 0, None, now, "canceled")
            for k in step.keys
            for p in step.partition_keys or (None,)
        ]
        state.writer.commit(WriteBatch(steps=canceled))
        raise RunCanceled() from None


def _hostname() -> str:
    from assets_core.execution.processes import hostname

    return hostname()
