"""Executors run a plan's steps: in this process, or in worker processes."""

from __future__ import annotations

from collections.abc import Callable

from assets_core.errors import UsageError
from assets_core.execution.plan import ExecutionPlan, Step
from assets_core.execution.step import RunState, StepOutcome

EXECUTORS = ("inprocess", "multiprocess")


def execute_plan(
    name: str,
    plan: ExecutionPlan,
    state: RunState,
    on_outcome: Callable[[Step, StepOutcome], None],
    should_cancel: Callable[[], bool],
    workers: int | None = None,
) -> dict[str, StepOutcome]:
    """Run ``plan`` with the executor called ``name``."""
    if name == "inprocess":
        from assets_core.executors.inprocess import execute_inprocess

        return execute_inprocess(plan, state, on_outcome, should_cancel)
    if name == "multiprocess":
        from assets_core.executors.multiprocess import execute_multiprocess

        return execute_multiprocess(plan, state, on_outcome, should_cancel, workers)
    raise UsageError(f"Unknown executor {name!r}; available: {', '.join(EXECUTORS)}.")
