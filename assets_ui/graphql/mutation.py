"""The ``Mutation`` root: launch, cancel and re-execute runs, add dynamic partitions,
reload the code location.

Every mutation arrives as an HTTP POST with a JSON body (never GET, never over the
websocket), is checked against the caller's role and groups, and is written to the
audit log. Runs execute in the warm worker's children: a mutation returns as soon as
the run is recorded QUEUED and handed over.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, TypeVar

import strawberry
from starlette.requests import Request
from strawberry.types import Info

from assets_core.catalog.records import EventRecord, WriteBatch
from assets_core.errors import AssetlineError
from assets_core.execution.launch import queue_run, reexecution_spec
from assets_core.execution.request import RunSpec, partitions_argument, requested_executor
from assets_core.graph.select import select
from assets_core.keys import AssetKey
from assets_ui.graphql.body import is_json
from assets_ui.graphql.context import UNSET, Context, ctx, given
from assets_ui.graphql.errors import BAD_USER_INPUT, FORBIDDEN, NOT_FOUND, ApiError, code_of
from assets_ui.graphql.types.automation import Schedule, Sensor
from assets_ui.graphql.types.common import JSON
from assets_ui.graphql.types.materialization import Materialization
from assets_ui.graphql.types.run import Run

T = TypeVar("T")
MAX_NEW_PARTITIONS = 10_000


def _guard(info: Info, role: str, action: str) -> Context:
    context = ctx(info)
    request = context.request
    if not isinstance(request, Request) or request.method != "POST":
        raise ApiError(FORBIDDEN, f"{action}: mutations are accepted as HTTP POST only.")
    if not is_json(request.headers.get("content-type")):
        raise ApiError(FORBIDDEN, f"{action}: send mutations as a JSON body (application/json).")
    context.require(role, action)
    return context


def _check_groups(context: Context, keys: Iterable[AssetKey | str], action: str) -> None:
    """FORBIDDEN unless a group-scoped principal may act on every asset of ``keys``
    (an asset the loaded definitions do not have belongs to no group it may act on)."""
    principal = context.principal
    if principal.groups is None:
        return
    graph = context.graph
    groups = set()
    for key in keys:
        found = key if isinstance(key, AssetKey) and key in graph else graph.find(str(key))
        groups.add(graph.get(found).group if found is not None else f"(unknown asset {key})")
    outside = sorted(groups - principal.groups)
    if outside:
        allowed = ", ".join(sorted(principal.groups))
        raise ApiError(
            FORBIDDEN,
            f"{action}: this token may act on groups {allowed} only; the request "
            f"touches {', '.join(outside)}.",
        )


def _run_keys(context: Context, record: Any) -> list[str]:
    """The assets a run touches: its steps so far and what its selection names in
    the loaded definitions (the selection itself when they no longer resolve it)."""
    keys = [step.asset_key for step in context.catalog.steps(record.id)]
    try:
        keys += [str(k) for k in select(context.graph, record.selection)]
    except Exception:
        keys.append(record.selection)
    return keys


async def _audited(
    context: Context, action: str, details: dict[str, Any], fn: Callable[[], Awaitable[T]]
) -> T:
    try:
        result = await fn()
    except Exception as e:
        outcome = code_of(e) or "INTERNAL"
        context.state.audit.record(context.principal, action, outcome, **details)
        raise
    context.state.audit.record(context.principal, action, "OK", **details)
    return result


def _string_map(value: Any, what: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise ApiError(BAD_USER_INPUT, f"{what} must be an object of string values.")
    return value


async def _launch(context: Context, queue: Callable[[], Any]) -> Run:
    """Queue a run; start it here unless a daemon is running, which starts queued runs
    within the run queue's limits."""

    def queue_and_check() -> tuple[Any, bool]:
        from assets_core.automation.lease import daemon_is_live

        return queue(), daemon_is_live(context.catalog)

    record, daemon = await asyncio.to_thread(queue_and_check)
    if not daemon:
        context.state.launcher.launch(record.id)
    return Run.of(record)


@strawberry.input
class ExecutorInput:
    """Where a run's steps execute (SPEC §10)."""

    name: str = strawberry.field(description="inprocess, multiprocess or dask.")
    workers: int | None = strawberry.field(
        default=None,
        description="Worker processes (multiprocess), or of the local Dask cluster started "
        "when there is no daskAddress.",
    )
    dask_address: str | None = strawberry.field(
        default=None, description="A running Dask scheduler, tcp://host:port (dask only)."
    )


@strawberry.input
class PartitionRangeInput:
    """An inclusive range of partition keys, in the order of the partitions definition."""

    from_: str = strawberry.field(name="from", description="The first key of the range.")
    to: str = strawberry.field(description="The last key of the range (included).")


@strawberry.type
class Mutation:
    """Change things: runs, dynamic partitions, the loaded code location."""

    @strawberry.mutation
    async def materialize(
        self,
        info: Info,
        selection: str,
        partitions: list[str] | None = UNSET,
        config: JSON | None = UNSET,
        tags: JSON | None = UNSET,
        executor: ExecutorInput | None = UNSET,
        partition_range: PartitionRangeInput | None = UNSET,
    ) -> Run:
        """Queue a run of the selected assets and start it in the background; returns
        the QUEUED run at once. ``partitions``: partition keys, any of them (each runs
        once); ``partitionRange``: ``{from, to}``, both included (not with
        ``partitions``); ``executor``: where its steps run (default: the server's
        ``[tool.assetline] executor``, else inprocess)."""
        partitions, config, tags = given(partitions), given(config), given(tags)
        executor, span = given(executor), given(partition_range)
        request = partitions_argument(partitions, (span.from_, span.to) if span else None)
        context = _guard(info, "operator", "materialize")
        run_tags = _string_map(tags, "tags")
        if config is not None and not isinstance(config, dict):
            raise ApiError(BAD_USER_INPUT, 'config must be an object: {"asset_key": {...}}.')
        defs = context.location.defs
        details = {"selection": selection, "partitions": request.describe(), "tags": run_tags}
        if executor is not None:
            details["executor"] = executor.name

        def queue() -> Any:
            requested = (
                requested_executor(executor.name, executor.workers, executor.dask_address)
                if executor is not None
                else requested_executor()
            )
            spec = RunSpec(
                selection=selection,
                partitions=request,
                config=config or {},
                tags=run_tags,
                executor=requested,
                launched_by=context.principal.name,
            )
            return queue_run(context.catalog, defs, spec)

        async def run() -> Run:
            _check_groups(context, select(defs.graph, selection), "materialize")
            return await _launch(context, queue)

        return await _audited(context, "materialize", details, run)

    @strawberry.mutation
    async def cancel_run(self, info: Info, id: str) -> Run:
        """Cancel a run: a QUEUED run ends CANCELED at once; a running one is asked
        to stop (CANCELING) and ends CANCELED."""
        context = _guard(info, "operator", "cancelRun")

        def cancel() -> Run:
            catalog, launcher = context.catalog, context.state.launcher
            record = catalog.get_run(id)
            _check_groups(context, _run_keys(context, record), "cancelRun")
            message = "Run canceled before it started"
            batch = WriteBatch(
                events=[EventRecord(record.id, time.time(), "RUN_CANCELED", message)]
            )
            if record.status == "QUEUED" and catalog.end_run(
                record.id,
                "CANCELED",
                only_from=("QUEUED",),
                batch=batch,
                error="canceled before it started",
            ):
                launcher.cancel(record.id)
            elif record.status in ("STARTED", "CANCELING") or (
                record.status == "QUEUED"  # it started meanwhile
                and catalog.get_run(record.id).status == "STARTED"
            ):
                catalog.transition_run(record.id, "CANCELING", only_from=("STARTED",))
                launcher.cancel(record.id)
            return Run.of(catalog.get_run(record.id))

        async def run() -> Run:
            return await asyncio.to_thread(cancel)

        return await _audited(context, "cancelRun", {"run_id": id}, run)

    @strawberry.mutation
    async def reexecute_run(self, info: Info, id: str, from_failure: bool | None = False) -> Run:
        """Run a finished run again: its whole selection, or (``fromFailure``) only
        the steps that failed or never ran."""
        context = _guard(info, "operator", "reexecuteRun")
        defs = context.location.defs

        async def run() -> Run:
            _, spec = await asyncio.to_thread(
                reexecution_spec,
                context.catalog,
                id,
                from_failure=bool(from_failure),
                launched_by=context.principal.name,
            )
            _check_groups(context, select(defs.graph, spec.selection), "reexecuteRun")
            return await _launch(context, lambda: queue_run(context.catalog, defs, spec))

        details = {"run_id": id, "from_failure": bool(from_failure)}
        return await _audited(context, "reexecuteRun", details, run)

    @strawberry.mutation
    async def add_dynamic_partitions(self, info: Info, name: str, keys: list[str]) -> list[str]:
        """Add keys to the ``DynamicPartitions(name)`` key set; returns all its keys."""
        context = _guard(info, "admin", "addDynamicPartitions")

        async def run() -> list[str]:
            _check_dynamic(context, name, keys)
            users = [
                key
                for key, node in context.graph.nodes.items()
                if node.spec.partitions is not None and name in node.spec.partitions.dynamic_names()
            ]
            _check_groups(context, users, "addDynamicPartitions")
            catalog = context.catalog
            await asyncio.to_thread(catalog.add_dynamic_partitions, name, keys)
            return await asyncio.to_thread(catalog.dynamic_partitions, name)

        return await _audited(context, "addDynamicPartitions", {"name": name, "keys": keys}, run)

    @strawberry.mutation
    async def start_schedule(self, info: Info, name: str) -> Schedule:
        """Start a schedule: the daemon ticks it from now on (the ticks it missed
        while stopped are not run)."""
        found = await _switch(info, "schedule", name, "RUNNING", "startSchedule")
        return Schedule.of(info, found)

    @strawberry.mutation
    async def stop_schedule(self, info: Info, name: str) -> Schedule:
        """Stop a schedule: the daemon no longer ticks it."""
        found = await _switch(info, "schedule", name, "STOPPED", "stopSchedule")
        return Schedule.of(info, found)

    @strawberry.mutation
    async def start_sensor(self, info: Info, name: str) -> Sensor:
        """Start a sensor: the daemon evaluates it every interval."""
        return Sensor.of(await _switch(info, "sensor", name, "RUNNING", "startSensor"))

    @strawberry.mutation
    async def stop_sensor(self, info: Info, name: str) -> Sensor:
        """Stop a sensor (its cursor is kept)."""
        return Sensor.of(await _switch(info, "sensor", name, "STOPPED", "stopSensor"))

    @strawberry.mutation
    async def reload(self, info: Info) -> int:
        """Load the code location again (without a restart) and record a definitions
        snapshot; returns the number of assets. On DEFINITION_ERROR the server keeps
        serving the definitions it had."""
        context = _guard(info, "operator", "reload")

        async def run() -> int:
            _check_groups(context, context.graph.nodes, "reload")
            return len(await asyncio.to_thread(context.state.reload))

        return await _audited(context, "reload", {}, run)

    @strawberry.mutation
    async def report_materialization(
        self,
        info: Info,
        asset: str,
        partition: str | None = None,
        metadata: JSON | None = None,
        data_version: str | None = None,
    ) -> Materialization:
        """Record a materialization made outside Assetline (its producer reports it):
        an external asset's new data, with its data version and metadata. A new data
        version makes downstream assets stale; the same one leaves them fresh."""
        from assets_core.execution.observe import report_materialization

        context = _guard(info, "operator", "reportMaterialization")
        key = _known_key(context, asset)
        _check_groups(context, [key], "reportMaterialization")
        if metadata is not None and not isinstance(metadata, dict):
            raise ApiError(BAD_USER_INPUT, "reportMaterialization: metadata must be an object.")

        async def run() -> Materialization:
            catalog = context.catalog
            await asyncio.to_thread(
                report_materialization,
                catalog,
                context.graph,
                str(key),
                partition=partition,
                data_version=data_version,
                metadata=metadata,
                launched_by=context.principal.name,
            )
            latest = await asyncio.to_thread(catalog.latest_materializations, [str(key)], partition)
            return Materialization.of(latest[str(key)])

        arguments = {"asset": asset, "partition": partition, "dataVersion": data_version}
        return await _audited(context, "reportMaterialization", arguments, run)


def _known_key(context: Context, asset: str) -> AssetKey:
    try:
        key = AssetKey.parse(asset)
    except AssetlineError as e:
        raise ApiError(BAD_USER_INPUT, f"reportMaterialization: {e.message}") from None
    if key not in context.graph.nodes:
        raise ApiError(NOT_FOUND, f"reportMaterialization: no asset {asset[:200]!r}.")
    return key


async def _switch(info: Info, kind: str, name: str, status: str, action: str) -> Any:
    """Start or stop the schedule or sensor ``name``; its listing entry afterwards.
    The token's group scopes apply to its selection (a sensor without ``select=``
    may request any asset)."""
    from assets_core.automation.listing import schedule_infos, sensor_infos, switch
    from assets_core.errors import AssetlineError, did_you_mean

    context = _guard(info, "operator", action)
    defs = context.location.defs
    items: dict[str, Any] = {
        i.name: i for i in (defs.schedules if kind == "schedule" else defs.sensors)
    }

    async def run() -> Any:
        item = items.get(name)
        if item is None:
            known = ", ".join(sorted(items)) or "none"
            raise ApiError(
                NOT_FOUND,
                f"Unknown {kind} {name!r}.{did_you_mean(name, list(items))} Known: {known}.",
            )
        if context.principal.groups is not None:
            try:
                keys = select(defs.graph, item.select) if item.select else defs.graph.nodes
            except AssetlineError as e:
                raise ApiError(
                    FORBIDDEN, f"{action}: the {kind}'s selection does not resolve ({e})."
                ) from None
            _check_groups(context, keys, action)

        def apply() -> Any:
            switch(context.catalog, item, kind, status)
            listing = schedule_infos if kind == "schedule" else sensor_infos
            return next(i for i in listing(defs, context.catalog, 0) if _entry_name(i) == name)

        return await asyncio.to_thread(apply)

    return await _audited(context, action, {kind: name}, run)


def _entry_name(item: Any) -> str:
    """The name of a schedule's or sensor's listing entry."""
    found = item.schedule if hasattr(item, "schedule") else item.sensor
    return str(found.name)


def _check_dynamic(context: Context, name: str, keys: list[str]) -> None:
    from assets_core.partitions.dynamic import dynamic_partition_names, unknown_dynamic_name
    from assets_core.partitions.static import key_problem

    names = dynamic_partition_names(n.spec.partitions for n in context.graph.nodes.values())
    problem = unknown_dynamic_name(name, names)
    if problem:
        raise ApiError(NOT_FOUND, problem)
    if len(keys) > MAX_NEW_PARTITIONS:
        raise ApiError(BAD_USER_INPUT, f"Add at most {MAX_NEW_PARTITIONS} keys at a time.")
    for key in keys:
        problem = key_problem(key)
        if problem:
            from assets_core.errors import PartitionKeyError
            from assets_core.keys import shown

            raise PartitionKeyError(f"Partition key {shown(key)} {problem}.")
