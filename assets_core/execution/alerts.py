"""Failure alerts (SPEC §12): what a webhook receives, and its delivery in the
background, each delivery (or its final failure) recorded as an event of the run
(``ALERT_SENT`` / ``ALERT_FAILED``; of the asset for a freshness alert, which has no
run).

The JSON body (``format="json"``)::

    {"kind": "step_failure" | "check_failure" | "freshness",
     "asset": "sales/revenue", "partition": "2024-01-01" | null,
     "run_id": "..." | null, "status": "FAILED" | "OVERDUE",
     "error": "...", "location": "marts.py:42" | null,
     "timestamp": "2024-01-01T06:00:00Z", "url": "http://ui/runs/<run id>"}

``format="slack"`` posts ``{"text": ...}`` (a Slack incoming-webhook message with the
same facts and a link).
"""

from __future__ import annotations

import json
import os
import time
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from assets_core.catalog.records import EventRecord, WriteBatch
from assets_core.execution.background import BackgroundSender

if TYPE_CHECKING:
    from assets_core.catalog.catalog import Catalog
    from assets_core.definitions.alerts import Webhook
    from assets_core.execution.plan import Step
    from assets_core.execution.step import RunState, StepOutcome

DEFAULT_UI_URL = "http://127.0.0.1:3000"
#: At most this long is spent at the end of a run delivering what is left.
CLOSE_TIMEOUT_S = 30.0
BLOCKING_CHECK = "blocking check failed"


@dataclass(frozen=True, slots=True)
class Alert:
    """One alert for one webhook."""

    hook: Webhook
    body: dict[str, Any]


def ui_url() -> str:
    """The UI's base URL for links in alerts: ``$ASSETLINE_UI_URL`` or the default."""
    return os.environ.get("ASSETLINE_UI_URL", DEFAULT_UI_URL).rstrip("/")


def alert_body(
    kind: str,
    asset: str,
    partition: str | None,
    run_id: str | None,
    status: str,
    error: str,
    location: str | None = None,
) -> dict[str, Any]:
    """The documented JSON body of an alert.

    Args:
        kind: ``step_failure``, ``check_failure`` or ``freshness``.
        asset: The asset key.
        partition: Its partition, if any.
        run_id: The run (None for freshness).
        status: ``FAILED`` or ``OVERDUE``.
        error: What went wrong (redacted).
        location: The user's ``file:line`` that raised, if known.
    """
    base = ui_url()
    url = f"{base}/runs/{run_id}" if run_id else f"{base}/assets/{quote(asset)}"
    return {
        "kind": kind,
        "asset": asset,
        "partition": partition,
        "run_id": run_id,
        "status": status,
        "error": error,
        "location": location,
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "url": url,
    }


def payload(alert: Alert) -> dict[str, Any]:
    """What is POSTed: the body, or a Slack message made of it."""
    if alert.hook.format != "slack":
        return alert.body
    b = alert.body
    what = b["asset"] + (f" [{b['partition']}]" if b["partition"] else "")
    where = f" at {b['location']}" if b["location"] else ""
    run = f" in run {b['run_id'][:8]}" if b["run_id"] else ""
    text = f":red_circle: *{what}* {b['status']}{run}{where}: {b['error']}"
    return {"text": f"{text}\n<{b['url']}|Open in Assetline>"}


def post(alert: Alert) -> None:
    """POST one alert; raise unless the endpoint answered 2xx."""
    hook = alert.hook
    data = json.dumps(payload(alert)).encode()
    headers = {"Content-Type": "application/json", "User-Agent": "assetline", **dict(hook.headers)}
    request = urllib.request.Request(hook.url, data=data, headers=headers, method="POST")
    with urllib.request.urlopen(request, timeout=hook.timeout_s) as response:
        if not 200 <= response.status < 300:
            raise OSError(f"HTTP {response.status}")


class AlertSender:
    """Delivers alerts in the background, one sender per webhook (a dead one does not
    delay the others), and reports each result to ``record``."""

    def __init__(self, record: Any) -> None:
        self._record = record
        self._senders: dict[Webhook, BackgroundSender[Alert]] = {}

    def send(self, alert: Alert) -> None:
        sender = self._senders.get(alert.hook)
        if sender is None:
            sender = self._senders[alert.hook] = BackgroundSender(
                f"webhook {alert.hook.display}",
                post,
                attempts=alert.hook.attempts,
                on_result=self._record,
            )
        sender.put(alert)

    def close(self, timeout_s: float = CLOSE_TIMEOUT_S) -> None:
        deadline = time.monotonic() + timeout_s
        for sender in self._senders.values():
            sender.close(max(0.1, deadline - time.monotonic()))


def delivery_event(
    alert: Alert, attempts: int, error: Exception | None
) -> tuple[str, str, str, dict[str, Any]]:
    """(type, message, level, data) of the event recording a delivery."""
    hook, b = alert.hook, alert.body
    data = {"webhook": hook.display, "format": hook.format, "attempts": attempts, "kind": b["kind"]}
    if error is None:
        return "ALERT_SENT", f"Alert sent to {hook.display} ({attempts} attempt(s))", "INFO", data
    data["error"] = f"{type(error).__name__}: {error}"
    return (
        "ALERT_FAILED",
        f"Alert to {hook.display} failed after {attempts} attempt(s): {data['error']}",
        "WARNING",
        data,
    )


class AlertObserver:
    """Alerts the webhooks of a failed step's asset and of the definitions.

    Args:
        run_id: The run.
        state: What its steps share (redaction).
        catalog: Where deliveries are recorded as run events.
        hooks: The definitions' ``on_failure`` webhooks.
    """

    def __init__(
        self, run_id: str, state: RunState, catalog: Catalog, hooks: tuple[Webhook, ...]
    ) -> None:
        self.run_id = run_id
        self.redact = state.redact
        self.catalog = catalog
        self.hooks = hooks
        self.sender = AlertSender(self._record)

    def _record(self, alert: Alert, attempts: int, error: Exception | None) -> None:
        kind, message, level, data = delivery_event(alert, attempts, error)
        b = alert.body
        event = EventRecord(
            self.run_id, time.time(), kind, message, b["asset"], b["partition"], level, data
        )
        self.catalog.write(WriteBatch(events=[event]))

    def run_started(self) -> None:
        return None

    def step_started(self, step: Step) -> None:
        return None

    def step_finished(self, step: Step, outcome: StepOutcome) -> None:
        if outcome.status != "FAILED":
            return
        hooks = tuple(dict.fromkeys(step.definition.on_failure + self.hooks))
        if not hooks:
            return
        error = self.redact(outcome.error or "failed")
        kind = "check_failure" if error.startswith(BLOCKING_CHECK) else "step_failure"
        body = alert_body(
            kind,
            str(step.key),
            step.partition_key,
            self.run_id,
            "FAILED",
            error,
            outcome.location,
        )
        for hook in hooks:
            self.sender.send(Alert(hook, body))

    def run_finished(self, status: str, error: str | None) -> None:
        return None

    def close(self) -> None:
        self.sender.close()
