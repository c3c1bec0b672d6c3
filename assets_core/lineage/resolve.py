"""Resolving a query's column-lineage plan (``lineage.plan``) against the columns of
the tables it reads: each output column's DIRECT and INDIRECT sources.

A name is looked up in the ``SELECT`` that uses it, then in the enclosing ones (a
correlated subquery); an unqualified name in a ``SELECT`` over several tables is
found by their columns, asked for lazily. A column of a CTE, derived table or
subquery brings its own sources: DIRECT ones keep the stronger subtype
(``AGGREGATION`` > ``TRANSFORMATION`` > ``IDENTITY``), INDIRECT ones stay INDIRECT.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from assets_core.lineage.plan import Plan, SetPlan, Source, Star, SubqueryRef, Use

#: how much a DIRECT subtype changes the value; composing two keeps the stronger
_RANK = {"IDENTITY": 0, "TRANSFORMATION": 1, "AGGREGATION": 2}


@dataclass(frozen=True, slots=True)
class Derived:
    """The column lineage of one query.

    Attributes:
        columns: Its output columns, in order.
        direct: Per output column, ``(table, column, subtype)`` whose value flows in.
        indirect: Per output column, ``(table, column, subtype)`` that decide which
            rows or how.
        complete: False when a ``*`` could not be expanded (a table's columns are
            unknown), so ``columns`` may miss some.
    """

    columns: tuple[str, ...]
    direct: tuple[tuple[tuple[str, str, str], ...], ...]
    indirect: tuple[tuple[tuple[str, str, str], ...], ...]
    complete: bool


#: columns of a table read by the query, None when unknown
ColumnsOf = Callable[[str], Sequence[str] | None]


class _Origin:
    """The sources of one column while they are being gathered."""

    __slots__ = ("direct", "indirect")

    def __init__(self) -> None:
        self.direct: dict[tuple[str, str], str] = {}
        self.indirect: dict[tuple[str, str, str], None] = {}

    def add_direct(self, table: str, column: str, subtype: str) -> None:
        key = (table, column)
        old = self.direct.get(key)
        if old is None or _RANK[subtype] > _RANK[old]:
            self.direct[key] = subtype

    def merge(self, other: _Origin, subtype: str) -> None:
        """``other`` (a column of a CTE, derived table or subquery) used as ``subtype``."""
        if subtype in _RANK:
            for (table, column), inner in other.direct.items():
                self.add_direct(table, column, inner if _RANK[inner] > _RANK[subtype] else subtype)
        else:
            for table, column in other.direct:
                self.indirect[(table, column, subtype)] = None
        self.indirect.update(other.indirect)


class _Resolved:
    """A resolved source or query: output names (lower-cased index) and origins."""

    __slots__ = ("_index", "complete", "names", "origins")

    def __init__(self, names: list[str], origins: list[_Origin], complete: bool) -> None:
        self.names = names
        self.origins = origins
        self.complete = complete
        self._index: dict[str, int] | None = None

    @property
    def index(self) -> dict[str, int]:
        """Lower-cased output name -> its first position."""
        if self._index is None:
            self._index = {}
            for i, n in enumerate(self.names):
                self._index.setdefault(n.lower(), i)
        return self._index


class _Frame:
    """The sources of one ``SELECT`` while resolving it."""

    __slots__ = ("aliases", "outputs", "sources")

    def __init__(self, sources: list[tuple[Source, Any]]) -> None:
        self.sources = sources
        self.aliases = {s.alias.lower(): (s, r) for s, r in sources}
        #: origins of the SELECT's own output expressions, by position in the plan
        self.outputs: dict[int, _Origin] = {}


class _Resolver:
    def __init__(self, columns_of: ColumnsOf) -> None:
        self._columns_of = columns_of
        self._tables: dict[str, tuple[list[str], dict[str, str]] | None] = {}
        self._plans: dict[int, _Resolved] = {}

    def table_columns(self, table: str) -> tuple[list[str], dict[str, str]] | None:
        """The table's columns and a lower-case index, None when unknown."""
        if table not in self._tables:
            found = self._columns_of(table)
            self._tables[table] = (
                None if found is None else (list(found), {c.lower(): c for c in found})
            )
        return self._tables[table]

    def resolve(self, plan: Plan, env: list[_Frame]) -> _Resolved:
        if not env:  # not correlated: a CTE read twice is resolved once
            found = self._plans.get(id(plan))
            if found is None:
                found = self._plans[id(plan)] = self._resolve(plan, env)
            return found
        return self._resolve(plan, env)

    def _resolve(self, plan: Plan, env: list[_Frame]) -> _Resolved:
        if isinstance(plan, SetPlan):
            return self._set(plan, env)
        frame = _Frame(
            [(s, self.resolve(s.query, []) if s.query is not None else None) for s in plan.sources]
        )
        inner = [frame, *env]
        names: list[str] = []
        origins: list[_Origin] = []
        complete = True
        for position, output in enumerate(plan.outputs):
            if isinstance(output, Star):
                complete &= self._expand(output, frame, plan.using, names, origins)
                continue
            origin = _Origin()
            for use in output.uses:
                self.apply(use, origin, inner)
            names.append(output.name)
            origins.append(origin)
            frame.outputs[position] = origin
        common = _Origin()
        for use in plan.common:
            self.apply(use, common, inner)
        if common.indirect:
            for origin in origins:
                origin.indirect.update(common.indirect)
        return _Resolved(names, origins, complete)

    def _set(self, plan: SetPlan, env: list[_Frame]) -> _Resolved:
        parts = [self.resolve(b, env) for b in plan.branches]
        first = parts[0]
        origins = []
        for i in range(len(first.names)):
            origin = _Origin()
            for part in parts:
                if i < len(part.origins):
                    origin.merge(part.origins[i], "IDENTITY")
            origins.append(origin)
        resolved = _Resolved(list(first.names), origins, all(p.complete for p in parts))
        if plan.common:
            frame = _Frame([(Source(""), resolved)])
            frame.outputs = dict(enumerate(origins))
            common = _Origin()
            for use in plan.common:
                self.apply(use, common, [frame, *env])
            for origin in origins:
                origin.indirect.update(common.indirect)
        return resolved

    def _expand(
        self,
        star: Star,
        frame: _Frame,
        using: frozenset[str],
        names: list[str],
        origins: list[_Origin],
    ) -> bool:
        if star.source is not None:
            found = frame.aliases.get(star.source.lower())
            chosen = [found] if found is not None else []
        else:
            chosen = frame.sources
        complete = True
        seen_using: set[str] = set()
        for source, resolved in chosen:
            columns = self._columns(source, resolved)
            if columns is None:
                complete = False
                continue
            for column in columns:
                low = column.lower()
                if low in star.exclude:
                    continue
                if star.source is None and low in using:
                    if low in seen_using:
                        continue  # USING columns appear once
                    seen_using.add(low)
                origin = _Origin()
                self._from_source(source, resolved, column, "IDENTITY", origin)
                names.append(column)
                origins.append(origin)
        return complete

    def _columns(self, source: Source, resolved: _Resolved | None) -> list[str] | None:
        if resolved is not None:
            return resolved.names
        if source.table is None:
            return None
        found = self.table_columns(source.table)
        return None if found is None else found[0]

    def _has(self, source: Source, resolved: _Resolved | None, column: str) -> bool | None:
        """Whether the source has ``column`` (None: its columns are unknown)."""
        if resolved is not None:
            return column.lower() in resolved.index
        if source.table is None:
            return None
        found = self.table_columns(source.table)
        return None if found is None else column.lower() in found[1]

    def _from_source(
        self,
        source: Source,
        resolved: _Resolved | None,
        column: str,
        subtype: str,
        origin: _Origin,
    ) -> None:
        if resolved is not None:
            i = resolved.index.get(column.lower())
            if i is not None:
                origin.merge(resolved.origins[i], subtype)
            return
        if source.table is None:
            return
        # Spelled as the table spells it when its columns were read anyway; reading
        # them only for that would derive every upstream SQL asset first.
        found = self._tables.get(source.table)
        spelled = found[1].get(column.lower(), column) if found is not None else column
        if subtype in _RANK:
            origin.add_direct(source.table, spelled, subtype)
        else:
            origin.indirect[(source.table, spelled, subtype)] = None

    def apply(self, use: Use, origin: _Origin, env: list[_Frame]) -> None:
        """Add what ``use`` contributes to ``origin``; ``env`` is the frames from the
        innermost ``SELECT`` outwards (correlated subqueries see the outer ones)."""
        if isinstance(use, SubqueryRef):
            resolved = self.resolve(use.query, env)
            for inner in resolved.origins:
                origin.merge(inner, use.subtype)
            return
        if use.source is not None:
            alias = use.source.lower()
            for frame in env:
                found = frame.aliases.get(alias)
                if found is not None:
                    self._from_source(found[0], found[1], use.column, use.subtype, origin)
                    return
            return
        if len(env) == 1 and use.fallback is None and len(env[0].sources) == 1:
            # One table and no other meaning the name could have: no need to ask
            # for its columns (which would derive every upstream SQL asset first).
            source, resolved = env[0].sources[0]
            self._from_source(source, resolved, use.column, use.subtype, origin)
            return
        for depth, frame in enumerate(env):
            unknown = []
            for source, resolved in frame.sources:
                has = self._has(source, resolved, use.column)
                if has:
                    self._from_source(source, resolved, use.column, use.subtype, origin)
                    return
                if has is None:
                    unknown.append((source, resolved))
            if depth == 0 and use.fallback in frame.outputs:
                origin.merge(frame.outputs[use.fallback], use.subtype)
                return
            if len(unknown) == 1:
                source, resolved = unknown[0]
                self._from_source(source, resolved, use.column, use.subtype, origin)
                return


def _derived(resolved: _Resolved) -> Derived:
    direct = []
    indirect = []
    # equal source lists are one tuple: the WHERE/JOIN/GROUP BY sources every column of
    # a SELECT shares are then converted once by whoever reads them
    shared: dict[tuple[tuple[str, str, str], ...], tuple[tuple[str, str, str], ...]] = {}
    for origin in resolved.origins:
        found = tuple([(t, c, s) for (t, c), s in origin.direct.items()])
        direct.append(shared.setdefault(found, found))
        found = tuple(origin.indirect)
        indirect.append(shared.setdefault(found, found))
    return Derived(tuple(resolved.names), tuple(direct), tuple(indirect), resolved.complete)


def resolve(plan: Plan, columns_of: ColumnsOf) -> Derived:
    """The column lineage of ``plan``; ``columns_of`` gives a table's columns (None:
    unknown) and is called at most once per table, only when needed."""
    return _derived(_Resolver(columns_of).resolve(plan, []))
