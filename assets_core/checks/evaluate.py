"""Evaluating an asset's checks inside its step, right after it is stored, and the
catalog record of an evaluation."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING, Any

from assets_core.catalog.records import CheckResultRecord

if TYPE_CHECKING:
    from assets_core.checks.check import AssetCheckDefinition
    from assets_core.checks.runner import CheckEvaluation
    from assets_core.execution.context import StepLog
    from assets_core.execution.plan import Step
    from assets_core.execution.step import RunState
    from assets_core.keys import AssetKey


def to_record(ev: CheckEvaluation, run_id: str | None) -> CheckResultRecord:
    metadata = dict(ev.metadata)
    if ev.traceback:
        metadata["traceback"] = ev.traceback
    if ev.description:
        metadata["description"] = ev.description
    return CheckResultRecord(
        asset_key=str(ev.asset_key),
        check_name=ev.check_name,
        partition=ev.partition_key,
        run_id=run_id,
        timestamp=time.time(),
        status=ev.status,
        passed=ev.passed,
        severity=ev.severity,
        blocking=ev.blocking,
        metadata=metadata,
        error=ev.error,
        duration_s=ev.duration_s,
    )


def evaluate_checks(
    state: RunState, step: Step, key: AssetKey, value: Any, log: StepLog
) -> list[CheckResultRecord]:
    from assets_core.checks.runner import CheckContext, run_check
    from assets_core.io.adapters import coerce_table

    now = datetime.now(UTC)
    out = []

    for check in state.graph.checks_for(key):
        annotations = getattr(check.fn, "__annotations__", None) or {}
        checked = coerce_table(value, annotations.get(check.value_param, ""))
        context = CheckContext(
            asset_key=key,
            partition_key=step.partition_key,
            resources=state.resources,
            log=log,
            run_id=state.run_id,
            last_materialized_at=now,
            now=now,
        )
        ev = run_check(
            check,
            checked,
            context,
            partial(_additional_values, state, step, check, log) if check.additional_ins else None,
        )
        level = "INFO" if ev.passed else ("ERROR" if ev.severity == "error" else "WARNING")
        state.writer.emit(
            "CHECK_EVALUATION",
            f"Check {check.name} on {key}: {ev.status}" + ("" if ev.passed else f" ({ev.message})"),
            str(key),
            step.partition_key,
            level,
            {
                "check": check.name,
                "status": ev.status,
                "severity": ev.severity,
                "blocking": ev.blocking,
            },
        )
        out.append(to_record(ev, state.run_id))
    return out


def _additional_values(
    state: RunState, step: Step, check: AssetCheckDefinition, log: StepLog
) -> dict[str, Any]:
    """The stored values of the other assets ``check`` reads (``additional_ins``): the
    step's partition of a partitioned one. A value that cannot be loaded raises, which
    the check's evaluation records as ERRORED."""
    from assets_core.io.adapters import coerce_table
    from assets_core.io.base import InputContext

    annotations = getattr(check.fn, "__annotations__", None) or {}
    out: dict[str, Any] = {}
    for param, key in check.additional_ins:
        node = state.graph.get(key)
        partitioned = node.spec.partitions is not None
        ctx = InputContext(
            asset_key=key,
            partition_key=step.partition_key if partitioned else None,
            partition_keys=step.partition_keys
            if partitioned and step.partition_key is None
            else None,
            metadata=node.spec.metadata,
            resources=state.resources,
            log=log,  # type: ignore[arg-type]
            run_id=state.run_id,
            consumer_key=check.asset_key,
        )
        out[param] = coerce_table(state.io_for(node).load(ctx), annotations.get(param, ""))
    return out
