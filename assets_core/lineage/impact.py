"""Following column lineage across assets: the impact of a change, and the column
graph around one column (SPEC §11)."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING

from assets_core.lineage.columns import DIRECT, INDIRECT, ColumnLineage, ColumnSource
from assets_core.lineage.plan import DIRECT_SUBTYPES

if TYPE_CHECKING:
    from assets_core.keys import AssetKey

#: (asset key path, column)
ColumnId = tuple[str, str]


@dataclass(frozen=True, slots=True)
class Impact:
    """What a change affects downstream.

    Attributes:
        assets: The affected downstream assets, in topological order.
        columns: The affected downstream columns ``(asset, column)``, nearest first.
    """

    assets: tuple[AssetKey, ...]
    columns: tuple[ColumnId, ...]


def impact(
    lineage: ColumnLineage,
    key: AssetKey,
    column: str | None = None,
    include_indirect: bool = False,
) -> Impact:
    """The downstream assets and columns a change to ``key`` affects.

    With ``column``, it follows the column's DIRECT consumers transitively (and the
    INDIRECT ones with ``include_indirect``) and lists only the assets with an
    affected column. Without, a change to the asset as a whole affects every
    downstream asset, and the columns fed by any of its columns.

    Args:
        lineage: The graph's column lineage.
        key: The changed asset.
        column: The changed column, or None for the whole asset.
        include_indirect: Also follow FILTER, JOIN, GROUP_BY, SORT, WINDOW and
            CONDITIONAL uses.
    """
    graph = lineage.graph
    starts = [column] if column is not None else list(lineage.columns(key))
    seen: set[tuple[AssetKey, str]] = {(key, c) for c in starts}
    queue = deque(seen)
    affected: list[ColumnId] = []
    while queue:
        asset, col = queue.popleft()
        for child, out, subtype in lineage.consumers(asset, col):
            if not include_indirect and subtype not in DIRECT_SUBTYPES:
                continue
            if (child, out) not in seen:
                seen.add((child, out))
                affected.append((str(child), out))
                queue.append((child, out))
    if column is None:
        assets = graph.sorted(graph.downstream([key]))
    else:
        assets = graph.sorted({graph.resolve(a) for a, _ in affected})
    return Impact(tuple(assets), tuple(affected))


@dataclass(frozen=True, slots=True)
class ColumnEdge:
    """``source`` feeds ``target`` (each ``(asset, column)``) as ``subtype``."""

    source: ColumnId
    target: ColumnId
    subtype: str

    @property
    def type(self) -> str:
        """``DIRECT`` or ``INDIRECT``."""
        return DIRECT if self.subtype in DIRECT_SUBTYPES else INDIRECT


@dataclass(frozen=True, slots=True)
class ColumnGraph:
    """The columns around one column and the edges among them.

    Attributes:
        nodes: ``(asset, column)``, the focus first, then upstream (nearest first),
            then downstream.
        edges: Each once, from source to target.
    """

    nodes: tuple[ColumnId, ...]
    edges: tuple[ColumnEdge, ...]


def column_graph(
    lineage: ColumnLineage,
    key: AssetKey,
    column: str,
    upstream_depth: int | None = None,
    downstream_depth: int | None = None,
) -> ColumnGraph:
    """The columns ``column`` of ``key`` derives from, up to ``upstream_depth`` assets
    up, and those derived from it, up to ``downstream_depth`` assets down (None: all),
    along DIRECT and INDIRECT edges.
    """
    graph = lineage.graph
    focus = (str(key), column)
    nodes: dict[ColumnId, None] = {focus: None}
    edges: dict[tuple[ColumnId, ColumnId, str], None] = {}

    up: deque[tuple[ColumnId, int]] = deque([(focus, 0)])
    while up:
        (asset, col), depth = up.popleft()
        if upstream_depth is not None and depth >= upstream_depth:
            continue
        found = graph.find(asset)
        origin = lineage.lineage(found).get(col) if found is not None else None
        sources: tuple[ColumnSource, ...] = origin.sources if origin is not None else ()
        for src in sources:
            node = (src.asset, src.column)
            edges[(node, (asset, col), src.subtype)] = None
            if node not in nodes:
                nodes[node] = None
                up.append((node, depth + 1))

    down: deque[tuple[AssetKey, str, int]] = deque([(key, column, 0)])
    reached = {(key, column)}
    while down:
        asset_key, col, depth = down.popleft()
        if downstream_depth is not None and depth >= downstream_depth:
            continue
        for child, out, subtype in lineage.consumers(asset_key, col):
            target = (str(child), out)
            edges[((str(asset_key), col), target, subtype)] = None
            nodes.setdefault(target, None)
            if (child, out) not in reached:
                reached.add((child, out))
                down.append((child, out, depth + 1))
    return ColumnGraph(tuple(nodes), tuple(ColumnEdge(s, t, sub) for s, t, sub in edges))
