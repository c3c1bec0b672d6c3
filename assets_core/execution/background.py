"""Sending things out of a run without slowing it: a bounded queue drained by a daemon
thread that retries each item with exponential backoff. Used for OpenLineage events
and alert webhooks; nothing here raises into the run."""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")

log = logging.getLogger("assetline")


class BackgroundSender(Generic[T]):
    """Send items in a background thread, in order, each retried with backoff.

    Args:
        name: What is sent (thread name, messages).
        send: Sends one item; raises when it did not go through.
        attempts: Tries per item (the first included).
        first_delay_s: Wait before the second try; doubled each time after.
        max_queue: Items waiting at most; more are dropped (and logged once).
        on_result: Called after each item with (item, attempts made, the last
            error or None on success): where deliveries are recorded.
        give_up_after_failure: After an item failed every attempt, later items get
            one attempt only (a dead endpoint must not hold the end of the run).
    """

    def __init__(
        self,
        name: str,
        send: Callable[[T], None],
        *,
        attempts: int = 4,
        first_delay_s: float = 0.5,
        max_queue: int = 1000,
        on_result: Callable[[T, int, Exception | None], None] | None = None,
        give_up_after_failure: bool = True,
    ) -> None:
        self.name = name
        self._send = send
        self._attempts = attempts
        self._first_delay = first_delay_s
        self._on_result = on_result
        self._give_up = give_up_after_failure
        self._queue: queue.Queue[T | None] = queue.Queue(maxsize=max_queue)
        self._stop = threading.Event()
        self.dead = False
        self._warned_full = False
        self._thread = threading.Thread(target=self._loop, name=f"assetline-{name}", daemon=True)
        self._thread.start()

    def put(self, item: T) -> bool:
        """Queue ``item``; False (and a warning, once) when the queue is full."""
        try:
            self._queue.put_nowait(item)
            return True
        except queue.Full:
            if not self._warned_full:
                self._warned_full = True
                log.warning("%s: queue full, items dropped", self.name)
            return False

    def close(self, timeout_s: float = 10.0) -> bool:
        """Wait (at most ``timeout_s``) until everything queued was handled; return
        whether it was. Items still waiting are abandoned with the thread."""
        try:
            self._queue.put(None, timeout=timeout_s)
        except queue.Full:
            return False
        self._thread.join(timeout_s)
        self._stop.set()
        return not self._thread.is_alive()

    def _loop(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            self._deliver(item)

    def _deliver(self, item: T) -> None:
        attempts = 1 if self.dead and self._give_up else self._attempts
        delay = self._first_delay
        error: Exception | None = None
        made = 0
        for made in range(1, attempts + 1):
            try:
                self._send(item)
                error = None
                break
            except Exception as e:  # any failure of the endpoint or of the item
                error = e
                if made < attempts:
                    time.sleep(delay)
                    delay *= 2
        if error is not None and not self.dead:
            self.dead = True
            log.warning(
                "%s failed after %d attempt(s): %s: %s (later items are tried once)",
                self.name,
                made,
                type(error).__name__,
                error,
            )
        elif error is None:
            self.dead = False
        if self._on_result is not None:
            try:
                self._on_result(item, made, error)
            except Exception as e:
                log.warning("%s: recording a delivery failed: %s", self.name, e)
