"""Launching runs that were queued elsewhere (by the API, the daemon or
``reexecute``) and running them in this process."""

from __future__ import annotations

import dataclasses
import time
import uuid
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from assets_core.catalog.records import RunRecord
from assets_core.errors import UsageError
from assets_core.execution.backfill import FROM_FAILURE_TAG, without_succeeded
from assets_core.execution.plan import PartitionRequest

if TYPE_CHECKING:
    from assets_core.catalog.catalog import Catalog
    from assets_core.definitions.repository import Definitions
    from assets_core.execution.run import RunResult


def request_from_partitions(partitions: Sequence[str]) -> PartitionRequest:
    """The stored form of a run's partitions back to a request: ``["k"]`` or
    ``["a...b"]`` (a two-item list ``["a", "b"]`` is also read as a range)."""
    if not partitions:
        return PartitionRequest()
    if len(partitions) == 1:
        p = partitions[0]
        if "..." in p:
            start, end = p.split("...", 1)
            return PartitionRequest(start=start, end=end)
        return PartitionRequest(key=p)
    if len(partitions) == 2:
        return PartitionRequest(start=partitions[0], end=partitions[1])
    raise UsageError("Give one partition key, or a range as two keys [from, to].")


def queue_run(
    catalog: Catalog,
    defs: Definitions,
    selection: str,
    *,
    partitions: Sequence[str] | None = None,
    config: Mapping[str, Any] | None = None,
    tags: Mapping[str, str] | None = None,
    launched_by: str | None = None,
    parent_run_id: str | None = None,
    run_key: str | None = None,
) -> RunRecord:
    """Validate a run request (selection, partitions, config) and record it QUEUED.
    Raises usage errors without writing anything when the request is bad."""
    from assets_core.execution.plan import build_plan
    from assets_core.execution.run import resolve_configs
    from assets_core.graph.select import select_sorted

    graph = defs.graph
    keys = select_sorted(graph, selection)
    request = request_from_partitions(list(partitions or []))
    plan = build_plan(graph, keys, request, catalog)
    resolve_configs(graph, plan.selected, config)
    record = RunRecord(
        id=uuid.uuid4().hex,
        status="QUEUED",
        selection=selection,
        partitions=request.describe(),
        tags=dict(tags or {}),
        config=dict(config or {}),
        launched_by=launched_by,
        executor="inprocess",
        parent_run_id=parent_run_id,
        run_key=run_key,
        created_at=time.time(),
    )
    return catalog.create_run(record)


def execute_queued_run(
    defs: Definitions, catalog: Catalog, run_id: str, handle_signals: bool = True
) -> RunResult:
    """Run a QUEUED run to its end in this process (a run worker)."""
    from assets_core.execution.run import RunNotQueuedError, execute_prepared, prepare_run
    from assets_core.graph.select import select_sorted

    record = catalog.get_run(run_id)
    if record.status != "QUEUED":
        raise UsageError(f"Run {run_id} is {record.status}, not QUEUED; it cannot start again.")
    keys = select_sorted(defs.graph, record.selection)
    try:
        prepared = prepare_run(
            defs,
            catalog,
            keys,
            selection=record.selection,
            request=request_from_partitions(record.partitions),
            config=record.config,
            tags=record.tags,
            executor=record.executor or "inprocess",
            existing=record,
        )
    except RunNotQueuedError:
        raise
    except BaseException as e:
        catalog.update_run(
            run_id, status="FAILURE", ended_at=time.time(), error=f"{type(e).__name__}: {e}"
        )
        raise
    parent = record.tags.get(FROM_FAILURE_TAG)
    if parent:
        prepared.plan = without_succeeded(prepared.plan, catalog, parent)
    return execute_prepared(prepared, handle_signals=handle_signals)


def reexecution_selection(
    defs: Definitions, catalog: Catalog, run_id: str, from_failure: bool
) -> tuple[RunRecord, str]:
    """The parent run and the selection of its re-execution: the same selection, or
    (from failure) the assets with a step that did not succeed or never ran. From
    failure, the returned parent's tags carry ``FROM_FAILURE_TAG``, so a run queued
    with them skips the (asset, partition) steps that succeeded in the parent."""
    from assets_core.graph.select import select_sorted

    parent = catalog.get_run(run_id)
    if not from_failure:
        return parent, parent.selection
    if parent.status not in ("FAILURE", "CANCELED"):
        raise UsageError(
            f"Run {parent.id} ended {parent.status}; only a FAILURE or CANCELED run can be "
            "re-executed from failure."
        )
    statuses: dict[str, set[str]] = {}
    for step in catalog.steps(parent.id):
        statuses.setdefault(step.asset_key, set()).add(step.status)
    done = {key for key, seen in statuses.items() if seen == {"SUCCESS"}}
    redo = [str(k) for k in select_sorted(defs.graph, parent.selection) if str(k) not in done]
    if not redo:
        raise UsageError(f"Every step of run {parent.id} succeeded; nothing to re-execute.")
    tagged = dataclasses.replace(parent, tags={**parent.tags, FROM_FAILURE_TAG: parent.id})
    return tagged, ", ".join(redo)
