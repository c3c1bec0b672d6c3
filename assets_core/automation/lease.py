"""One active daemon per catalog: the daemon lease.

A daemon works only while it holds the lease row ``daemon`` in the catalog. It renews
the lease every third of its time to live; every tick it commits checks, in the same
transaction, that it still holds it (a daemon that stalled past its lease and was
replaced writes nothing). A second daemon waits, and takes over when the lease expires
(the first was killed) or is released (the first stopped cleanly). The API server
queues runs without starting them while a daemon's lease is live.
"""

from __future__ import annotations

import os
import time
import uuid
from typing import TYPE_CHECKING

from assets_core.catalog.leases import LeaseLostError, LeaseRecord
from assets_core.execution.processes import hostname

if TYPE_CHECKING:
    from assets_core.catalog.catalog import Catalog

LEASE_NAME = "daemon"


class DaemonLease:
    """This process's claim on the daemon lease.

    Args:
        catalog: The catalog holding the lease.
        ttl_s: How long the lease lasts without renewal.
    """

    def __init__(self, catalog: Catalog, ttl_s: float) -> None:
        self.catalog = catalog
        self.ttl_s = ttl_s
        self.owner = f"{hostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.held = False
        self._renewed = 0.0

    def try_acquire(self) -> LeaseRecord | None:
        """Take the lease if it is free or expired; return the lease as it stands
        (this process's when taken)."""
        record = self.catalog.acquire_lease(
            LEASE_NAME, self.owner, hostname(), os.getpid(), self.ttl_s
        )
        self.held = record is not None and record.owner == self.owner
        if self.held:
            self._renewed = time.monotonic()
        return record

    def renew_if_due(self) -> None:
        """Renew the lease when a third of its time has passed.

        Raises:
            LeaseLostError: Another daemon holds it now.
        """
        if time.monotonic() - self._renewed < self.ttl_s / 3:
            return
        if not self.catalog.renew_lease(LEASE_NAME, self.owner, self.ttl_s):
            self.held = False
            raise LeaseLostError(
                "This daemon lost its lease (it did not renew it in time) and another "
                "daemon took over; it goes back to waiting."
            )
        self._renewed = time.monotonic()

    def committed(self) -> None:
        """A fenced commit renewed the lease."""
        self._renewed = time.monotonic()

    @property
    def fence(self) -> tuple[str, str, float]:
        """What fenced commits check: (lease name, owner, time to live)."""
        return (LEASE_NAME, self.owner, self.ttl_s)

    def release(self) -> None:
        """Give the lease up so a waiting daemon takes over at once."""
        if self.held:
            self.catalog.release_lease(LEASE_NAME, self.owner)
            self.held = False


def daemon_lease(catalog: Catalog) -> LeaseRecord | None:
    """The daemon lease if a daemon holds it now (None: no daemon is running)."""
    record = catalog.get_lease(LEASE_NAME)
    return record if record is not None and record.is_live(time.time()) else None


def daemon_is_live(catalog: Catalog) -> bool:
    """Whether a daemon is running on this catalog (it starts the queued runs)."""
    return daemon_lease(catalog) is not None


__all__ = ["LEASE_NAME", "DaemonLease", "LeaseLostError", "daemon_is_live", "daemon_lease"]
