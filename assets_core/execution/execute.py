"""Executing a started run to its end: the executor runs the steps, Ctrl-C / SIGTERM /
a cancel request cancel it, and its final status is recorded even when the catalog
refuses the last writes (``run_end``). ``run_in_process`` does all four phases of
``run.py`` in this process."""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assets_core.definitions.repository import Definitions
from assets_core.errors import (
    CatalogConnectionLostError,
    CatalogError,
    ExecutorLostError,
)
from assets_core.execution.plan import ExecutionPlan, Step
from assets_core.execution.request import RunSpec
from assets_core.execution.run_end import close_writer, end_run_status, run_error
from assets_core.execution.step import RunCanceled, StepOutcome

if TYPE_CHECKING:
    from assets_core.catalog.catalog import Catalog
    from assets_core.io.base import IOManager

from assets_core.execution.run import RunResult, StartedRun, plan_run, start_run

#: How often a running run polls the catalog for a cancel request (seconds).
CANCEL_POLL_S = 0.25


def execute_run(
    run: StartedRun,
    on_outcome: Callable[[Step, StepOutcome], None] | None = None,
    handle_signals: bool = False,
) -> RunResult:
    """Execute a started run to its end and record its final status."""
    from assets_core.executors import execute_plan

    state, catalog = run.state, run.catalog
    last_poll = [time.monotonic()]

    def should_cancel() -> bool:
        now = time.monotonic()
        if now - last_poll[0] < CANCEL_POLL_S:
            return False
        last_poll[0] = now
        return catalog.get_run(run.record.id).status == "CANCELING"

    finished: dict[str, StepOutcome] = {}
    report = on_outcome or _noop
    observers = run.observers
    observers.run_started()

    def track(step: Step, outcome: StepOutcome) -> None:
        if outcome.status != "STARTED":
            finished[step.id] = outcome
            observers.step_finished(step, outcome)
        else:
            observers.step_started(step)
        report(step, outcome)

    restore = _install_sigterm() if handle_signals else None
    status_by_step: dict[str, StepOutcome] = {}
    final, error = "FAILURE", None
    try:
        status_by_step = execute_plan(
            run.planned.spec.executor, run.plan, state, track, should_cancel
        )
        failed = [o for o in status_by_step.values() if o.status == "FAILED"]
        final = "FAILURE" if failed else "SUCCESS"
        if failed:
            error = f"{len(failed)} step(s) failed: " + ", ".join(o.step_id for o in failed[:5])
    except (RunCanceled, KeyboardInterrupt):
        final, error = "CANCELED", "canceled"
        status_by_step = _fill_canceled(run.plan, finished)
    except ExecutorLostError as e:  # e.g. the Dask scheduler: finished steps are kept
        final, error = "FAILURE", e.message
        status_by_step = _fill_canceled(run.plan, finished, "SKIPPED", e.message)
    except CatalogError as e:  # e.g. the connection lost for good: said in one line
        final, error = "FAILURE", e.message
        raise
    except BaseException as e:
        final, error = "FAILURE", run_error(e, catalog)
        raise
    finally:
        if restore is not None:
            restore()
        if state.pools is not None:
            state.pools.release_all()
        ended = time.time()
        event = {"SUCCESS": "RUN_SUCCESS", "FAILURE": "RUN_FAILURE", "CANCELED": "RUN_CANCELED"}
        state.writer.emit(
            event[final],
            f"Run {final.lower()}" + (f": {error}" if error and final != "SUCCESS" else ""),
            level="INFO" if final == "SUCCESS" else "ERROR",
        )
        # A lost connection or a refused write: the last events are lost, not the end.
        flush_error = close_writer(state, catalog)
        if flush_error is not None:
            final, error = "FAILURE", error if final == "FAILURE" else flush_error.message
        for manager in {id(m): m for m in state.io_managers.values()}.values():
            close = getattr(manager, "close", None)
            if close is not None:
                close()
        # The final status is written even when the last flush failed: a run never
        # stays STARTED because its events could not be written (if the connection is
        # lost for good, crash recovery ends it later).
        lost: CatalogConnectionLostError | None = None
        try:
            end_run_status(catalog, run.record.id, final, ended, error)
        except CatalogConnectionLostError as e:
            lost = e
        observers.run_finished(final, error)
        observers.close()
    if flush_error is not None:
        raise flush_error
    if lost is not None:
        raise lost
    return RunResult(run.record.id, final, status_by_step, state.graph, catalog, state.io_managers)


def run_in_process(
    defs: Definitions,
    catalog: Catalog,
    spec: RunSpec,
    *,
    home: Path | None = None,
    io_managers: Mapping[str, IOManager] | None = None,
    handle_signals: bool = False,
) -> RunResult:
    """Plan, record and execute ``spec`` in this process (``handle_signals``: SIGTERM
    cancels the run, as Ctrl-C does)."""
    planned = plan_run(defs, catalog, spec)
    started = start_run(defs, catalog, planned, home=home, io_managers=io_managers)
    return execute_run(started, handle_signals=handle_signals)


def _fill_canceled(
    plan: ExecutionPlan,
    done: dict[str, StepOutcome],
    status: str = "CANCELED",
    error: str = "run canceled",
) -> dict[str, StepOutcome]:
    out = dict(done)
    for step in plan.steps:
        out.setdefault(step.id, StepOutcome(step.id, status, error=error))
    return out


def _noop(step: Step, outcome: StepOutcome) -> None:
    return None


def _install_sigterm() -> Callable[[], None] | None:
    """Turn SIGTERM (sent by `cancelRun`) into a cancellation of the current step."""
    if threading.current_thread() is not threading.main_thread():
        return None

    def handler(signum: int, frame: Any) -> None:
        raise RunCanceled()

    previous = signal.signal(signal.SIGTERM, handler)

    def restore() -> None:
        signal.signal(signal.SIGTERM, previous)

    return restore
