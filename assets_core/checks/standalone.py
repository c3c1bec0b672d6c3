"""Running checks outside a run, against stored values (``assetline check``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING, Any

from assets_core.catalog.records import WriteBatch

if TYPE_CHECKING:
    from assets_core.catalog.catalog import Catalog
    from assets_core.checks.runner import CheckEvaluation
    from assets_core.definitions.repository import Definitions
    from assets_core.keys import AssetKey


def evaluation_from_record(record: Any) -> CheckEvaluation:
    from assets_core.checks.runner import CheckEvaluation
    from assets_core.keys import AssetKey

    metadata = dict(record.metadata)
    tb = metadata.pop("traceback", None)
    description = metadata.pop("description", None)
    return CheckEvaluation(
        check_name=record.check_name,
        asset_key=AssetKey.parse(record.asset_key),
        partition_key=record.partition,
        passed=record.passed,
        severity=record.severity,
        blocking=record.blocking,
        metadata=metadata,
        description=description,
        error=record.error,
        traceback=tb,
        duration_s=record.duration_s or 0.0,
        status=record.status,
    )


def run_checks(
    defs: Definitions,
    catalog: Catalog,
    keys: Sequence[AssetKey],
    *,
    materialize_first: bool = False,
    partition: str | None = None,
    all_partitions: bool = False,
    partition_range: tuple[str, str] | None = None,
) -> tuple[list[CheckEvaluation], list[str]]:
    """Evaluate the checks of ``keys``; return the evaluations and notes for people."""
    graph = defs.graph
    checked = [k for k in keys if graph.checks_for(k)]
    if materialize_first:
        return _materialize_and_check(defs, catalog, keys, partition, partition_range)
    from assets_core.catalog.connection import assetline_home
    from assets_core.checks.runner import CheckContext, run_check
    from assets_core.definitions.resources import Resources, resolve_resource
    from assets_core.io.adapters import coerce_table
    from assets_core.io.base import InputContext, MissingValueError, UnreadableValueError
    from assets_core.io.registry import resolve_io_managers
    from assets_core.redaction import learn_secrets, protect_output

    managers = resolve_io_managers(assetline_home(), defs.io_managers)
    resources = Resources({n: resolve_resource(v, n) for n, v in defs.resources.items()})
    if learn_secrets(defs.resources):
        protect_output()
    evaluations: list[CheckEvaluation] = []
    notes: list[str] = []
    records = []
    now = datetime.now(UTC)
    for key in checked:
        node = graph.get(key)
        io = managers[node.spec.io_manager or graph.default_io_manager]
        for part, mat_ts in _targets(
            catalog, key, node.spec.partitions is not None, partition, all_partitions, notes
        ):
            problem: str | None = None
            try:
                value = io.load(
                    InputContext(
                        asset_key=key,
                        partition_key=part,
                        metadata=node.spec.metadata,
                        resources=resources,
                    )
                )
            except MissingValueError as e:
                notes.append(f"{key}: {e.message}")
                value, problem = None, _no_value_message(key, part)
            except UnreadableValueError as e:
                value, problem = None, e.message
            except Exception as e:  # a user IO manager: the check errs, the report is written
                value = None
                problem = f"loading the stored value of {key} raised {type(e).__name__}: {e}"
            for check in graph.checks_for(key):
                context = CheckContext(
                    asset_key=key,
                    partition_key=part,
                    resources=resources,
                    last_materialized_at=(datetime.fromtimestamp(mat_ts, UTC) if mat_ts else None),
                    now=now,
                )
                if problem is not None:
                    ev = _errored(check, key, part, problem)
                else:
                    annotations = getattr(check.fn, "__annotations__", None) or {}
                    checked = coerce_table(value, annotations.get(check.value_param, ""))
                    ev = run_check(
                        check,
                        checked,
                        context,
                        partial(_stored_inputs, graph, managers, resources, check, part),
                    )
                evaluations.append(ev)
                from assets_core.checks.evaluate import to_record

                records.append(to_record(ev, None))
    if records:
        catalog.write(WriteBatch(check_results=records))
    return evaluations, notes


def _stored_inputs(
    graph: Any, managers: Any, resources: Any, check: Any, part: str | None
) -> dict[str, Any]:
    """The stored values of the other assets ``check`` reads (``additional_ins``), the
    same partition of a partitioned one."""
    from assets_core.io.adapters import coerce_table
    from assets_core.io.base import InputContext

    annotations = getattr(check.fn, "__annotations__", None) or {}
    out: dict[str, Any] = {}
    for param, key in check.additional_ins:
        node = graph.get(key)
        io = managers[node.spec.io_manager or graph.default_io_manager]
        value = io.load(
            InputContext(
                asset_key=key,
                partition_key=part if node.spec.partitions is not None else None,
                metadata=node.spec.metadata,
                resources=resources,
                consumer_key=check.asset_key,
            )
        )
        out[param] = coerce_table(value, annotations.get(param, ""))
    return out


def _targets(
    catalog: Catalog,
    key: AssetKey,
    partitioned: bool,
    partition: str | None,
    all_partitions: bool,
    notes: list[str],
) -> list[tuple[str | None, float | None]]:
    rows = [
        r
        for r in catalog.partition_rows([str(key)], all_partitions=True)
        if r.materialization_id is not None
    ]
    if not partitioned:
        return [(None, rows[0].timestamp if rows else None)]
    if partition is not None:
        match = [r for r in rows if r.partition == partition]
        return [(partition, match[0].timestamp if match else None)]
    if not rows:
        notes.append(f"{key}: no partition is materialized yet; nothing to check.")
        return []
    rows.sort(key=lambda r: r.timestamp)
    if all_partitions:
        return [(r.partition, r.timestamp) for r in rows]
    return [(rows[-1].partition, rows[-1].timestamp)]


def _no_value_message(key: AssetKey, part: str | None) -> str:
    where = f" partition {part}" if part else ""
    return (
        f"{key}{where} has no stored value; materialize it first "
        "(or run `assetline check --materialize`)."
    )


def _errored(check: Any, key: AssetKey, part: str | None, error: str) -> CheckEvaluation:
    """An ERRORED evaluation: the check could not run because its value is missing or
    unreadable (``error`` says which)."""
    from assets_core.checks.runner import CheckEvaluation

    return CheckEvaluation(
        check_name=check.name,
        asset_key=key,
        partition_key=part,
        passed=False,
        severity=check.severity,
        blocking=check.blocking,
        metadata={},
        description=None,
        error=error,
        traceback=None,
        duration_s=0.0,
        status="ERRORED",
    )


def _materialize_and_check(
    defs: Definitions,
    catalog: Catalog,
    keys: Sequence[AssetKey],
    partition: str | None,
    partition_range: tuple[str, str] | None = None,
) -> tuple[list[CheckEvaluation], list[str]]:
    from assets_core.execution.execute import run_in_process
    from assets_core.execution.plan import PartitionRequest
    from assets_core.execution.request import RunSpec

    if partition_range is not None:
        request = PartitionRequest(start=partition_range[0], end=partition_range[1])
    else:
        request = PartitionRequest(key=partition) if partition else PartitionRequest()
    spec = RunSpec(
        selection=", ".join(str(k) for k in keys),
        partitions=request,
        tags={"assetline/check": "true"},
    )
    result = run_in_process(defs, catalog, spec, handle_signals=True)
    notes = (
        []
        if result.success
        else [
            f"run failed: {result.run_id} ended {result.status}; "
            + "; ".join(f"{o.step_id}: {o.error}" for o in result.failed_steps()[:5])
        ]
    )
    records = catalog.check_results_for_run(result.run_id)
    return [evaluation_from_record(r) for r in records], notes
