"""Column lineage for the API: the core's ``ColumnLineage`` (``assets_core.lineage``)
of the served graph, fed the stored schemas it asks for through the request's loaders.

One ``ColumnLineage`` is kept per loaded code location and reused until the catalog's
change marker moves (a new materialization may record a new schema; the marker is
only read once stored schemas were used), so a column graph over 10,000 assets is
computed once, not per request.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from assets_core.lineage.columns import ColumnLineage, Lineage
from assets_ui.graphql.context import Context

if TYPE_CHECKING:
    from assets_core.catalog.records import MaterializationRecord
    from assets_core.keys import AssetKey

T = TypeVar("T")

_MEMO_KEY = "column-lineage"
#: the lineage each operation uses: one task per operation, so that 200 fields asking
#: at once read the change marker once
_per_operation: weakref.WeakKeyDictionary[Context, asyncio.Task[ColumnLineage]] = (
    weakref.WeakKeyDictionary()
)


async def lineage_of(ctx: Context) -> ColumnLineage:
    """The column lineage of the operation's graph."""
    if not ctx.per_operation:
        return await _shared(ctx)
    task = _per_operation.get(ctx)
    if task is None or (task.done() and (task.cancelled() or task.exception() is not None)):
        task = _per_operation[ctx] = asyncio.ensure_future(_shared(ctx))
    # shielded: a field canceled by a failing sibling must not cancel the others' read
    return await asyncio.shield(task)


async def _shared(ctx: Context) -> ColumnLineage:
    memo = ctx.location.memo
    cached: tuple[Any, ColumnLineage] | None = memo.get(_MEMO_KEY)
    if cached is not None and not cached[1].has_stored:
        return cached[1]  # from definitions alone: nothing the catalog could change
    marker = await asyncio.to_thread(ctx.catalog.change_marker)
    if cached is None or cached[0] != marker:
        cached = (marker, ColumnLineage(ctx.graph))
        memo[_MEMO_KEY] = cached
    return cached[1]


async def computed(ctx: Context, compute: Callable[[ColumnLineage], T]) -> T:
    """``compute(lineage)``, run again after reading the stored schemas it asked for
    (columns of assets that neither declare nor derive them) until it asks no more."""
    lineage = await lineage_of(ctx)
    while True:
        result = compute(lineage)
        if not lineage.wanted:
            return result
        keys = sorted(lineage.wanted)
        found = await ctx.loaders.latest.load_many([(str(k), None) for k in keys])
        lineage.add_stored(
            {k: [name for name, _ in stored_schema(m)] for k, m in zip(keys, found, strict=True)}
        )


def stored_schema(mat: MaterializationRecord | None) -> list[tuple[str, str | None]]:
    """``(name, type)`` of the columns recorded with a materialization."""
    schema = mat.metadata.get("schema") if mat is not None else None
    if not isinstance(schema, list):
        return []
    return [
        (str(c["name"]), str(c["type"]) if c.get("type") is not None else None)
        for c in schema
        if isinstance(c, dict) and "name" in c
    ]


async def column_names(ctx: Context, key: AssetKey) -> tuple[str, ...]:
    """The names of ``key``'s columns (empty when unknown), without reading types."""
    declared = ctx.graph.get(key).spec.columns
    if declared:
        return tuple(declared)
    return await computed(ctx, lambda lineage: lineage.columns(key))


async def columns_of(ctx: Context, key: AssetKey) -> list[tuple[str, str | None]]:
    """``(name, type)`` of each column of ``key``, or ``[]`` when unknown; types are
    the declared ones, else those recorded with the latest materialization."""
    declared = ctx.graph.get(key).spec.columns
    if declared:
        return [(name, str(kind) if kind is not None else None) for name, kind in declared.items()]
    names = await computed(ctx, lambda lineage: lineage.columns(key))
    if not names:
        return []
    types = dict(stored_schema(await ctx.loaders.latest.load((str(key), None))))
    return [(name, types.get(name)) for name in names]


async def column_lineage_of(ctx: Context, key: AssetKey) -> Lineage:
    """For each column of ``key`` whose sources are known, its sources."""
    return await computed(ctx, lambda lineage: lineage.lineage(key))
