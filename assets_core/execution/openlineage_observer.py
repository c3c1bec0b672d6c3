"""Emitting a run's OpenLineage events (``lineage/openlineage.py`` builds them) in the
background: START/COMPLETE/FAIL/ABORT for the run and for each step."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from assets_core.execution.background import BackgroundSender

if TYPE_CHECKING:
    from assets_core.catalog.catalog import Catalog
    from assets_core.execution.plan import Step
    from assets_core.execution.step import RunState, StepOutcome
    from assets_core.lineage.openlineage import EventBuilder, OpenLineageSettings

log = logging.getLogger("assetline")

#: An event is built in the background thread (stored schemas are read there).
MakeEvent = Callable[[], Any]
RUN_STATES = {"SUCCESS": "COMPLETE", "FAILURE": "FAIL", "CANCELED": "ABORT"}
STEP_STATES = {"SUCCESS": "COMPLETE", "FAILED": "FAIL", "CANCELED": "ABORT"}
#: At most this long is spent at the end of a run sending what is left.
CLOSE_TIMEOUT_S = 10.0


class OpenLineageObserver:
    """Sends a run's OpenLineage events through the configured transport.

    Args:
        settings: ``[tool.assetline.openlineage]``.
        run_id: The run.
        selection: Its selection.
        state: What its steps share (graph, IO managers, redaction).
        catalog: Where stored schemas are read.
    """

    def __init__(
        self,
        settings: OpenLineageSettings,
        run_id: str,
        selection: str,
        state: RunState,
        catalog: Catalog,
    ) -> None:
        self.settings = settings
        self.catalog = catalog
        self.redact = state.redact
        self._args = (run_id, selection, state.graph, state.io_managers, settings.namespace)
        self._builder: EventBuilder | None = None
        self._transport: Any = None
        self.sender: BackgroundSender[MakeEvent] = BackgroundSender(
            f"OpenLineage ({settings.transport})", self._send
        )

    def _send(self, make: MakeEvent) -> None:
        if self._transport is None:
            self._transport = self.settings.make_transport()
        self._transport.emit(make())

    @property
    def builder(self) -> EventBuilder:
        if self._builder is None:
            from assets_core.lineage.openlineage import EventBuilder

            self._builder = EventBuilder(*self._args)
        return self._builder

    def run_started(self) -> None:
        self.sender.put(lambda: self.builder.run_event("START"))

    def step_started(self, step: Step) -> None:
        self.sender.put(lambda: self.builder.step_event("START", step.id, step.keys))

    def step_finished(self, step: Step, outcome: StepOutcome) -> None:
        state = STEP_STATES.get(outcome.status)
        if state is None:
            return  # SKIPPED: it never started
        error = self.redact(outcome.error) if outcome.error and state != "COMPLETE" else None
        tb = outcome.traceback

        def make() -> Any:
            schemas = self._schemas(step) if state == "COMPLETE" else {}
            return self.builder.step_event(state, step.id, step.keys, error, tb, schemas)

        self.sender.put(make)

    def _schemas(self, step: Step) -> dict[str, list[dict[str, Any]]]:
        keys = [str(k) for k in step.keys]
        found = self.catalog.latest_materializations(keys, step.partition_key)
        out = {}
        for key, m in found.items():
            schema = m.metadata.get("schema")
            if isinstance(schema, list):
                out[key] = schema
        return out

    def run_finished(self, status: str, error: str | None) -> None:
        state = RUN_STATES.get(status, "FAIL")
        message = self.redact(error) if error and state != "COMPLETE" else None
        self.sender.put(lambda: self.builder.run_event(state, message))

    def close(self) -> None:
        if not self.sender.close(CLOSE_TIMEOUT_S):
            log.warning("OpenLineage: events of the run still unsent after %ss", CLOSE_TIMEOUT_S)
