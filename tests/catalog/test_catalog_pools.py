"""Pool slots in the catalog (``catalog/pools.py``): never more holders than the limit,
and a slot is free again when released, when its lease expires, or when its run ended."""

from __future__ import annotations

import threading
import time
import uuid

from assets_core.catalog.catalog import Catalog
from assets_core.catalog.pools import PoolSlotRecord
from tests.catalog.factories import run


def lease(run_id: str, expires_in: float = 30.0, asset: str = "a") -> PoolSlotRecord:
    now = time.time()
    return PoolSlotRecord(
        "warehouse", -1, uuid.uuid4().hex, run_id, asset, None, "test:1", now, now + expires_in
    )


def test_slots_up_to_the_limit_then_none_until_one_is_released(catalog: Catalog) -> None:
    catalog.create_run(run("r1"))
    first, second, third = lease("r1"), lease("r1"), lease("r1")
    assert catalog.acquire_pool_slot("warehouse", 2, first) == 0
    assert catalog.acquire_pool_slot("warehouse", 2, second) == 1
    assert catalog.acquire_pool_slot("warehouse", 2, third) is None
    assert [s.lease_id for s in catalog.pool_slots("warehouse")] == [
        first.lease_id,
        second.lease_id,
    ]
    assert catalog.release_pool_slots([first.lease_id]) == 1
    assert catalog.acquire_pool_slot("warehouse", 2, third) == 0
    assert catalog.acquire_pool_slot("other", 1, lease("r1")) == 0  # pools are separate


def test_an_expired_lease_frees_its_slot_and_renewing_keeps_it(catalog: Catalog) -> None:
    catalog.create_run(run("r1"))
    dying, kept = lease("r1", expires_in=0.3), lease("r1", expires_in=0.3)
    assert catalog.acquire_pool_slot("warehouse", 2, dying) == 0
    assert catalog.acquire_pool_slot("warehouse", 2, kept) == 1
    time.sleep(0.2)
    assert catalog.renew_pool_slots([kept.lease_id], time.time() + 30) == 1
    time.sleep(0.2)
    assert [s.lease_id for s in catalog.pool_slots()] == [kept.lease_id]
    waiter = lease("r1")
    assert catalog.acquire_pool_slot("warehouse", 2, waiter) == 0
    assert catalog.renew_pool_slots([dying.lease_id], time.time() + 30) == 0  # gone


def test_the_slot_of_a_run_that_ended_is_free(catalog: Catalog) -> None:
    catalog.create_run(run("crashed"))
    catalog.create_run(run("next"))
    assert catalog.acquire_pool_slot("warehouse", 1, lease("crashed")) == 0
    assert catalog.acquire_pool_slot("warehouse", 1, lease("next")) is None
    catalog.update_run("crashed", status="FAILURE")  # e.g. crash recovery ended it
    assert catalog.pool_slots() == []
    assert catalog.acquire_pool_slot("warehouse", 1, lease("next")) == 0


def test_concurrent_takers_never_exceed_the_limit(catalog: Catalog) -> None:
    catalog.create_run(run("r1"))
    taken: list[str] = []
    lock = threading.Lock()

    def take() -> None:
        for _ in range(10):
            mine = lease("r1")
            if catalog.acquire_pool_slot("warehouse", 3, mine) is not None:
                with lock:
                    taken.append(mine.lease_id)

    threads = [threading.Thread(target=take) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(taken) == 3
    assert sorted(s.slot for s in catalog.pool_slots("warehouse")) == [0, 1, 2]
