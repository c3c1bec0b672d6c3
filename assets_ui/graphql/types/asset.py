"""``Asset`` and what hangs off it: partitions, checks, materializations, columns.

An ``Asset`` object holds only definition data, so one is built per asset per load
of the code location and shared by every request; everything from the catalog comes
through the request's loaders.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar, Union, cast

import strawberry
from strawberry.types import Info

from assets_core.definitions.static_metadata import static_metadata
from assets_core.keys import AssetKey
from assets_core.partitions.dynamic import DynamicKeyCache
from assets_ui.graphql.cache import MAX_AGE_S
from assets_ui.graphql.columns import column_lineage_of, columns_of
from assets_ui.graphql.context import UNSET, ctx, given, page_size, selects
from assets_ui.graphql.errors import BAD_USER_INPUT, ApiError
from assets_ui.graphql.removed import Remembered
from assets_ui.graphql.types.automation import AssetAutomation, automation_of
from assets_ui.graphql.types.common import (
    JSON,
    STATUS,
    AssetStatus,
    Column,
    ColumnLineage,
    ColumnSource,
    Freshness,
    as_json,
)
from assets_ui.graphql.types.materialization import Check, Materialization

T = TypeVar("T")
#: What a resolver returns that answers at once when it can, else later.
MaybeAwaitable: TypeAlias = Union[T, Awaitable[T]]  # noqa: UP007 - a generic alias

if TYPE_CHECKING:
    from assets_core.catalog.records import MaterializationRecord
    from assets_core.catalog.status import AssetStatusInfo
    from assets_core.lineage.columns import ColumnOrigin
    from assets_ui.graphql.context import Context
    from assets_ui.location import LoadedLocation

MAX_PARTITION_KEYS = 100_000
MAX_HISTORY = 500


async def partition_keys(context: Context, key: AssetKey) -> list[str]:
    """Every partition key of ``key`` (dynamic ones from the catalog, batched)."""
    partitions = context.graph.get(key).spec.partitions
    if partitions is None:
        return []
    names = partitions.dynamic_names()
    keys = await asyncio.gather(*(context.loaders.dynamic_keys.load(n) for n in names))
    dynamic = DynamicKeyCache(dict(zip(names, keys, strict=True)))
    now = datetime.now(UTC)
    found = partitions.get_partition_keys(dynamic, current_time=now)
    # Time windows close with the clock: an answer holding these keys is not served
    # again once a new window would have been added.
    later = now + timedelta(seconds=MAX_AGE_S)
    if partitions.num_partitions(dynamic, current_time=later) != len(found):
        context.validity.expires_at(now.timestamp())
    return found


@strawberry.type
class PartitionsDef:
    """How an asset is partitioned."""

    kind: str
    description: str
    asset_key: strawberry.Private[AssetKey]

    @strawberry.field
    async def keys(self, info: Info, limit: int | None = 1000) -> list[str]:
        """The first ``limit`` keys, in order."""
        n = page_size(limit, 1000, MAX_PARTITION_KEYS, "keys(limit)")
        return (await partition_keys(ctx(info), self.asset_key))[:n]

    @strawberry.field
    async def total(self, info: Info) -> int:
        """How many partitions there are."""
        return len(await partition_keys(ctx(info), self.asset_key))


@strawberry.type
class PartitionStats:
    """How many partitions are materialized, failed and missing."""

    total: int
    materialized: int
    failed: int
    missing: int
    asset_key: strawberry.Private[AssetKey]

    @strawberry.field
    async def ranges(self, info: Info) -> JSON:
        """Runs of consecutive partitions with one status, in key order:
        ``[{"start", "end", "status", "count"}]`` (status MATERIALIZED, FAILED or
        MISSING) — compact even for 100,000 partitions."""
        context = ctx(info)
        keys, rows = await asyncio.gather(
            partition_keys(context, self.asset_key),
            context.loaders.partition_rows.load(str(self.asset_key)),
        )
        status = {r.partition: r.status for r in rows}
        out: list[dict[str, Any]] = []
        for k in keys:
            s = status.get(k, "MISSING")
            if out and out[-1]["status"] == s:
                out[-1]["end"] = k
                out[-1]["count"] += 1
            else:
                out.append({"start": k, "end": k, "status": s, "count": 1})
        return as_json(out)


@strawberry.type
class Asset:
    """A software-defined asset and what the catalog knows about it."""

    key: str
    path: list[str]
    group: str
    description: str | None
    owners: list[str]
    tags: JSON
    kind: str
    code_version: str | None
    asset_key: strawberry.Private[AssetKey]
    removed: bool = strawberry.field(
        default=False,
        description="True for an asset no longer in the code: what is shown is the "
        "latest definitions snapshot that had it (its lineage) and the catalog.",
    )
    remembered: strawberry.Private[Remembered | None] = None
    automation: AssetAutomation | None = strawberry.field(resolver=automation_of)

    @strawberry.field
    def partitions_def(self, info: Info) -> PartitionsDef | None:
        """How it is partitioned; null when it is not."""
        if self.removed:
            return None
        partitions = ctx(info).graph.get(self.asset_key).spec.partitions
        if partitions is None:
            return None
        return PartitionsDef(
            kind=partitions.kind, description=partitions.describe(), asset_key=self.asset_key
        )

    @strawberry.field
    def upstream(self, info: Info, depth: int | None = 1) -> list[Asset]:
        """Assets it depends on, within ``depth`` levels (null: all)."""
        if self.remembered is not None:
            from assets_ui.graphql.types.remembered import remembered_related

            return remembered_related(info, self.remembered, self.remembered.upstream())
        return _related(info, self.asset_key, depth, "upstream")

    @strawberry.field
    def downstream(self, info: Info, depth: int | None = 1) -> list[Asset]:
        """Assets that depend on it, within ``depth`` levels (null: all)."""
        if self.remembered is not None:
            from assets_ui.graphql.types.remembered import remembered_related

            return remembered_related(info, self.remembered, self.remembered.downstream())
        return _related(info, self.asset_key, depth, "downstream")

    @strawberry.field(graphql_type=AssetStatus)  # type: ignore[untyped-decorator]
    def status(self, info: Info) -> MaybeAwaitable[AssetStatus]:
        """MISSING, FRESH, STALE, FAILED, OVERDUE or CHECK_FAILED."""
        if self.removed:
            from assets_ui.graphql.types.remembered import removed_status

            return removed_status(info, self.key)
        return _with_status(info, self.asset_key, lambda s: STATUS[s.status])

    @strawberry.field(graphql_type=list[str])  # type: ignore[untyped-decorator]
    def stale_reasons(self, info: Info) -> MaybeAwaitable[list[str]]:
        """Why it is stale or overdue (empty when it is not)."""
        if self.removed:
            return []
        return _with_status(info, self.asset_key, lambda s: list(s.reasons))

    @strawberry.field(graphql_type=Freshness | None)  # type: ignore[untyped-decorator]
    def freshness(self, info: Info) -> MaybeAwaitable[Freshness | None]:
        """Its freshness policy and lag; null without a policy."""
        if self.removed:
            return None
        policy = ctx(info).graph.get(self.asset_key).spec.freshness
        if policy is None:
            return None

        def make(status: AssetStatusInfo) -> Freshness:
            lag = status.lag_s
            overdue = status.latest_at is not None and status.computed_at > policy.overdue_at(
                status.latest_at
            )
            return Freshness(max_lag_s=policy.max_lag_s, lag_s=lag, overdue=overdue)

        return _with_status(info, self.asset_key, make)

    @strawberry.field(graphql_type=Materialization | None)  # type: ignore[untyped-decorator]
    def latest_materialization(
        self, info: Info, partition: str | None = UNSET
    ) -> MaybeAwaitable[Materialization | None]:
        """The latest materialization (of ``partition``; of any partition when null)."""
        partition = given(partition)
        context = ctx(info)
        if partition is None and self.asset_key in context.latest:
            m = context.latest[self.asset_key]
            return Materialization.of(m) if m is not None else None

        async def load() -> Materialization | None:
            m = await context.loaders.latest.load((self.key, partition))
            return Materialization.of(m) if m is not None else None

        return load()

    @strawberry.field(graphql_type=JSON)  # type: ignore[untyped-decorator]
    def metadata(self, info: Info) -> MaybeAwaitable[JSON]:
        """What the catalog shows about the asset: its static ``metadata=`` as defined;
        ``sql``, the query of a SQL asset; ``preview``, the first rows (at most 5) of
        its latest materialization, when the engine recorded them (``{"columns",
        "rows"}``). An empty object for a removed asset."""
        if self.removed:
            return as_json({})
        context = ctx(info)
        out = static_metadata(context.graph.get(self.asset_key).definition, self.asset_key)

        def with_preview(m: MaterializationRecord | None) -> JSON:
            preview = m.metadata.get("preview") if m is not None else None
            return as_json({**out, "preview": preview} if preview else out)

        if self.asset_key in context.latest:
            return with_preview(context.latest[self.asset_key])

        async def load() -> JSON:
            return with_preview(await context.loaders.latest.load((self.key, None)))

        return load()

    @strawberry.field
    async def materializations(
        self,
        info: Info,
        limit: int | None = 20,
        before: str | None = UNSET,
        partition: str | None = UNSET,
    ) -> list[Materialization]:
        """History, newest first; ``before`` is a materialization id (paging)."""
        before, partition = given(before), given(partition)
        n = page_size(limit, 20, MAX_HISTORY, "materializations(limit)")
        before_id = None
        if before is not None:
            if not before.isdigit():
                raise ApiError(
                    BAD_USER_INPUT, f"before must be a materialization id, got {before!r}."
                )
            before_id = int(before)
        ms = await ctx(info).loaders.history.load((self.key, n, before_id, partition))
        return [Materialization.of(m) for m in ms]

    @strawberry.field(graphql_type=PartitionStats | None)  # type: ignore[untyped-decorator]
    def partition_stats(self, info: Info) -> MaybeAwaitable[PartitionStats | None]:
        """Partition counts; null for an unpartitioned asset."""
        if self.removed:
            return None
        key = self.asset_key

        def make(status: AssetStatusInfo) -> PartitionStats | None:
            stats = status.partition_stats
            if stats is None:
                return None
            return PartitionStats(
                total=stats.total,
                materialized=stats.materialized,
                failed=stats.failed,
                missing=stats.missing,
                asset_key=key,
            )

        return _with_status(info, key, make)

    @strawberry.field
    def checks(self, info: Info) -> list[Check]:
        """Its checks."""
        if self.removed:
            return []
        return [Check.of(c) for c in ctx(info).graph.checks_for(self.asset_key)]

    @strawberry.field
    async def columns(self, info: Info) -> list[Column]:
        """Its columns: declared, derived from its SQL, or recorded with its latest
        materialization."""
        if self.remembered is not None:
            from assets_ui.graphql.types.remembered import remembered_columns

            return await remembered_columns(info, self.remembered)
        found = await columns_of(ctx(info), self.asset_key)
        return [Column(name=name, type=kind) for name, kind in found]

    @strawberry.field
    async def column_lineage(self, info: Info) -> list[ColumnLineage]:
        """For each column whose sources are known, its DIRECT ``sources`` and its
        ``indirect`` ones (SPEC §11)."""
        if self.remembered is not None:
            from assets_ui.graphql.types.remembered import remembered_lineage

            return remembered_lineage(self.remembered)
        lineage = await column_lineage_of(ctx(info), self.asset_key)
        return [_column_lineage(origin) for origin in lineage.values()]

    @strawberry.field
    def config_schema(self, info: Info) -> JSON | None:
        """The run config it takes: ``{field: {type, default, required}}``; null when
        it takes none."""
        if self.removed:
            return None
        config_type = ctx(info).graph.get(self.asset_key).definition.config_type
        if config_type is None:
            return None
        from assets_core.execution.config import config_schema

        return as_json(config_schema(config_type))


def _column_lineage(origin: ColumnOrigin) -> ColumnLineage:
    def view(sources: Any) -> list[ColumnSource]:
        return [
            ColumnSource(asset=s.asset, column=s.column, type=s.type, subtype=s.subtype)
            for s in sources
        ]

    return ColumnLineage(
        column=origin.column, sources=view(origin.direct), indirect=view(origin.indirect)
    )


def _with_status(
    info: Info, key: AssetKey, then: Callable[[AssetStatusInfo], T]
) -> MaybeAwaitable[T]:
    """``then(status of key)``: at once when the list resolver read statuses ahead
    (``prefetch``), else through the batching loader."""
    context = ctx(info)
    found = context.statuses.get(key)
    if found is not None:
        return then(found)

    async def load() -> T:
        return then(await context.loaders.status.load(key))

    return load()


#: Asset fields whose value comes from the asset's status.
_STATUS_FIELDS = ("status", "staleReasons", "freshness", "partitionStats")


async def prefetch(info: Info, keys: list[AssetKey]) -> None:
    """Read ahead, in bulk, what the selected fields of a list of assets need, so
    their resolvers answer without a per-asset await (10,000 awaits cost seconds)."""
    context = ctx(info)
    if not context.per_operation:  # what it reads would outlive the operation
        return
    # Read directly, not through the loaders: a loader's per-key futures cost more
    # than the query for thousands of keys.
    loaders = context.loaders
    if any(selects(info, name) for name in _STATUS_FIELDS):
        found = await loaders.read_statuses(keys)
        context.statuses.update(zip(keys, found, strict=True))
    if selects(info, "latestMaterialization"):
        mats = await loaders.read_latest([(str(k), None) for k in keys])
        context.latest.update(zip(keys, mats, strict=True))


def asset_view(location: LoadedLocation, key: AssetKey) -> Asset:
    """The (cached) ``Asset`` object of ``key`` in ``location``."""
    memo = location.memo
    view = memo.get(("asset", key))
    if view is None:
        spec = location.graph.get(key).spec
        view = Asset(
            key=str(key),
            path=list(key.path),
            group=spec.group,
            description=spec.description,
            owners=list(spec.owners),
            tags=as_json(dict(spec.tags)),
            kind=spec.kind,
            code_version=spec.code_version,
            asset_key=key,
        )
        memo[("asset", key)] = view
    return cast(Asset, view)


def asset_views(info: Info, keys: list[AssetKey]) -> list[Asset]:
    """``Asset`` objects of ``keys``, counted against the request's cap."""
    context = ctx(info)
    context.spend(len(keys))
    return [asset_view(context.location, k) for k in keys]


def _related(info: Info, key: AssetKey, depth: int | None, direction: str) -> list[Asset]:
    if depth is not None and depth < 0:
        raise ApiError(BAD_USER_INPUT, f"depth must be >= 0 (or null for all), got {depth}.")
    graph = ctx(info).graph
    if depth == 1:
        keys = list(graph.parents(key) if direction == "upstream" else graph.children(key))
    else:
        found = (
            graph.upstream([key], depth)
            if direction == "upstream"
            else graph.downstream([key], depth)
        )
        keys = graph.sorted(found)
    return asset_views(info, keys)
