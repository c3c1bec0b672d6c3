"""The ``Asset`` of an asset removed from the code, as the latest definitions snapshot
that had it remembers it (``assets_ui.graphql.removed``): its lineage and columns from
the snapshot, its materializations from the catalog."""

from __future__ import annotations

from typing import Any

from strawberry.types import Info

from assets_core.keys import AssetKey
from assets_core.lineage.columns import DIRECT, INDIRECT
from assets_core.lineage.plan import DIRECT_SUBTYPES
from assets_ui.graphql.columns import stored_schema
from assets_ui.graphql.context import ctx
from assets_ui.graphql.removed import Remembered
from assets_ui.graphql.types.asset import Asset, asset_view
from assets_ui.graphql.types.common import (
    AssetStatus,
    Column,
    ColumnLineage,
    ColumnSource,
    as_json,
)


def remembered_lineage(remembered: Remembered) -> list[ColumnLineage]:
    def view(sources: list[list[str]]) -> list[ColumnSource]:
        return [
            ColumnSource(
                asset=a, column=c, type=DIRECT if s in DIRECT_SUBTYPES else INDIRECT, subtype=s
            )
            for a, c, s in sources
        ]

    lineage = remembered.entry.get("column_lineage") or {}
    return [
        ColumnLineage(
            column=column,
            sources=view(origin.get("direct", [])),
            indirect=view(origin.get("indirect", [])),
        )
        for column, origin in lineage.items()
    ]


async def remembered_columns(info: Info, remembered: Remembered) -> list[Column]:
    declared: dict[str, Any] = remembered.entry.get("columns") or {}
    names = list(declared) or list(remembered.entry.get("column_lineage") or {})
    mat = await ctx(info).loaders.latest.load((remembered.key, None))
    stored = dict(stored_schema(mat))
    if not names:
        names = list(stored)
    return [
        Column(name=n, type=str(declared[n]) if declared.get(n) is not None else stored.get(n))
        for n in names
    ]


async def removed_status(info: Info, key: str) -> AssetStatus:
    """A removed asset is never computed again: FRESH once materialized."""
    mat = await ctx(info).loaders.latest.load((key, None))
    return AssetStatus.FRESH if mat is not None else AssetStatus.MISSING


def remembered_related(info: Info, remembered: Remembered, keys: list[str]) -> list[Asset]:
    """Assets next to a removed one: the served ones as they are now, the others as
    that snapshot remembers them."""
    context = ctx(info)
    context.spend(len(keys))
    out = []
    for key in keys:
        current = context.graph.find(key)
        if current is not None and str(current) == key:
            out.append(asset_view(context.location, current))
            continue
        other = remembered.other(key)
        if other is not None:
            out.append(removed_view(other))
    return out


def removed_view(remembered: Remembered) -> Asset:
    """The ``Asset`` of an asset removed from the code, from its snapshot entry."""
    entry = remembered.entry
    key = AssetKey.parse(remembered.key)
    return Asset(
        key=str(key),
        path=list(key.path),
        group=str(entry.get("group") or "default"),
        description=entry.get("description"),
        owners=list(entry.get("owners") or []),
        tags=as_json(dict(entry.get("tags") or {})),
        kind=str(entry.get("kind") or ""),
        code_version=entry.get("code_version"),
        asset_key=key,
        removed=True,
        remembered=remembered,
    )
