"""Columns and column-level lineage of assets (SPEC §11), and the impact of a change.

An asset's columns are the ones it declares (``columns=``), else those recorded with
its latest materialization (the ``schema`` metadata). Its column lineage is declared
(``column_lineage={"col": ["up/key.col"]}``), or for a ``sql_asset`` derived from its
query with sqlglot, given the columns of the tables it reads.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from assets_core.errors import AssetlineError
from assets_ui.graphql.context import Context

if TYPE_CHECKING:
    from assets_core.keys import AssetKey

logger = logging.getLogger("assetline.ui")

#: output column -> [(upstream asset key, upstream column)]
ColumnMap = dict[str, list[tuple[str, str]]]


async def columns_of(ctx: Context, key: AssetKey) -> list[tuple[str, str | None]]:
    """``(name, type)`` of each column of ``key``, or ``[]`` when unknown."""
    spec = ctx.graph.get(key).spec
    if spec.columns:
        return [
            (name, str(kind) if kind is not None else None) for name, kind in spec.columns.items()
        ]
    mat = await ctx.loaders.latest.load((str(key), None))
    schema = mat.metadata.get("schema") if mat is not None else None
    if isinstance(schema, list):
        return [
            (str(c["name"]), str(c["type"]) if c.get("type") is not None else None)
            for c in schema
            if isinstance(c, dict) and "name" in c
        ]
    if ctx.graph.get(key).definition.sql is not None:
        return [(c, None) for c in await column_lineage_of(ctx, key)]
    return []


async def column_lineage_of(ctx: Context, key: AssetKey) -> ColumnMap:
    """Which upstream columns each column of ``key`` derives from."""
    memo = ctx.location.memo
    node = ctx.graph.get(key)
    if node.spec.column_lineage:
        cached = memo.get(("declared-lineage", key))
        if cached is None:
            cached = {
                col: [_split_ref(ctx, ref) for ref in refs]
                for col, refs in node.spec.column_lineage.items()
            }
            memo[("declared-lineage", key)] = cached
        return cached
    sql = node.definition.sql
    if sql is None or not node.sql_tables:
        return {}
    names = list(node.sql_tables)
    found = await asyncio.gather(*(columns_of(ctx, node.sql_tables[t]) for t in names))
    tables = {t: [name for name, _ in cols] for t, cols in zip(names, found, strict=True)}
    memo_key = ("sql-lineage", key, tuple((t, tuple(c)) for t, c in sorted(tables.items())))
    if memo_key in memo:
        return memo[memo_key]  # type: ignore[no-any-return]
    result = _derive_sql(sql, tables, {t: str(k) for t, k in node.sql_tables.items()})
    memo[memo_key] = result
    return result


def _derive_sql(sql: str, tables: dict[str, list[str]], keys: dict[str, str]) -> ColumnMap:
    try:
        from assets_core.execution.sql import sql_column_lineage
    except ImportError:  # pragma: no cover - engine without SQL lineage
        return {}
    try:
        derived = sql_column_lineage(sql, tables)
    except AssetlineError as e:
        logger.info("no column lineage for a sql asset: %s", e)
        return {}
    return {col: [(keys.get(t, t), c) for t, c in srcs] for col, srcs in derived.items()}


def _split_ref(ctx: Context, ref: str) -> tuple[str, str]:
    asset, _, column = ref.rpartition(".")
    if not asset:
        return (ref, "")
    key = ctx.graph.find(asset)
    return (str(key) if key is not None else asset, column)


async def impact(
    ctx: Context, key: AssetKey, column: str | None
) -> tuple[list[AssetKey], list[tuple[str, str]]]:
    """Every asset downstream of ``key`` (topological order) and every downstream
    column affected by ``column`` of it (by any of its columns when None)."""
    graph = ctx.graph
    downstream = graph.sorted(graph.downstream([key]))
    name = str(key)
    affected: set[tuple[str, str]] = {(name, column)} if column else set()
    whole = {name} if column is None else set()
    columns: list[tuple[str, str]] = []
    # Gathered, so the catalog reads of every downstream asset go in one batch.
    lineages = await asyncio.gather(*(column_lineage_of(ctx, d) for d in downstream))
    for down, lineage in zip(downstream, lineages, strict=True):
        down_name = str(down)
        for col, sources in lineage.items():
            if any(src in affected or src[0] in whole for src in sources):
                affected.add((down_name, col))
                columns.append((down_name, col))
    return downstream, columns
