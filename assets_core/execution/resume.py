"""Deciding what a run skips before it is recorded: partitions a resumed backfill
already materialized, and steps that succeeded in the run being re-executed from
failure."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from assets_core.execution.plan import ExecutionPlan

if TYPE_CHECKING:
    from assets_core.catalog.catalog import Catalog
    from assets_core.execution.request import RunSpec

Done = set[tuple[str, str | None]]


def skip_finished(plan: ExecutionPlan, catalog: Catalog, spec: RunSpec) -> ExecutionPlan:
    """``plan`` without the steps ``spec.resume`` says need not run again."""
    if spec.resume == "none" or not plan.steps:
        return plan
    if spec.resume == "from_failure":
        assert spec.parent_run_id is not None  # RunSpec.validate
        return without_done(plan, succeeded_in_lineage(catalog, spec.parent_run_id))
    keys = sorted({str(k) for s in plan.steps for k in s.keys})
    missing_only = spec.resume == "missing_only"
    done: Done = set()
    for row in catalog.partition_rows(keys, all_partitions=True):
        if row.status == "MATERIALIZED" or (missing_only and row.status == "FAILED"):
            done.add((row.asset_key, row.partition))
    return without_done(plan, done)


def succeeded_in_lineage(catalog: Catalog, run_id: str) -> Done:
    """The (asset, partition) steps that succeeded in ``run_id`` or, when it was itself
    a re-execution from failure, in the runs it re-executed."""
    done: Done = set()
    seen: set[str] = set()
    current: str | None = run_id
    while current is not None and current not in seen:
        seen.add(current)
        run = catalog.get_run(current)
        done.update(
            (s.asset_key, s.partition) for s in catalog.steps(run.id) if s.status == "SUCCESS"
        )
        current = run.parent_run_id if run.resume == "from_failure" else None
    return done


def without_done(plan: ExecutionPlan, done: Done) -> ExecutionPlan:
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
