"""Executors run a plan's steps: in this process, in worker processes, or on a Dask
cluster."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from assets_core.errors import UsageError
from assets_core.execution.plan import ExecutionPlan, Step
from assets_core.execution.step import RunState, StepOutcome

if TYPE_CHECKING:
    from assets_core.execution.request import ExecutorSpec
    from assets_core.graph.asset_graph import AssetGraph


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
    if executor.name == "dask":
        from assets_core.executors.dask import execute_dask

        return execute_dask(plan, state, on_outcome, should_cancel, executor)
    from assets_core.executors.inprocess import execute_inprocess

    return execute_inprocess(plan, state, on_outcome, should_cancel)


def check_executor_fits(
    executor: ExecutorSpec, plan: ExecutionPlan, graph: AssetGraph, managers: Mapping[str, object]
) -> None:
    """Raise ``UsageError`` when the plan cannot run on ``executor``: with ``dask``,
    values pass between steps only through IO managers that other processes can read,
    so an asset stored (or read) with the ``memory`` IO manager cannot run there.

    Args:
        executor: The run's executor.
        plan: The steps to run.
        graph: The asset graph.
        managers: The IO managers by name (the code location's, or the resolved ones);
            a name missing here is a built-in.
    """
    if executor.name != "dask":
        return
    from assets_core.io.memory import MemoryIOManager

    for step in plan.steps:
        for key in step.keys:
            node = graph.get(key)
            for asset in (node, *(graph.get(p) for p in node.parents)):
                name = asset.spec.io_manager or graph.default_io_manager
                manager = managers.get(name)
                if isinstance(manager, MemoryIOManager) or (manager is None and name == "memory"):
                    role = "" if asset is node else f", which {key} reads,"
                    raise UsageError(
                        f"Asset {asset.key}{role} uses the {name!r} IO manager, which keeps "
                        "values in the memory of one process; the dask executor runs steps "
                        "in other processes, which cannot see them. Store it with an IO "
                        'manager every worker can read (io_manager="fs" or "duckdb"), or '
                        "run with --executor inprocess."
                    )
