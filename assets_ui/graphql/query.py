"""The ``Query`` root: assets, lineage, runs, impact and column graphs."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Iterable
from typing import TYPE_CHECKING, cast

import strawberry
from strawberry.types import Info

from assets_core.errors import NotFoundError, SelectionError, UnknownAssetError
from assets_core.graph.select import select
from assets_core.lineage.impact import column_graph, impact
from assets_ui.graphql.columns import column_names, computed
from assets_ui.graphql.context import UNSET, Context, ctx, given, page_size, selects
from assets_ui.graphql.errors import BAD_USER_INPUT, NOT_FOUND, ApiError
from assets_ui.graphql.fast import StaticList
from assets_ui.graphql.loaders import expire_with_statuses
from assets_ui.graphql.removed import Remembered, remembered
from assets_ui.graphql.types.asset import Asset, asset_view, asset_views, prefetch
from assets_ui.graphql.types.automation import (
    MAX_TICKS,
    DaemonInfo,
    Schedule,
    Sensor,
    Tick,
    TickConnection,
    TickStatus,
    daemon_info,
    encode_tick_cursor,
)
from assets_ui.graphql.types.common import STATUS, AssetStatus, ColumnRef, RunStatus
from assets_ui.graphql.types.lineage import (
    ColumnEdge,
    ColumnGraph,
    ColumnNode,
    Impact,
    Lineage,
    LineageEdge,
    LineageNode,
    NodeRow,
)
from assets_ui.graphql.types.remembered import removed_view
from assets_ui.graphql.types.run import Run, RunConnection, decode_cursor, encode_cursor

if TYPE_CHECKING:
    from assets_core.keys import AssetKey
    from assets_ui.location import LoadedLocation

MAX_RUNS = 500
#: columns one ``columnGraph`` may return
MAX_COLUMN_NODES = 20_000


def selected(context: Context, selection: str | None) -> frozenset[AssetKey] | None:
    """The keys ``selection`` selects (None: no selection given)."""
    if selection is None:
        return None

    def changed() -> Iterable[AssetKey]:
        from assets_core.catalog.snapshots import changed_keys

        return changed_keys(context.graph, context.catalog.latest_snapshot())

    return select(context.graph, selection, changed)


def resolve_key(context: Context, key: str) -> AssetKey:
    """The asset named by ``key`` (a key path or a unique name); NOT_FOUND otherwise."""
    try:
        return context.graph.resolve(key)
    except UnknownAssetError as e:
        raise ApiError(NOT_FOUND, e.message) from None


def _levels(
    context: Context, roots: frozenset[AssetKey], depth: int | None, up: bool
) -> dict[AssetKey, int]:
    """Distance from the nearest root, walking up or down ``depth`` levels (None: all)."""
    graph = context.graph
    step = graph.parents if up else graph.children
    seen: dict[AssetKey, int] = {}
    frontier = deque((k, 0) for k in roots)
    while frontier:
        k, d = frontier.popleft()
        if depth is not None and d >= depth:
            continue
        for n in step(k):
            if n not in roots and n not in seen:
                seen[n] = d + 1
                frontier.append((n, d + 1))
    return seen


def all_edges_of(location: LoadedLocation) -> StaticList:
    """Every edge of the loaded graph (built once per load)."""
    memo = location.memo
    edges = memo.get("lineage-edges")
    if edges is None:
        order = location.info
        edges = memo["lineage-edges"] = StaticList(
            LineageEdge(source=order[a].key, target=order[b].key) for a, b in location.edges
        )
    return cast(StaticList, edges)


@strawberry.type
class Query:
    """Read the asset graph, the catalog and runs."""

    @strawberry.field
    async def assets(
        self, info: Info, selection: str | None = UNSET, search: str | None = UNSET
    ) -> list[Asset]:
        """Assets in topological order: those ``selection`` selects (all when null)
        whose key contains ``search`` (case-insensitive)."""
        selection, search = given(selection), given(search)
        context = ctx(info)
        keys = selected(context, selection)
        order = context.location.info
        found = [k for k in order if keys is None or k in keys]
        if search:
            needle = search.lower()
            found = [k for k in found if needle in order[k].key.lower()]
        views = asset_views(info, found)
        await prefetch(info, found)
        return views

    @strawberry.field
    async def asset(self, info: Info, key: str) -> Asset | None:
        """One asset by key path (``sales/orders``) or unique name; an asset removed
        from the code comes from the latest definitions snapshot that had it, with
        ``removed: true``."""
        context = ctx(info)
        context.spend(1)
        try:
            return asset_view(context.location, context.graph.resolve(key))
        except UnknownAssetError as e:
            found = await remembered(context, key)
            if found is None:
                raise ApiError(NOT_FOUND, e.message) from None
            return removed_view(found)

    @strawberry.field
    async def lineage(
        self,
        info: Info,
        selection: str,
        upstream_depth: int | None = UNSET,
        downstream_depth: int | None = UNSET,
        search: str | None = UNSET,
    ) -> Lineage:
        """The selected assets whose key contains ``search`` (case-insensitive; the
        UI's filter box sends a plain word this way), expanded ``upstreamDepth`` levels
        up and ``downstreamDepth`` levels down, and the edges among them."""
        upstream_depth, downstream_depth = given(upstream_depth), given(downstream_depth)
        search = given(search)
        for name, value in (
            ("upstreamDepth", upstream_depth),
            ("downstreamDepth", downstream_depth),
        ):
            if value is not None and value < 0:
                raise ApiError(BAD_USER_INPUT, f"{name} must be >= 0, got {value}.")
        context = ctx(info)
        try:
            base = selected(context, selection) or frozenset()
        except SelectionError:
            gone = await remembered(context, selection.strip())
            if gone is None:
                raise
            return _remembered_lineage(gone, upstream_depth, downstream_depth)
        if search:
            needle, info_of = search.lower(), context.location.info
            base = frozenset(k for k in base if needle in info_of[k].key.lower())
        depth: dict[AssetKey, int] = {}
        if upstream_depth:
            depth.update((k, -d) for k, d in _levels(context, base, upstream_depth, True).items())
        if downstream_depth:
            depth.update(_levels(context, base, downstream_depth, False))
        depth.update((k, 0) for k in base)
        everything = len(depth) == len(context.graph)
        order = context.location.info
        keys = list(order) if everything else [k for k in order if k in depth]
        if selects(info, "nodes", "status"):
            cache = context.location.statuses
            found = await asyncio.to_thread(cache.statuses, context.catalog, keys)
            expire_with_statuses(context.validity, found.values(), context.location)
            # asset_statuses answers in the order it was asked; check, don't trust.
            statuses = [STATUS[v.status] for v in found.values()]
            if list(found) != keys:
                statuses = [STATUS[found[k].status] for k in keys]
        else:
            statuses = [AssetStatus.MISSING] * len(keys)  # not asked for: never sent
        infos = list(order.values()) if everything else [order[k] for k in keys]
        depths = [depth[k] for k in keys] if upstream_depth or downstream_depth else None
        new_row = tuple.__new__
        rows = [
            new_row(NodeRow, (i.key, i.group, i.kind, s, depths[n] if depths else 0))
            for n, (i, s) in enumerate(zip(infos, statuses, strict=True))
        ]
        nodes = cast("list[LineageNode]", rows)
        edges: list[LineageEdge] = []
        if everything:
            edges = all_edges_of(context.location)
        elif selects(info, "edges"):
            edges = [
                LineageEdge(source=order[a].key, target=order[b].key)
                for a, b in context.location.edges
                if a in depth and b in depth
            ]
        return Lineage(nodes=nodes, edges=edges)

    @strawberry.field
    async def runs(
        self,
        info: Info,
        status: RunStatus | None = UNSET,
        limit: int | None = 50,
        cursor: str | None = UNSET,
    ) -> RunConnection:
        """Runs newest first, ``limit`` per page (at most 500); ``nextCursor`` is null
        on the last page."""
        status, cursor = given(status), given(cursor)
        n = page_size(limit, 50, MAX_RUNS, "limit", minimum=1)
        before = decode_cursor(cursor) if cursor else None
        catalog = ctx(info).catalog
        # One run more than the page tells whether there is a next page: the last page
        # has no nextCursor, even when it is exactly full.
        found = await asyncio.to_thread(
            catalog.list_runs, status.value if status else None, n + 1, before
        )
        more = len(found) > n
        found = found[:n]
        next_cursor = encode_cursor(found[-1]) if more else None
        return RunConnection(runs=[Run.of(r) for r in found], next_cursor=next_cursor)

    @strawberry.field
    async def run(self, info: Info, id: str) -> Run | None:
        """One run by id (or a unique id prefix of 4+ characters)."""
        catalog = ctx(info).catalog
        try:
            record = await asyncio.to_thread(catalog.get_run, id)
        except NotFoundError as e:
            raise ApiError(NOT_FOUND, e.message) from None
        return Run.of(record)

    @strawberry.field
    async def schedules(self, info: Info) -> list[Schedule]:
        """The code location's schedules with their status and next tick."""
        from assets_core.automation.listing import schedule_infos

        context = ctx(info)
        found = await asyncio.to_thread(schedule_infos, context.location.defs, context.catalog, 0)
        return [Schedule.of(info, s) for s in found]

    @strawberry.field
    async def sensors(self, info: Info) -> list[Sensor]:
        """The code location's sensors with their status, cursor and next tick."""
        from assets_core.automation.listing import sensor_infos

        context = ctx(info)
        found = await asyncio.to_thread(sensor_infos, context.location.defs, context.catalog, 0)
        return [Sensor.of(s) for s in found]

    @strawberry.field
    async def ticks(
        self,
        info: Info,
        name: str | None = UNSET,
        limit: int | None = 20,
        cursor: str | None = UNSET,
        statuses: list[TickStatus] | None = UNSET,
    ) -> TickConnection:
        """Ticks of schedules, sensors and the automation conditions (``name``: of
        one of them, or ``automation``), newest first, ``limit`` per page; only
        those with one of ``statuses`` when given (``[SUCCESS, FAILURE]``: what
        happened, without the skips)."""
        name, cursor, statuses = given(name), given(cursor), given(statuses)
        n = page_size(limit, 20, MAX_TICKS, "limit", minimum=1)
        before = None
        if cursor:
            if not cursor.isdigit():
                raise ApiError(
                    BAD_USER_INPUT, "Invalid cursor: pass the nextCursor of a previous ticks page."
                )
            before = int(cursor)
        names = [name] if name is not None else None
        wanted = [s.value for s in statuses] if statuses is not None else None
        found = await asyncio.to_thread(
            ctx(info).catalog.list_ticks, names, n, before, None, wanted
        )
        next_cursor = encode_tick_cursor(found[-1]) if found and len(found) == n else None
        return TickConnection(ticks=[Tick.of(t) for t in found], next_cursor=next_cursor)

    @strawberry.field
    async def daemon(self, info: Info) -> DaemonInfo:
        """Whether a daemon runs on this catalog (it ticks schedules, sensors and
        conditions, and starts queued runs)."""
        import time

        return await asyncio.to_thread(daemon_info, info, time.time())

    @strawberry.field
    def load_error(self, info: Info) -> str | None:
        """Why the code location's latest reload failed (``assetline dev`` reloads it
        when a file changes); the definitions served are the previous ones. Null
        when the served definitions are the latest."""
        # Held by the server process, not the catalog: every reload, failed or not,
        # clears the response cache (ServerState.reload).
        return ctx(info).state.load_error

    @strawberry.field
    async def impact(
        self,
        info: Info,
        asset: str,
        column: str | None = UNSET,
        include_indirect: bool = False,
    ) -> Impact:
        """What a change affects downstream. With ``column``: the columns derived from
        it, following DIRECT edges transitively (INDIRECT ones too with
        ``includeIndirect``), and only the assets with such a column. Without: every
        downstream asset, and the columns derived from any of its columns."""
        column = given(column)
        context = ctx(info)
        key = resolve_key(context, asset)
        if column is not None:
            await _check_column(context, key, column)
        found = await computed(
            context, lambda lineage: impact(lineage, key, column, bool(include_indirect))
        )
        return Impact(
            asset=str(key),
            column=column,
            assets=[str(k) for k in found.assets],
            columns=[ColumnRef(asset=a, column=c) for a, c in found.columns],
        )

    @strawberry.field
    async def column_graph(
        self,
        info: Info,
        asset: str,
        column: str,
        upstream_depth: int | None = UNSET,
        downstream_depth: int | None = UNSET,
    ) -> ColumnGraph:
        """The columns ``column`` of ``asset`` derives from (``upstreamDepth`` assets
        up) and those derived from it (``downstreamDepth`` assets down; null: all),
        along DIRECT and INDIRECT edges."""
        upstream_depth, downstream_depth = given(upstream_depth), given(downstream_depth)
        for name, value in (
            ("upstreamDepth", upstream_depth),
            ("downstreamDepth", downstream_depth),
        ):
            if value is not None and value < 0:
                raise ApiError(BAD_USER_INPUT, f"{name} must be >= 0, got {value}.")
        context = ctx(info)
        key = resolve_key(context, asset)
        await _check_column(context, key, column)
        found = await computed(
            context,
            lambda lineage: column_graph(lineage, key, column, upstream_depth, downstream_depth),
        )
        if len(found.nodes) > MAX_COLUMN_NODES:
            raise ApiError(
                BAD_USER_INPUT,
                f"The column graph has {len(found.nodes)} columns, more than "
                f"{MAX_COLUMN_NODES}; ask for a smaller upstreamDepth/downstreamDepth.",
            )
        return ColumnGraph(
            nodes=[ColumnNode(id=f"{a}.{c}", asset=a, column=c) for a, c in found.nodes],
            edges=[
                ColumnEdge(
                    source=f"{e.source[0]}.{e.source[1]}",
                    target=f"{e.target[0]}.{e.target[1]}",
                    type=e.type,
                    subtype=e.subtype,
                )
                for e in found.edges
            ],
        )


async def _check_column(context: Context, key: AssetKey, column: str) -> None:
    """NOT_FOUND when ``key``'s columns are known and ``column`` is not one of them."""
    known = list(await column_names(context, key))
    if known and column not in known:
        from assets_core.errors import did_you_mean

        raise ApiError(
            NOT_FOUND,
            f"Asset {key} has no column {column!r}; its columns are "
            f"{', '.join(known)}.{did_you_mean(column, known)}",
        )


def _remembered_lineage(
    gone: Remembered, upstream_depth: int | None, downstream_depth: int | None
) -> Lineage:
    """The lineage around a removed asset, in the snapshot that last had it."""
    depth = {gone.key: 0}
    for sign, limit, step in (
        (-1, upstream_depth, Remembered.upstream),
        (1, downstream_depth, Remembered.downstream),
    ):
        frontier = [gone]
        level = 0
        while frontier and limit and level < limit:
            level += 1
            following = []
            for item in frontier:
                for key in step(item):
                    other = item.other(key)
                    if other is not None and key not in depth:
                        depth[key] = sign * level
                        following.append(other)
            frontier = following
    nodes = [
        LineageNode(
            key=k,
            group=str(gone.assets[k].get("group") or "default"),
            kind=str(gone.assets[k].get("kind") or ""),
            status=AssetStatus.MISSING,
            depth=d,
        )
        for k, d in depth.items()
    ]
    edges = [
        LineageEdge(source=up, target=k)
        for k in depth
        for up in gone.assets[k].get("upstream", [])
        if up in depth
    ]
    return Lineage(nodes=nodes, edges=edges)
