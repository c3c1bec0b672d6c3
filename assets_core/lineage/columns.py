"""Column-level lineage (SPEC §11): for sql_assets derived from the query with
sqlglot; for Python assets from ``columns=`` / ``column_lineage=``; and the impact of a
change to an asset or column on everything downstream."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from assets_core.keys import AssetKey

if TYPE_CHECKING:
    from assets_core.graph.asset_graph import AssetGraph

ColumnRef = tuple[str, str]  # (asset key, column)
StoredColumns = Callable[[list[str]], Mapping[str, list[str]]]


@dataclass(slots=True)
class ColumnLineage:
    """Lineage of every column of a graph, computed lazily and memoised.

    ``stored_columns`` supplies the columns recorded with the latest materializations
    (for assets whose columns are neither declared nor derivable), typically
    ``catalog.latest_columns``.
    """

    graph: AssetGraph
    stored_columns: StoredColumns | None = None
    _columns: dict[AssetKey, list[str]] = field(default_factory=dict)
    _lineage: dict[AssetKey, dict[str, list[ColumnRef]]] = field(default_factory=dict)
    _stored: dict[str, list[str]] | None = None

    def columns(self, key: AssetKey) -> list[str]:
        """The asset's columns: declared, derived from its SQL, or as last stored."""
        if key in self._columns:
            return self._columns[key]
        node = self.graph.get(key)
        cols: list[str] = list(node.spec.columns)
        if not cols and node.definition.sql is not None:
            cols = list(self.lineage(key))
        if not cols:
            cols = self._stored_for(key)
        self._columns[key] = cols
        return cols

    def lineage(self, key: AssetKey) -> dict[str, list[ColumnRef]]:
        """Output column -> the upstream (asset, column) pairs it is derived from."""
        if key in self._lineage:
            return self._lineage[key]
        node = self.graph.get(key)
        out: dict[str, list[ColumnRef]] = {}
        self._lineage[key] = out  # guards against re-entry while computing
        if node.definition.sql is not None:
            from assets_core.errors import AssetlineError
            from assets_core.execution.sql import sql_column_lineage

            tables = {name: self.columns(up) for name, up in node.sql_tables.items()}
            try:
                derived = sql_column_lineage(node.definition.sql, tables)
            except AssetlineError:
                derived = {}
            for column, sources in derived.items():
                out[column] = [
                    (str(node.sql_tables[t]), c) for t, c in sources if t in node.sql_tables
                ]
        for column, declared in node.spec.column_lineage.items():
            refs = []
            for src in declared:
                asset, _, col = src.rpartition(".")
                if asset:
                    up = self.graph.find(asset)
                    refs.append((str(up) if up is not None else asset, col))
            out[column] = refs
        return out

    def impact(
        self, key: AssetKey, column: str | None = None
    ) -> tuple[list[AssetKey], list[ColumnRef]]:
        """Every downstream asset affected by a change to ``key`` (or to one of its
        columns), in topological order, and the downstream columns affected."""
        if column is None:
            assets = self.graph.sorted(self.graph.downstream([key]))
            return assets, []
        affected: list[ColumnRef] = []
        seen = {(str(key), column)}
        queue = deque([(key, column)])
        while queue:
            asset, col = queue.popleft()
            for child in self.graph.children(asset):
                for out_col, sources in self.lineage(child).items():
                    if (str(asset), col) in sources and (str(child), out_col) not in seen:
                        seen.add((str(child), out_col))
                        affected.append((str(child), out_col))
                        queue.append((child, out_col))
        assets = self.graph.sorted({self.graph.resolve(a) for a, _ in affected})
        return assets, affected

    def _stored_for(self, key: AssetKey) -> list[str]:
        if self.stored_columns is None:
            return []
        if self._stored is None:
            names = [str(k) for k in self.graph.toposorted]
            self._stored = {k: list(v) for k, v in self.stored_columns(names).items()}
        return self._stored.get(str(key), [])
