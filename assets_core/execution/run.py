"""A run from start to end, in four steps that every way of starting a run shares:

1. ``plan_run``: validate the request (``RunSpec``), plan its steps, and decide what
   to skip (a resumed backfill, a re-execution from failure). Writes nothing.
2. ``start_run``: record the run STARTED with that final plan and emit RUN_START.
3. ``execute_run`` (``execute.py``): run the steps with the request's executor and
   record how the run ended — also when it is canceled or crashes.

``materialize()`` (Python) and the CLI do all three in this process; the API records
the run QUEUED (``launch.queue_run``) and a run worker starts it
(``launch.execute_queued_run``).
"""

from __future__ import annotations

import getpass
import time
import uuid
import weakref
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assets_core.catalog.records import RunRecord, RunStatus
from assets_core.definitions.asset import AssetsDefinition
from assets_core.definitions.repository import Definitions
from assets_core.definitions.resources import Resources, resolve_resource
from assets_core.errors import (
    ConfigError,
    UsageError,
)
from assets_core.execution.config import build_config
from assets_core.execution.events import RunEventWriter
from assets_core.execution.observers import Observers, observers_for
from assets_core.execution.plan import ExecutionPlan, PartitionRequest, build_plan
from assets_core.execution.request import RunSpec, requested_executor
from assets_core.execution.step import RunState, StepOutcome
from assets_core.graph.asset_graph import AssetGraph
from assets_core.redaction import learn_secrets, protect_output

if TYPE_CHECKING:
    from assets_core.catalog.catalog import Catalog
    from assets_core.checks.check import AssetCheckDefinition
    from assets_core.io.base import IOManager
    from assets_core.keys import AssetKey


class RunNotQueuedError(UsageError):
    """A queued run was canceled or started elsewhere before this worker took it."""


@dataclass(slots=True)
class RunResult:
    """The outcome of a run: its status, every step's outcome, and access to values.

    Attributes:
        run_id: The run's id (``assetline runs``, the UI).
        status: ``SUCCESS``, ``FAILURE`` or ``CANCELED``.
        steps: Each step's outcome by step id (``key`` or ``key[partition]``).
        graph: The asset graph the run used.
        catalog: The catalog the run was recorded in.
        io_managers: The IO managers, by name, that ``output_for`` loads through.
    """

    run_id: str
    status: str
    steps: dict[str, StepOutcome]
    graph: AssetGraph
    catalog: Catalog
    io_managers: dict[str, IOManager] = field(repr=False)

    @property
    def success(self) -> bool:
        return self.status == "SUCCESS"

    def step(self, key: str, partition: str | None = None) -> StepOutcome:
        """The outcome of the step that computed ``key`` (and ``partition``)."""
        asset = self.graph.resolve(key)
        wanted = f"{asset}[{partition}]" if partition else str(asset)
        for sid, outcome in self.steps.items():
            if sid == wanted or (partition is None and sid.startswith(f"{asset}[")):
                return outcome
        node = self.graph.get(asset)
        for sid, outcome in self.steps.items():  # a multi_asset step is named by its first key
            if node.definition.is_multi and sid.split("[")[0] in {
                str(k) for k in node.definition.keys
            }:
                return outcome
        raise KeyError(f"Run {self.run_id} has no step for {wanted}.")

    def output_for(self, key: str, partition: str | None = None) -> Any:
        """Load the stored value of ``key`` (``partition``) through its IO manager."""
        from assets_core.io.base import InputContext

        node = self.graph.get(key)
        io = self.io_managers[node.spec.io_manager or self.graph.default_io_manager]
        return io.load(
            InputContext(
                asset_key=node.key,
                partition_key=partition,
                metadata=node.spec.metadata,
                run_id=self.run_id,
            )
        )

    def failed_steps(self) -> list[StepOutcome]:
        return [o for o in self.steps.values() if o.status == "FAILED"]


def as_definitions(
    defs_or_assets: Definitions | Iterable[AssetsDefinition | AssetCheckDefinition],
) -> Definitions:
    """``defs_or_assets`` as ``Definitions``: a list of assets and checks is wrapped.

    Raises:
        UsageError: The list holds something that is neither an asset nor a check.
    """
    if isinstance(defs_or_assets, Definitions):
        return defs_or_assets
    from assets_core.checks.check import AssetCheckDefinition

    if isinstance(defs_or_assets, (str, bytes)):
        raise UsageError("Pass a Definitions or a list of assets and checks, not a string.")
    items = list(defs_or_assets)
    for item in items:
        if not isinstance(item, (AssetsDefinition, AssetCheckDefinition)):
            raise UsageError(
                f"materialize() takes a Definitions or a list of assets and checks; got "
                f"{type(item).__name__} {item!r:.60}. Decorate functions with @asset, or "
                "pass Definitions(...)."
            )
    return Definitions(
        assets=[a for a in items if isinstance(a, AssetsDefinition)],
        checks=[c for c in items if isinstance(c, AssetCheckDefinition)],
    )


def resolve_configs(
    graph: AssetGraph, keys: Sequence[AssetKey], config: Mapping[str, Any] | None
) -> dict[AssetKey, Any]:
    """Each selected asset's config dataclass instance; usage errors for bad config."""
    raw = dict(config or {})
    by_key: dict[AssetKey, Any] = {}
    for name in list(raw):
        key = graph.find(name)
        if key is None:
            raise ConfigError(
                f"Run config names unknown asset {name!r}; config is keyed by "
                'asset key, e.g. {"sales/daily_orders": {...}}.'
            )
        by_key[key] = raw.pop(name)
    out: dict[AssetKey, Any] = {}
    for key in keys:
        d = graph.get(key).definition
        if d.config_type is not None:
            out[key] = build_config(d.config_type, by_key.get(key), str(key))
        elif by_key.get(key):
            raise ConfigError(
                f"Asset {key} takes no config (it has no `config` parameter), "
                "but the run config has an entry for it."
            )
    return out


@dataclass(frozen=True, slots=True)
class PlannedRun:
    """A validated request and the steps it will run (after skipping what is done)."""

    spec: RunSpec
    plan: ExecutionPlan
    configs: dict[AssetKey, Any]
    #: Steps the resume policy removed from the plan.
    skipped: int = 0


def plan_run(defs: Definitions, catalog: Catalog, spec: RunSpec) -> PlannedRun:
    """Validate ``spec`` against the definitions and plan it: select, plan the
    partitions, skip what the resume policy says is done, build the run config.
    Raises usage errors and writes nothing."""
    from assets_core.catalog.snapshots import changed_keys
    from assets_core.execution.resume import skip_finished
    from assets_core.executors import check_executor_fits
    from assets_core.graph.select import select_sorted

    spec.validate()
    learn_secrets(defs.resources)  # before the run (its tags, its config) is recorded
    graph = defs.graph
    keys = select_sorted(
        graph, spec.selection, changed=lambda: changed_keys(graph, catalog.latest_snapshot())
    )
    full = build_plan(graph, keys, spec.partitions, catalog)
    plan = skip_finished(full, catalog, spec)
    if spec.resume == "from_failure":
        if not plan.steps:
            raise UsageError(
                f"Every step of run {spec.parent_run_id} succeeded; nothing to re-execute."
            )
        # Recorded as what it re-executes: the assets with steps left to run.
        todo = dict.fromkeys(str(k) for step in plan.steps for k in step.keys)
        spec = replace(spec, selection=", ".join(todo))
    configs = resolve_configs(graph, plan.selected, spec.config)
    check_executor_fits(spec.executor, plan, graph, defs.io_managers)
    return PlannedRun(spec, plan, configs, len(full.steps) - len(plan.steps))


@dataclass(slots=True)
class StartedRun:
    """A run recorded STARTED, with everything its steps share, ready to execute."""

    record: RunRecord
    planned: PlannedRun
    state: RunState
    catalog: Catalog
    #: OpenLineage, alerts: told what the run does (``execution/observers.py``).
    observers: Observers = field(default_factory=lambda: Observers([]))

    @property
    def plan(self) -> ExecutionPlan:
        return self.planned.plan


def start_run(
    defs: Definitions,
    catalog: Catalog,
    planned: PlannedRun,
    *,
    queued: RunRecord | None = None,
    run_id: str | None = None,
    home: Path | None = None,
    io_managers: Mapping[str, IOManager] | None = None,
) -> StartedRun:
    """Record the run STARTED with its final plan (a new run, or ``queued`` moved from
    QUEUED) and emit RUN_START. Resources and IO managers are resolved first, so a
    missing secret or a bad IO manager writes nothing."""
    from assets_core.catalog.connection import assetline_home
    from assets_core.execution.pools import PoolSlots
    from assets_core.execution.processes import this_process
    from assets_core.executors import check_executor_fits
    from assets_core.io.registry import resolve_io_managers
    from assets_core.settings import load_settings

    spec, plan, graph = planned.spec, planned.plan, defs.graph
    # Dask workers build the resources themselves (EnvVars resolve there, not here).
    here = spec.executor.name != "dask"
    resources = {n: resolve_resource(v, n) for n, v in defs.resources.items()} if here else {}
    # The secrets this process can see; Dask workers redact with their own too.
    redactor = learn_secrets(defs.resources)
    if redactor:
        protect_output()
    managers = resolve_io_managers(
        home or assetline_home(), {**defs.io_managers, **(io_managers or {})}
    )
    check_executor_fits(spec.executor, plan, graph, managers)
    parents = {str(p) for k in plan.selected for p in graph.parents(k)}
    versions = catalog.latest_versions(sorted(parents)) if parents else {}

    now = time.time()
    me = this_process()
    running = {
        "started_at": now,
        "heartbeat_at": now,
        "pid": me.pid,
        "host": me.host,
        "process_started_at": me.started_at,
    }
    if queued is not None:
        record = queued
        if not catalog.transition_run(record.id, "STARTED", only_from=("QUEUED",), **running):
            # canceled (or taken by another worker) while it waited
            raise RunNotQueuedError(
                f"Run {record.id} is no longer QUEUED ({catalog.get_run(record.id).status}); "
                "it was not started."
            )
        record.status, record.started_at = "STARTED", now
    else:
        record = catalog.create_run(
            run_record(spec, run_id or uuid.uuid4().hex, "STARTED", now, **running)
        )
    _save_snapshot(catalog, graph)
    writer = RunEventWriter(catalog, record.id)
    pooled = any(step.definition.pool is not None for step in plan.steps)
    settings = load_settings()
    state = RunState(
        run_id=record.id,
        graph=graph,
        io_managers=managers,
        resources=Resources(resources),
        configs=planned.configs,
        writer=writer,
        versions=versions,
        redact=redactor.redact,
        pools=PoolSlots(catalog, settings.pools) if pooled else None,
        resource_definitions=dict(defs.resources),
        max_log_bytes=settings.max_step_log_bytes,
    )
    steps = len(plan.steps)
    done = f"; {planned.skipped} already done" if planned.skipped else ""
    writer.emit(
        "RUN_START",
        f"Started run of {steps} step{'' if steps == 1 else 's'} ({spec.selection}){done}",
        data={"steps": steps, "skipped": planned.skipped, "executor": spec.executor.name},
    )
    observers = observers_for(defs, settings, record.id, spec.selection, state, catalog)
    return StartedRun(record, planned, state, catalog, observers)


def run_record(
    spec: RunSpec, run_id: str, status: RunStatus, now: float, **values: Any
) -> RunRecord:
    """The catalog record of a run of ``spec``."""
    return RunRecord(
        id=run_id,
        status=status,
        selection=spec.selection,
        partitions=spec.partitions.describe(),
        tags=dict(spec.tags),
        config=dict(spec.config),
        launched_by=spec.launched_by or current_user(),
        executor=spec.executor.name,
        executor_options=spec.executor.options(),
        resume=spec.resume,
        parent_run_id=spec.parent_run_id,
        run_key=spec.run_key,
        created_at=now,
        **values,
    )


def current_user() -> str:
    """The name of the user running this process (recorded as who launched a run)."""
    try:
        return getpass.getuser()
    except Exception:
        return "unknown"


_snapshots: weakref.WeakKeyDictionary[AssetGraph, tuple[str, dict[str, Any]]] = (
    weakref.WeakKeyDictionary()
)


def _save_snapshot(catalog: Catalog, graph: AssetGraph) -> None:
    """Record that this graph was loaded now (its snapshot is computed once per graph
    and stored once per digest)."""
    from assets_core.catalog.snapshots import snapshot_of

    snapshot = _snapshots.get(graph)
    if snapshot is None:
        snapshot = _snapshots[graph] = snapshot_of(graph)
    catalog.save_snapshot(*snapshot)


def materialize(
    defs_or_assets: Definitions | Iterable[AssetsDefinition | AssetCheckDefinition],
    selection: str | Sequence[str] = "*",
    partition: str | None = None,
    *,
    partition_range: tuple[str, str] | None = None,
    config: Mapping[str, Any] | None = None,
    tags: Mapping[str, str] | None = None,
    catalog: Catalog | None = None,
    catalog_url: str | None = None,
    home: str | Path | None = None,
    io_managers: Mapping[str, IOManager] | None = None,
    executor: str | None = None,
    workers: int | None = None,
    dask_address: str | None = None,
    raise_on_error: bool = False,
) -> RunResult:
    """Materialize the selected assets and return the run's result.

    Args:
        defs_or_assets: A ``Definitions`` or a list of assets (and checks).
        selection: A selection expression (SPEC §2) or a list of asset keys.
        partition: The partition to materialize, for partitioned assets.
        partition_range: ``(start, end)``, both inclusive, instead of ``partition``.
        config: Run config, ``{"asset_key": {"field": value}}``.
        tags: Tags stored with the run.
        catalog: An open catalog; default: the one of ``catalog_url`` / ``home``.
        catalog_url: A catalog URL (``sqlite:///...``, ``postgresql+psycopg://...``);
            default: ``$ASSETLINE_CATALOG_URL``, else SQLite in the home.
        home: The Assetline home (storage and SQLite catalog); default $ASSETLINE_HOME.
        io_managers: IO managers replacing those of the definitions, by name.
        executor: ``inprocess``, ``multiprocess`` or ``dask``; default: ``[tool.assetline]
            executor`` of the working directory's pyproject.toml, else ``inprocess``.
        workers: Worker processes of the ``multiprocess`` executor, or of the local Dask
            cluster the ``dask`` executor starts when it has no address.
        dask_address: A running Dask scheduler (``tcp://host:8786``) for the ``dask``
            executor; default: ``$ASSETLINE_DASK_ADDRESS``, else a local cluster.
        raise_on_error: Raise ``ExecutionError`` when the run does not succeed.

    Returns:
        The run's result: its status, each step's outcome, and ``output_for(key)``.

    Example::

        result = materialize([raw_orders, daily_orders], selection="*")
        assert result.success
        df = result.output_for("daily_orders")
    """
    from assets_core.catalog.catalog import Catalog
    from assets_core.errors import ExecutionError

    defs = as_definitions(defs_or_assets)
    if isinstance(selection, str):
        text = selection
    else:
        graph = defs.graph
        text = ", ".join(str(k) for k in graph.sorted(graph.resolve(s) for s in selection))
    if partition is not None and partition_range is not None:
        raise UsageError("Pass either partition= or partition_range=, not both.")
    if partition is not None:
        request = PartitionRequest(key=partition)
    elif partition_range is not None:
        request = PartitionRequest(start=partition_range[0], end=partition_range[1])
    else:
        request = PartitionRequest()
    spec = RunSpec(
        selection=text,
        partitions=request,
        config=dict(config or {}),
        tags=dict(tags or {}),
        executor=requested_executor(executor, workers, dask_address),
    )
    home_path = Path(home) if home is not None else None
    cat = catalog or Catalog.open(catalog_url, home_path)
    try:
        from assets_core.execution.execute import run_in_process

        result = run_in_process(defs, cat, spec, home=home_path, io_managers=io_managers)
    finally:
        if catalog is None:
            cat.close()
    if raise_on_error and not result.success:
        failed = result.failed_steps()
        detail = "; ".join(f"{o.step_id}: {o.error}" for o in failed[:3])
        raise ExecutionError(f"Run {result.run_id} ended {result.status}. {detail}".strip())
    return result
