"""Alerts of freshness violations: when the daemon finds an asset OVERDUE (a
``FRESHNESS_VIOLATION`` asset event), the asset's and the definitions' ``on_failure``
webhooks are told, in the background. Each delivery is recorded as an asset event
(``ALERT_SENT`` / ``ALERT_FAILED``: a freshness alert has no run) by the daemon's own
thread, so the sender's thread never holds a catalog connection when the daemon forks.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from assets_core.catalog.evaluations import AssetEventRecord
from assets_core.execution.alerts import Alert, AlertSender, alert_body, delivery_event

if TYPE_CHECKING:
    from assets_core.definitions.alerts import Webhook
    from assets_core.definitions.repository import Definitions

#: How long a stopping daemon waits for alerts still being delivered.
CLOSE_TIMEOUT_S = 10.0


class FreshnessAlerts:
    """The webhooks of each asset, and the deliveries done but not yet recorded.

    Args:
        defs: The definitions (``on_failure`` of assets and of ``Definitions``).
    """

    def __init__(self, defs: Definitions) -> None:
        self._hooks: dict[str, tuple[Webhook, ...]] = {}
        for a in defs.assets:
            for key in a.keys:
                hooks = tuple(dict.fromkeys(a.on_failure + defs.on_failure))
                if hooks:
                    self._hooks[str(key)] = hooks
        self._done: list[AssetEventRecord] = []
        self._lock = threading.Lock()
        self._sender: AlertSender | None = None

    def send(self, violations: Sequence[AssetEventRecord]) -> int:
        """Alert the webhooks of each violation's asset; return how many alerts."""
        sent = 0
        for v in violations:
            hooks = self._hooks.get(v.asset_key, ())
            if not hooks:
                continue
            body = alert_body("freshness", v.asset_key, None, None, "OVERDUE", v.message)
            if self._sender is None:
                self._sender = AlertSender(self._record)
            for hook in hooks:
                self._sender.send(Alert(hook, body))
                sent += 1
        return sent

    def _record(self, alert: Alert, attempts: int, error: Exception | None) -> None:
        kind, message, _, data = delivery_event(alert, attempts, error)
        with self._lock:
            self._done.append(
                AssetEventRecord(alert.body["asset"], time.time(), kind, message, data=data)
            )

    def drain(self) -> list[AssetEventRecord]:
        """The deliveries finished since the last call (to record)."""
        with self._lock:
            done, self._done = self._done, []
        return done

    def close(self) -> list[AssetEventRecord]:
        """Wait (bounded) for the alerts being delivered; what is left to record."""
        if self._sender is not None:
            self._sender.close(CLOSE_TIMEOUT_S)
        return self.drain()
