"""What watches a run from the side: OpenLineage emission and failure alerts. Each
observer is told when the run starts, when each step starts and ends, and when the
run ends; it does its work in the background, and nothing it does (or raises) reaches
the run."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from assets_core.catalog.catalog import Catalog
    from assets_core.definitions.repository import Definitions
    from assets_core.execution.plan import Step
    from assets_core.execution.step import RunState, StepOutcome
    from assets_core.settings import Settings

log = logging.getLogger("assetline")


class RunObserver(Protocol):
    """Told what a run does, from the process that drives it."""

    def run_started(self) -> None: ...

    def step_started(self, step: Step) -> None: ...

    def step_finished(self, step: Step, outcome: StepOutcome) -> None: ...

    def run_finished(self, status: str, error: str | None) -> None: ...

    def close(self) -> None: ...


class Observers:
    """Every observer of one run; a failing observer is logged and left out."""

    def __init__(self, observers: list[RunObserver]) -> None:
        self.observers = observers

    def _each(self, what: str, *args: object) -> None:
        for o in list(self.observers):
            try:
                getattr(o, what)(*args)
            except Exception as e:
                log.warning("%s.%s failed: %s: %s", type(o).__name__, what, type(e).__name__, e)

    def run_started(self) -> None:
        self._each("run_started")

    def step_started(self, step: Step) -> None:
        self._each("step_started", step)

    def step_finished(self, step: Step, outcome: StepOutcome) -> None:
        self._each("step_finished", step, outcome)

    def run_finished(self, status: str, error: str | None) -> None:
        self._each("run_finished", status, error)

    def close(self) -> None:
        self._each("close")


def observers_for(
    defs: Definitions,
    settings: Settings,
    run_id: str,
    selection: str,
    state: RunState,
    catalog: Catalog,
) -> Observers:
    """The observers a run has: OpenLineage when configured, alerts when any asset or
    the definitions have ``on_failure`` hooks.

    Args:
        defs: The definitions.
        settings: ``[tool.assetline]``.
        run_id: The run.
        selection: Its selection.
        state: What its steps share.
        catalog: The catalog.
    """
    found: list[RunObserver] = []
    if settings.openlineage is not None:
        from assets_core.execution.openlineage_observer import OpenLineageObserver

        found.append(OpenLineageObserver(settings.openlineage, run_id, selection, state, catalog))
    if defs.on_failure or any(a.on_failure for a in defs.assets):
        from assets_core.execution.alerts import AlertObserver

        found.append(AlertObserver(run_id, state, catalog, defs.on_failure))
    return Observers(found)
