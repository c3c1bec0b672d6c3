"""The columns of every asset of a graph and where each comes from (SPEC §11).

An asset's columns are, in order of preference: those it declares (``columns=``);
for a ``sql_asset``, those its query yields (``lineage.sql``), when every ``*`` in it
could be expanded; those recorded with its latest materialization (the ``schema``
metadata, passed in as ``stored``).

A column's sources follow OpenLineage: DIRECT ones (``IDENTITY``, ``TRANSFORMATION``,
``AGGREGATION``) whose value flows into it, INDIRECT ones (``FILTER``, ``JOIN``,
``GROUP_BY``, ``SORT``, ``WINDOW``, ``CONDITIONAL``) that decide which rows or how. A
``sql_asset``'s are derived from its query; a Python asset declares its own with
``column_lineage={"out": ["up/key.col", ...]}`` (DIRECT TRANSFORMATION sources).

Everything is computed lazily and memoised; ``all()`` computes the whole graph.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from assets_core.lineage.plan import DIRECT_SUBTYPES
from assets_core.lineage.sql import SqlLineageError, analyze, derive

if TYPE_CHECKING:
    from assets_core.graph.asset_graph import AssetGraph
    from assets_core.keys import AssetKey

DIRECT = "DIRECT"
INDIRECT = "INDIRECT"
#: a declared ``column_lineage`` source: its value flows in, how is not said
DECLARED_SUBTYPE = "TRANSFORMATION"


class ColumnSource(NamedTuple):
    """One source of a column: ``column`` of asset ``asset`` (a key path), used as
    ``subtype``. A tuple: the lineage of a large graph holds hundreds of thousands."""

    asset: str
    column: str
    subtype: str

    @property
    def type(self) -> str:
        """``DIRECT`` or ``INDIRECT``, from the subtype."""
        return DIRECT if self.subtype in DIRECT_SUBTYPES else INDIRECT


class ColumnOrigin(NamedTuple):
    """Where one column of an asset comes from."""

    column: str
    direct: tuple[ColumnSource, ...]
    indirect: tuple[ColumnSource, ...]

    @property
    def sources(self) -> tuple[ColumnSource, ...]:
        """DIRECT then INDIRECT sources."""
        return self.direct + self.indirect


#: asset -> its column lineage, column by column, in column order
Lineage = dict[str, ColumnOrigin]


class _NeedFirst(Exception):
    """Deriving an asset needs the columns of an upstream SQL asset not derived yet."""

    def __init__(self, key: AssetKey) -> None:
        self.key = key


@dataclass(frozen=True, slots=True)
class _Derived:
    columns: tuple[str, ...]
    complete: bool
    lineage: Lineage
    #: computed while a stored schema it needed was not given yet
    provisional: bool = False


class ColumnLineage:
    """Column lineage of one graph, from its definitions and the stored schemas.

    Args:
        graph: The asset graph.
        stored: Column names recorded with each asset's latest materialization, for
            the assets whose columns are neither declared nor derivable. Keys asked for
            but absent are collected in ``wanted``: read them and call ``add_stored``.
    """

    def __init__(
        self, graph: AssetGraph, stored: Mapping[AssetKey, Sequence[str]] | None = None
    ) -> None:
        self.graph = graph
        self.wanted: set[AssetKey] = set()
        self._stored: dict[AssetKey, tuple[str, ...]] = {
            k: tuple(v) for k, v in (stored or {}).items()
        }
        self._derived: dict[AssetKey, _Derived] = {}
        self._consumers: dict[AssetKey, dict[str, list[tuple[AssetKey, str, str]]]] = {}

    def add_stored(self, stored: Mapping[AssetKey, Sequence[str] | None]) -> bool:
        """Add stored columns (None or empty: the asset has none recorded). Forget
        what was computed without them; return whether anything was new."""
        new = False
        for key, columns in stored.items():
            self.wanted.discard(key)
            if key not in self._stored:
                self._stored[key] = tuple(columns or ())
                new = True
        if new:
            # only what was computed without a stored schema can change
            for key in [k for k, d in self._derived.items() if d.provisional]:
                del self._derived[key]
            self._consumers.clear()
        return new

    @property
    def has_stored(self) -> bool:
        """Whether anything was taken from stored schemas (a new materialization may
        then change the answers)."""
        return bool(self._stored)

    # -- per asset -----------------------------------------------------------------------
    def columns(self, key: AssetKey) -> tuple[str, ...]:
        """The asset's columns (empty when unknown)."""
        return self._get(key).columns

    def lineage(self, key: AssetKey) -> Lineage:
        """For each column of the asset whose sources are known, its sources."""
        return self._get(key).lineage

    def all(self) -> dict[AssetKey, Lineage]:
        """The column lineage of every asset, in topological order."""
        return {k: self._get(k).lineage for k in self.graph.toposorted}

    def consumers(self, key: AssetKey, column: str) -> list[tuple[AssetKey, str, str]]:
        """``(asset, column, subtype)`` of the downstream columns that use ``column``
        of ``key`` directly (one hop)."""
        index = self._consumers.get(key)
        if index is None:
            index = {}
            name = str(key)
            for child in self.graph.children(key):
                for origin in self.lineage(child).values():
                    for src in origin.sources:
                        if src.asset == name:
                            index.setdefault(src.column, []).append(
                                (child, origin.column, src.subtype)
                            )
            self._consumers[key] = index
        return index.get(column, [])

    # -- computing -----------------------------------------------------------------------
    def _get(self, key: AssetKey) -> _Derived:
        found = self._derived.get(key)
        if found is not None:
            return found
        # Upstream SQL assets are derived first, without recursion: a chain of
        # thousands of SQL assets must not exhaust the stack.
        pending = [key]
        while pending:
            k = pending[-1]
            if k in self._derived:
                pending.pop()
                continue
            try:
                self._derived[k] = self._compute(k)
            except _NeedFirst as need:
                pending.append(need.key)
            else:
                pending.pop()
        return self._derived[key]

    def _known(self, key: AssetKey) -> _Derived | None:
        """What is known of an upstream asset, or _NeedFirst when it is a SQL asset
        not derived yet."""
        found = self._derived.get(key)
        if found is not None:
            return found
        node = self.graph.nodes.get(key)
        if node is not None and node.definition.sql is not None and not node.spec.columns:
            raise _NeedFirst(key)
        return self._get(key) if node is not None else None

    def _stored_columns(self, key: AssetKey) -> tuple[str, ...] | None:
        found = self._stored.get(key)
        if found is None:
            self.wanted.add(key)
        return found

    def _compute(self, key: AssetKey) -> _Derived:
        node = self.graph.get(key)
        declared = tuple(node.spec.columns)
        lineage: Lineage = {}
        complete = False
        provisional = False
        derived_columns: tuple[str, ...] = ()
        sql = node.definition.sql
        if sql is not None:
            derived_columns, complete, lineage, provisional = self._from_sql(sql, node.sql_tables)
        for column, refs in node.spec.column_lineage.items():
            lineage[column] = ColumnOrigin(column, self._declared(refs), ())
        if declared:
            columns = declared
        elif sql is not None and complete and derived_columns:
            columns = derived_columns
        else:
            stored = self._stored_columns(key)
            provisional |= stored is None
            columns = stored or derived_columns or tuple(node.spec.column_lineage)
        return _Derived(columns, complete or bool(declared), lineage, provisional)

    def _from_sql(
        self, sql: str, tables: Mapping[str, AssetKey]
    ) -> tuple[tuple[str, ...], bool, Lineage, bool]:
        """Columns, completeness, lineage, and whether an upstream's columns used were
        provisional."""
        try:
            analysis = analyze(sql)
        except SqlLineageError:
            return (), False, {}, False
        provisional = False
        lower = {t.lower(): k for t, k in tables.items()}

        def key_of(table: str) -> AssetKey | None:
            return tables.get(table) or lower.get(table.lower())

        def columns_of(table: str) -> Sequence[str] | None:
            nonlocal provisional
            up = key_of(table)
            if up is None:
                return None
            known = self._known(up)
            if known is not None and known.provisional:
                provisional = True
            return known.columns if known is not None and known.columns else None

        derived = derive(analysis, columns_of)
        names = {t: str(k) for t in analysis.tables if (k := key_of(t)) is not None}
        # tuple.__new__ skips the NamedTuple constructor's Python frame (200,000 sources
        # for 10,000 assets); the clause-wide sources of a SELECT are one tuple shared by
        # its columns (see resolve._derived), converted once
        new = tuple.__new__
        converted: dict[int, tuple[ColumnSource, ...]] = {}

        def sources(found: tuple[tuple[str, str, str], ...]) -> tuple[ColumnSource, ...]:
            out = converted.get(id(found))
            if out is None:
                out = converted[id(found)] = tuple(
                    [new(ColumnSource, (names[t], c, s)) for t, c, s in found if t in names]
                )
            return out

        lineage: Lineage = {}
        for column, direct, indirect in zip(
            derived.columns, derived.direct, derived.indirect, strict=True
        ):
            lineage[column] = new(ColumnOrigin, (column, sources(direct), sources(indirect)))
        return derived.columns, derived.complete, lineage, provisional

    def _declared(self, refs: Iterable[str]) -> tuple[ColumnSource, ...]:
        out = []
        for ref in refs:
            # keys never contain a dot, so the first one ends the asset part
            asset, _, column = ref.partition(".")
            if not column:
                continue
            key = self.graph.find(asset)
            out.append(
                ColumnSource(str(key) if key is not None else asset, column, DECLARED_SUBTYPE)
            )
        return tuple(out)
