"""``Lineage`` (the graph view's nodes and edges), ``Impact`` and ``ColumnGraph``.

These are plain values: ``lineage(selection: "*")`` over 10,000 assets builds them
in bulk and the executor's fast path (``assets_ui.graphql.fast``) serializes them
without a resolver call per field.
"""

from __future__ import annotations

from typing import NamedTuple

import strawberry

from assets_ui.graphql.types.common import AssetStatus, ColumnRef


@strawberry.type
class LineageNode:
    """An asset in a lineage view. ``depth`` is 0 for the selected assets, -n for
    assets added n levels upstream, +n for assets added n levels downstream."""

    key: str
    group: str
    kind: str
    status: AssetStatus
    depth: int | None


class NodeRow(NamedTuple):
    """A ``LineageNode`` as a plain tuple: building 10,000 of these per request costs a
    fifth of building strawberry objects, and the executor reads them alike."""

    key: str
    group: str
    kind: str
    status: AssetStatus
    depth: int | None


@strawberry.type
class LineageEdge:
    """A dependency: ``source`` is the upstream end, ``target`` the downstream one."""

    source: str
    target: str


@strawberry.type
class Lineage:
    """Nodes and the edges among them."""

    nodes: list[LineageNode]
    edges: list[LineageEdge]


@strawberry.type
class Impact:
    """What a change to an asset (or one of its columns) affects downstream."""

    asset: str
    column: str | None
    assets: list[str]
    columns: list[ColumnRef]


@strawberry.type
class ColumnNode:
    """A column of an asset in a column graph; ``id`` is ``asset.column`` (keys never
    contain a dot)."""

    id: str
    asset: str
    column: str


@strawberry.type
class ColumnEdge:
    """``source`` (a node id) feeds ``target``: ``type`` DIRECT or INDIRECT, with its
    OpenLineage ``subtype``."""

    source: str
    target: str
    type: str
    subtype: str


@strawberry.type
class ColumnGraph:
    """Columns around one column, across assets, and the edges among them."""

    nodes: list[ColumnNode]
    edges: list[ColumnEdge]
