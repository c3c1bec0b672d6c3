"""Run events on their way to the catalog.

Events are buffered and written with the step that produced them, in the same
transaction as its materialization, so a finished step is durable as a whole. A
background thread flushes events of a step that is still running (its start, its log
lines) after a short delay, so a live view sees long steps as they progress, and
heartbeats the run so a dead worker can be told from a slow one.
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Any

from assets_core.catalog.records import EventRecord, StepRecord, WriteBatch

if TYPE_CHECKING:
    from assets_core.catalog.catalog import Catalog

FLUSH_AFTER_S = 0.1
HEARTBEAT_EVERY_S = 5.0


class RunEventWriter:
    """Collects a run's events and writes them to the catalog in batches."""

    def __init__(self, catalog: Catalog, run_id: str, background: bool = True) -> None:
        self.catalog = catalog
        self.run_id = run_id
        self._pending: list[EventRecord] = []
        self._pending_steps: list[StepRecord] = []
        self._running: list[StepRecord] = []
        self._oldest = 0.0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        if background:
            self._thread = threading.Thread(target=self._loop, name="assetline-events", daemon=True)
            self._thread.start()

    def emit(
        self,
        type: str,
        message: str,
        asset_key: str | None = None,
        partition: str | None = None,
        level: str = "INFO",
        data: dict[str, Any] | None = None,
    ) -> None:
        now = time.time()
        event = EventRecord(self.run_id, now, type, message, asset_key, partition, level, data)
        with self._lock:
            if not self._pending:
                self._oldest = now
            self._pending.append(event)

    def add_step(self, record: StepRecord) -> None:
        """Queue a step record (a skipped or canceled step) for the next commit."""
        with self._lock:
            self._pending_steps.append(record)

    def running(self, records: list[StepRecord]) -> None:
        """The STARTED records of the step now running: written only if the step is
        still running at the next background flush (a fast step's final record makes
        them pointless), so a live view and a post-mortem see long steps."""
        with self._lock:
            self._running = records

    def commit(self, batch: WriteBatch, *, with_running: bool = False) -> list[int]:
        """Write ``batch`` together with everything pending, in one transaction."""
        with self._lock:
            batch.events[:0] = self._pending
            batch.steps[:0] = self._pending_steps + (self._running if with_running else [])
            self._pending, self._pending_steps, self._running = [], [], []
            return self._send(batch)

    def _send(self, batch: WriteBatch) -> list[int]:
        """Where batches go: the catalog (a Dask worker relays them to its driver)."""
        return self.catalog.write(batch)

    def _beat(self) -> None:
        self.catalog.heartbeat(self.run_id)

    def flush(self) -> None:
        self.commit(WriteBatch(), with_running=True)

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.flush()

    def _loop(self) -> None:
        last_beat = 0.0
        while not self._stop.wait(FLUSH_AFTER_S / 2):
            now = time.time()
            try:
                if self._pending and now - self._oldest >= FLUSH_AFTER_S:
                    self.flush()
                if now - last_beat >= HEARTBEAT_EVERY_S:
                    self._beat()
                    last_beat = now
            except Exception:  # the main thread's next commit reports catalog trouble
                pass
