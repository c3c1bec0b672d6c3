"""Observing data produced outside Assetline: ``external_asset(observe=...)`` functions
run by ``assetline observe``, and materializations reported by their producers
(GraphQL ``reportMaterialization``).

An observation is recorded as a materialization of the external asset (its data
version and metadata, no stored value) in a run of its own, tagged
``assetline/kind=observation``, so status, freshness, staleness and lineage treat it
like any other: a new data version makes downstream assets stale, the same one leaves
them fresh.
"""

from __future__ import annotations

import logging
import time
import traceback
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from assets_core.catalog.records import (
    EventRecord,
    NewMaterialization,
    RunRecord,
    StepRecord,
    WriteBatch,
)
from assets_core.definitions.resources import Resources, resolve_resource
from assets_core.definitions.results import Observation
from assets_core.errors import PartitionKeyError, UsageError
from assets_core.keys import AssetKey
from assets_core.redaction import learn_secrets, protect_output, redactor

if TYPE_CHECKING:
    from assets_core.catalog.catalog import Catalog
    from assets_core.definitions.repository import Definitions
    from assets_core.graph.asset_graph import AssetGraph

#: The tag of the runs that record observations and reported materializations.
KIND_TAG = "assetline/kind"
ObservationKind = Literal["observation", "reported"]


@dataclass(frozen=True, slots=True)
class ObserveContext:
    """What an ``observe`` function may use.

    Attributes:
        asset_key: The external asset being observed.
        partition_key: The partition observed, or None.
        resources: The code location's resources (``context.resources.name``).
        log: A logger (``assetline.observe``).
    """

    asset_key: AssetKey
    partition_key: str | None
    resources: Resources
    log: logging.Logger


@dataclass(frozen=True, slots=True)
class ObservedAsset:
    """One asset's observation: OBSERVED with its data version, or FAILED with why."""

    asset_key: str
    partition: str | None
    status: Literal["OBSERVED", "FAILED"]
    data_version: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    error: str | None = None


@dataclass(frozen=True, slots=True)
class ObserveResult:
    """The run that recorded the observations, and each asset's outcome.

    Attributes:
        run_id: The run (``assetline run RUN_ID``), tagged ``assetline/kind=observation``.
        status: ``SUCCESS`` when every observation succeeded, else ``FAILURE``.
        observed: Each asset's ``ObservedAsset``.
    """

    run_id: str
    status: str
    observed: list[ObservedAsset]

    @property
    def success(self) -> bool:
        return self.status == "SUCCESS"


def observable_keys(defs: Definitions, selection: str | None = None) -> list[AssetKey]:
    """The external assets with ``observe=`` in ``selection`` (default: all of them).

    Raises:
        UsageError: The selection holds assets that cannot be observed, or nothing has
            an ``observe`` function.
    """
    from assets_core.graph.select import select_sorted

    graph = defs.graph
    keys = select_sorted(graph, selection) if selection else list(graph.toposorted)
    observable = [k for k in keys if graph.get(k).definition.observe is not None]
    if selection:
        others = [str(k) for k in keys if k not in set(observable)]
        if others:
            raise UsageError(
                f"Not observable: {', '.join(others[:5])}{' ...' if len(others) > 5 else ''}. "
                "Only external assets declared with observe=... can be observed; select "
                "those (or report the others with the GraphQL mutation reportMaterialization)."
            )
    if not observable:
        raise UsageError(
            "No asset to observe: declare an external asset with "
            "external_asset(..., observe=fn) returning an Observation."
        )
    return observable


def observe(
    defs: Definitions,
    selection: str | None = None,
    *,
    partition: str | None = None,
    catalog: Catalog | None = None,
    home: Path | None = None,
    launched_by: str | None = None,
) -> ObserveResult:
    """Run the ``observe`` functions of the selected external assets and record what
    they return, in one run.

    Args:
        defs: The code location.
        selection: Which assets (default: every external asset with ``observe=``).
        partition: The partition to observe, for partitioned external assets.
        catalog: Where to record (default: the catalog of ``home``).
        home: The Assetline home (default ``$ASSETLINE_HOME``).
        launched_by: Who asked (default: the current user).

    Raises:
        UsageError: Nothing observable selected, or a bad partition key.
    """
    from assets_core.catalog.catalog import Catalog
    from assets_core.execution.run import current_user

    keys = observable_keys(defs, selection)
    graph = defs.graph
    own = catalog is None
    cat = catalog if catalog is not None else Catalog.open(home=home)
    try:
        for key in keys:
            _check_partition(graph, key, partition, cat)
        resources = Resources({n: resolve_resource(v) for n, v in defs.resources.items()})
        # Secrets are hidden at the one boundary every catalog write passes.
        if learn_secrets(defs.resources):
            protect_output()
        run = _start(cat, "observation", keys, partition, launched_by or current_user())
        try:
            outcomes = [_observe_one(graph, key, partition, resources) for key in keys]
        except BaseException as e:  # Ctrl-C: the run ends, it never stays STARTED
            ended = "CANCELED" if isinstance(e, KeyboardInterrupt) else "FAILURE"
            cat.end_run(
                run.id,
                ended,
                only_from=("STARTED",),
                batch=WriteBatch(),
                error=f"observation interrupted: {type(e).__name__}",
            )
            raise
        batch = WriteBatch()
        for outcome in outcomes:
            _record(batch, run.id, outcome)
        status = "SUCCESS" if all(o.status == "OBSERVED" for o in outcomes) else "FAILURE"
        failed = sum(o.status == "FAILED" for o in outcomes)
        batch.events.append(
            EventRecord(
                run.id,
                time.time(),
                "RUN_SUCCESS" if status == "SUCCESS" else "RUN_FAILURE",
                f"Observed {len(outcomes) - failed} of {len(outcomes)} assets",
            )
        )
        error = f"{failed} observation(s) failed" if failed else None
        cat.end_run(run.id, status, only_from=("STARTED",), batch=batch, error=error)
        return ObserveResult(run.id, status, outcomes)
    finally:
        if own:
            cat.close()


def report_materialization(
    catalog: Catalog,
    graph: AssetGraph,
    asset: str,
    *,
    partition: str | None = None,
    data_version: str | None = None,
    metadata: Mapping[str, Any] | None = None,
    launched_by: str | None = None,
) -> ObservedAsset:
    """Record a materialization made outside Assetline (the producer reports it).

    Args:
        catalog: Where to record it.
        graph: The code location's graph (the asset must be in it).
        asset: The asset key.
        partition: Its partition, for a partitioned asset.
        data_version: The new data's version (default: a fresh one).
        metadata: Metadata to record with it.
        launched_by: Who reported it.

    Raises:
        UsageError: Unknown asset or bad partition key.
    """
    key = AssetKey.parse(asset)
    if key not in graph.nodes:
        raise UsageError(
            f"Unknown asset {asset!r}: report a materialization of an asset of the code location."
        )
    _check_partition(graph, key, partition, catalog)
    run = _start(catalog, "reported", [key], partition, launched_by or "reported")
    outcome = ObservedAsset(
        str(key),
        partition,
        "OBSERVED",
        data_version or uuid.uuid4().hex[:16],
        dict(metadata or {}),
    )
    batch = WriteBatch()
    _record(batch, run.id, outcome)
    batch.events.append(
        EventRecord(run.id, time.time(), "RUN_SUCCESS", f"Reported a materialization of {key}")
    )
    catalog.end_run(run.id, "SUCCESS", only_from=("STARTED",), batch=batch)
    return outcome


def _check_partition(
    graph: AssetGraph, key: AssetKey, partition: str | None, catalog: Catalog
) -> None:
    partitions = graph.get(key).spec.partitions
    if partitions is None and partition is not None:
        raise PartitionKeyError(f"{key} is not partitioned: leave out the partition.")
    if partitions is not None:
        if partition is None:
            raise PartitionKeyError(
                f"{key} is partitioned ({partitions.describe()}): give the partition."
            )
        partitions.validate_key(partition, catalog)


def _start(
    catalog: Catalog,
    kind: ObservationKind,
    keys: list[AssetKey],
    partition: str | None,
    launched_by: str,
) -> RunRecord:
    from assets_core.execution.processes import this_process

    now, me = time.time(), this_process()  # crash recovery ends it if this process dies
    run = RunRecord(
        id=uuid.uuid4().hex,
        status="STARTED",
        selection=" or ".join(str(k) for k in keys),
        partitions=[partition] if partition else [],
        tags={KIND_TAG: kind},
        launched_by=launched_by,
        created_at=now,
        started_at=now,
        heartbeat_at=now,
        pid=me.pid,
        host=me.host,
        process_started_at=me.started_at,
    )
    catalog.create_run(run)
    what = "Observing" if kind == "observation" else "Recording a reported materialization of"
    catalog.add_events([EventRecord(run.id, now, "RUN_START", f"{what} {run.selection}")])
    return run


def _observe_one(
    graph: AssetGraph,
    key: AssetKey,
    partition: str | None,
    resources: Resources,
) -> ObservedAsset:
    fn = graph.get(key).definition.observe
    assert fn is not None  # observable_keys chose it
    context = ObserveContext(key, partition, resources, logging.getLogger("assetline.observe"))
    try:
        returned = fn(context) if _takes_context(fn) else fn()
    except Exception as e:
        trace = "".join(traceback.format_exception(e)[-3:])
        return ObservedAsset(
            str(key),
            partition,
            "FAILED",
            error=redactor().redact(f"observe of {key} raised {type(e).__name__}: {e}\n{trace}"),
        )
    if isinstance(returned, str) and returned:
        returned = Observation(returned)
    if not isinstance(returned, Observation):
        return ObservedAsset(
            str(key),
            partition,
            "FAILED",
            error=f"observe of {key} returned {type(returned).__name__}; return an "
            "Observation(data_version=..., metadata=...) or a data version string.",
        )
    return ObservedAsset(
        str(key), partition, "OBSERVED", returned.data_version, dict(returned.metadata)
    )


def _record(batch: WriteBatch, run_id: str, outcome: ObservedAsset) -> None:
    now = time.time()
    ok = outcome.status == "OBSERVED"
    batch.steps.append(
        StepRecord(
            run_id,
            outcome.asset_key,
            outcome.partition,
            "SUCCESS" if ok else "FAILED",
            1,
            now,
            now,
            outcome.error,
        )
    )
    if not ok:
        batch.failures.append((outcome.asset_key, outcome.partition, run_id, now))
        batch.events.append(
            EventRecord(
                run_id,
                now,
                "STEP_FAILURE",
                outcome.error or "",
                outcome.asset_key,
                outcome.partition,
                "ERROR",
            )
        )
        return
    metadata = outcome.metadata
    version = outcome.data_version or ""
    batch.events.append(
        EventRecord(
            run_id,
            now,
            "OBSERVATION",
            f"Observed {outcome.asset_key} (data version {version})",
            outcome.asset_key,
            outcome.partition,
            data={"data_version": version},
        )
    )
    batch.materializations.append(
        NewMaterialization(
            outcome.asset_key, outcome.partition, run_id, now, None, version, metadata, None
        )
    )


def _takes_context(fn: Callable[..., Any]) -> bool:
    import inspect

    try:
        params = list(inspect.signature(fn).parameters)
    except (TypeError, ValueError):
        return False
    return bool(params) and params[0] == "context"


__all__ = [
    "KIND_TAG",
    "ObserveContext",
    "ObserveResult",
    "ObservedAsset",
    "observable_keys",
    "observe",
    "report_materialization",
]
