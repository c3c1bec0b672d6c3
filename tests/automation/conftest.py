"""Helpers for the automation tests: a daemon driven by a fake clock (nothing waits for
a real minute), and waiting for catalog conditions when real processes are involved."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from assets_core.automation.daemon import Daemon
from assets_core.automation.run_queue import QueueSettings
from assets_core.automation.settings import DaemonSettings
from assets_core.catalog.catalog import Catalog
from assets_core.definitions.repository import Definitions


class Clock:
    """A settable clock (epoch seconds)."""

    def __init__(self, start: str) -> None:
        self.now = datetime.fromisoformat(start).timestamp()

    def __call__(self) -> float:
        return self.now

    def set(self, when: str) -> None:
        self.now = datetime.fromisoformat(when).timestamp()

    def advance(self, seconds: float) -> None:
        self.now += seconds


def held_daemon(
    defs: Definitions,
    catalog: Catalog,
    catalog_url: str,
    clock: Clock,
    *,
    start_runs: bool = False,
    **settings: Any,
) -> Daemon:
    """A daemon holding the lease, on a fake clock; it starts no run unless
    ``start_runs`` (the queue's limit is 0)."""
    queue = QueueSettings(max_concurrent_runs=10 if start_runs else 0)
    daemon = Daemon(
        defs,
        catalog,
        location="tests",
        catalog_url=catalog_url,
        settings=DaemonSettings(queue=queue, **settings),
        clock=clock,
    )
    daemon.lease.try_acquire()
    assert daemon.lease.held
    return daemon


def wait_for(check: Callable[[], Any], timeout: float = 30, what: str = "condition") -> Any:
    """Poll ``check`` until it returns something truthy; return it."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)
