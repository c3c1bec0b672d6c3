"""The in-process executor: steps one after another in plan order, in this process."""

from __future__ import annotations

import time
from collections.abc import Callable

from assets_core.catalog.records import StepRecord
from assets_core.execution.plan import ExecutionPlan, Step
from assets_core.execution.step import RunCanceled, RunState, StepOutcome, run_step

OutcomeCallback = Callable[[Step, StepOutcome], None]


def skip_reason(step: Step, status: dict[str, StepOutcome]) -> str | None:
    """Why ``step`` cannot run: an upstream step that did not succeed."""
    for dep in step.deps:
        outcome = status[dep]
        if outcome.status != "SUCCESS":
            if outcome.status == "SKIPPED":
                return outcome.error or f"upstream {dep} was skipped"
            what = "was canceled" if outcome.status == "CANCELED" else "failed"
            return f"upstream {dep} {what}" + (
                f" ({outcome.error})" if outcome.error and "check" in outcome.error else ""
            )
    return None


def record_skip(state: RunState, step: Step, reason: str) -> StepOutcome:
    now = time.time()
    key, part = str(step.key), step.partition_key
    state.writer.emit(
        "STEP_SKIPPED", f"Skipped {step.id}: {reason}", key, part, "WARNING", {"reason": reason}
    )
    for k in step.keys:
        for p in step.partition_keys or (None,):
            state.writer.add_step(
                StepRecord(state.run_id, str(k), p, "SKIPPED", 0, None, now, reason)
            )
    return StepOutcome(step.id, "SKIPPED", 0, None, now, reason)


def record_canceled(state: RunState, steps: list[Step]) -> list[StepOutcome]:
    now = time.time()
    out = []
    for step in steps:
        for k in step.keys:
            for p in step.partition_keys or (None,):
                state.writer.add_step(
                    StepRecord(state.run_id, str(k), p, "CANCELED", 0, None, now, "run canceled")
                )
        out.append(StepOutcome(step.id, "CANCELED", 0, None, now, "run canceled"))
    state.writer.flush()
    return out


def execute_inprocess(
    plan: ExecutionPlan,
    state: RunState,
    on_outcome: OutcomeCallback,
    should_cancel: Callable[[], bool],
) -> dict[str, StepOutcome]:
    """Run every step; raise ``RunCanceled`` (after recording) when canceled."""
    status: dict[str, StepOutcome] = {}
    steps = list(plan.steps)
    for i, step in enumerate(steps):
        if should_cancel():
            for o in record_canceled(state, steps[i:]):
                status[o.step_id] = o
            raise RunCanceled()
        reason = skip_reason(step, status)
        if reason is not None:
            outcome = record_skip(state, step, reason)
        else:
            on_outcome(step, StepOutcome(step.id, "STARTED", started_at=time.time()))
            try:
                outcome = run_step(state, step)
            except RunCanceled:
                status[step.id] = StepOutcome(step.id, "CANCELED", error="run canceled")
                for o in record_canceled(state, steps[i + 1 :]):
                    status[o.step_id] = o
                raise
        status[step.id] = outcome
        on_outcome(step, outcome)
    return status
