"""The multiprocess executor: independent steps run at once in forked worker
processes; the parent schedules steps as their upstream steps finish.

Workers are forked, so they share the loaded definitions (user code from ``-f FILE``
included) without pickling them. Each worker opens its own catalog connection and
commits its steps itself; the parent passes each step the versions of the upstream
materializations it consumes, so provenance is exact across processes.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any

from assets_core.execution.events import RunEventWriter
from assets_core.execution.plan import ExecutionPlan, Step
from assets_core.execution.step import RunCanceled, RunState, StepOutcome, Versions, run_step
from assets_core.executors.inprocess import record_canceled, record_skip, skip_reason

_worker_state: RunState | None = None
_worker_steps: dict[str, Step] = {}


def _cancel(signum: int, frame: Any) -> None:
    raise RunCanceled()


def _init_worker(state: RunState, steps: dict[str, Step]) -> None:
    global _worker_state, _worker_steps
    signal.signal(signal.SIGTERM, _cancel)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides about Ctrl-C
    catalog = state.writer.catalog
    catalog.engine.dispose(close=False)  # never share the parent's pooled connections
    state.writer = RunEventWriter(catalog, state.run_id)
    _worker_state, _worker_steps = state, steps


def _run_in_worker(step_id: str, versions: Versions) -> tuple[StepOutcome, Versions]:
    state = _worker_state
    assert state is not None
    state.versions = dict(versions)
    step = _worker_steps[step_id]
    try:
        outcome = run_step(state, step)
    except RunCanceled:
        outcome = StepOutcome(step_id, "CANCELED", error="run canceled")
    produced = {k: v for k, v in state.versions.items() if k not in versions}
    return outcome, produced


def execute_multiprocess(
    plan: ExecutionPlan,
    state: RunState,
    on_outcome: Callable[[Step, StepOutcome], None],
    should_cancel: Callable[[], bool],
    workers: int | None = None,
) -> dict[str, StepOutcome]:
    """Run the plan's steps in ``workers`` processes (default: the CPU count)."""
    steps = {s.id: s for s in plan.steps}
    children: dict[str, list[str]] = {s.id: [] for s in plan.steps}
    waiting = {s.id: len(s.deps) for s in plan.steps}
    for s in plan.steps:
        for d in s.deps:
            children[d].append(s.id)
    status: dict[str, StepOutcome] = {}
    ready = [s.id for s in plan.steps if not s.deps]
    state.writer.flush()
    context = multiprocessing.get_context("fork")
    pool = ProcessPoolExecutor(
        max_workers=workers or os.cpu_count() or 2,
        mp_context=context,
        initializer=_init_worker,
        initargs=(state, steps),
    )
    running: dict[Future[tuple[StepOutcome, Versions]], str] = {}

    def finish(step_id: str, outcome: StepOutcome) -> None:
        status[step_id] = outcome
        on_outcome(steps[step_id], outcome)
        for child in children[step_id]:
            waiting[child] -= 1
            if waiting[child] == 0:
                ready.append(child)

    try:
        while ready or running:
            if should_cancel():
                raise RunCanceled()
            while ready:
                sid = ready.pop(0)
                step = steps[sid]
                reason = skip_reason(step, status)
                if reason is not None:
                    finish(sid, record_skip(state, step, reason))
                    continue
                on_outcome(step, StepOutcome(sid, "STARTED"))
                wanted = _versions_for(state, step)
                running[pool.submit(_run_in_worker, sid, wanted)] = sid
            if not running:
                continue
            done, _ = wait(list(running), timeout=0.25, return_when=FIRST_COMPLETED)
            for future in done:
                sid = running.pop(future)
                outcome, produced = future.result()
                state.versions.update(produced)
                finish(sid, outcome)
        state.writer.flush()
        return status
    except (RunCanceled, KeyboardInterrupt):
        for proc in list(getattr(pool, "_processes", {}).values()):
            if proc.is_alive():
                os.kill(proc.pid, signal.SIGTERM)
        pool.shutdown(wait=True, cancel_futures=True)
        remaining = [steps[s] for s in steps if s not in status and s not in running.values()]
        for o in record_canceled(state, remaining):
            status[o.step_id] = o
        raise RunCanceled() from None
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _versions_for(state: RunState, step: Step) -> Versions:
    parents = {str(p) for k in step.keys for p in state.graph.parents(k)}
    return {k: v for k, v in state.versions.items() if k[0] in parents}
