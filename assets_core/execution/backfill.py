"""Plans that skip work already done: resumable backfills (partitions already
materialized) and re-execution from failure (steps that succeeded in the parent run)."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from assets_core.execution.plan import ExecutionPlan

if TYPE_CHECKING:
    from assets_core.catalog.catalog import Catalog


def resumable_plan(
    plan: ExecutionPlan, catalog: Catalog, *, force: bool = False, missing_only: bool = False
) -> ExecutionPlan:
    """``plan`` without the steps that need not run again: every partition they
    produce is materialized (or, with ``missing_only``, was ever attempted)."""
    if force:
        return plan
    keys = sorted({str(k) for s in plan.steps for k in s.keys})
    done: set[tuple[str, str | None]] = set()
    for row in catalog.partition_rows(keys, all_partitions=True):
        if row.status == "MATERIALIZED" or (missing_only and row.status == "FAILED"):
            done.add((row.asset_key, row.partition))
    return without_done(plan, done)


#: Tag of a run that re-executes the failed part of the run whose id it holds.
FROM_FAILURE_TAG = "assetline/from_failure_of"


def without_succeeded(plan: ExecutionPlan, catalog: Catalog, parent_run_id: str) -> ExecutionPlan:
    """``plan`` without the (asset, partition) steps that succeeded in the parent run."""
    done = {
        (s.asset_key, s.partition) for s in catalog.steps(parent_run_id) if s.status == "SUCCESS"
    }
    return without_done(plan, done)


def without_done(plan: ExecutionPlan, done: set[tuple[str, str | None]]) -> ExecutionPlan:
    """``plan`` without the steps whose every (asset, partition) is in ``done``; their
    dependants read the existing materializations instead. A single-run step over a
    range keeps only the partitions still to do."""
    kept = []
    removed: set[str] = set()
    changed = False
    for step in plan.steps:
        todo = tuple(
            p for p in step.partition_keys if any((str(k), p) not in done for k in step.keys)
        )
        if not step.partition_keys:
            finished = all((str(k), None) in done for k in step.keys)
        else:
            finished = not todo
        if finished:
            removed.add(step.id)
        elif len(step.partition_keys) > 1 and len(todo) < len(step.partition_keys):
            kept.append(
                replace(
                    step, partition_keys=todo, partition_key=todo[0] if len(todo) == 1 else None
                )
            )
            changed = True
        else:
            kept.append(step)
    if not removed and not changed:
        return plan
    steps = tuple(replace(s, deps=tuple(d for d in s.deps if d not in removed)) for s in kept)
    return ExecutionPlan(steps, plan.selected)
