"""Executors run a plan's steps: in this process, or in worker processes."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from assets_core.execution.plan import ExecutionPlan, Step
from assets_core.execution.step import RunState, StepOutcome

if TYPE_CHECKING:
    from assets_core.execution.request import ExecutorSpec


def execute_plan(
    executor: ExecutorSpec,
    plan: ExecutionPlan,
    state: RunState,
    on_outcome: Callable[[Step, StepOutcome], None],
    should_cancel: Callable[[], bool],
) -> dict[str, StepOutcome]:
    """Run ``plan`` with ``executor`` (validated by ``RunSpec.validate``)."""
    if executor.name == "multiprocess":
        from assets_core.executors.multiprocess import execute_multiprocess

        return execute_multiprocess(plan, state, on_outcome, should_cancel, executor.workers)
    from assets_core.executors.inprocess import execute_inprocess

    return execute_inprocess(plan, state, on_outcome, should_cancel)
