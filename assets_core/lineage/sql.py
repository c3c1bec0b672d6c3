"""Column lineage of a DuckDB query (SPEC §11), read from sqlglot's scopes.

Two steps, so that the lineage of 10,000 SQL assets is cheap once they are defined:

1. ``analyze(query)`` parses the query once (``sql_asset`` calls it when the asset is
   defined, to find the tables it reads) and walks sqlglot's scope tree
   (``sqlglot.optimizer.scope``) into a small plan: for each ``SELECT``, its sources
   (tables, CTEs, derived tables) and, for each output column, the columns it uses and
   how. Nothing here needs the upstream tables' columns.
2. ``derive(analysis, columns_of)`` resolves that plan against the columns of the
   tables read (asked lazily: only ``*`` and unqualified names in a multi-table
   ``SELECT`` need them) and returns each output column's sources.

Each source follows OpenLineage's column-lineage model: DIRECT when the value flows
into the output (``IDENTITY``, ``TRANSFORMATION``, ``AGGREGATION``) or INDIRECT when
it decides which rows or how (``FILTER``, ``JOIN``, ``GROUP_BY``, ``SORT``, ``WINDOW``,
``CONDITIONAL``). A CASE condition is INDIRECT CONDITIONAL, its THEN/ELSE values
DIRECT; ``rank() over (partition by a order by b)`` has only INDIRECT WINDOW sources;
``sum(x) over (partition by a)`` is DIRECT AGGREGATION from ``x``, INDIRECT WINDOW
from ``a``. WHERE, JOIN, GROUP BY, HAVING, QUALIFY and ORDER BY apply to every output
column of their ``SELECT``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Union

if TYPE_CHECKING:
    from sqlglot import exp
    from sqlglot.optimizer.scope import Scope

DIRECT_SUBTYPES = ("IDENTITY", "TRANSFORMATION", "AGGREGATION")
INDIRECT_SUBTYPES = ("FILTER", "JOIN", "GROUP_BY", "SORT", "WINDOW", "CONDITIONAL")
#: how much a DIRECT subtype changes the value; composing two keeps the stronger
_RANK = {"IDENTITY": 0, "TRANSFORMATION": 1, "AGGREGATION": 2}


class SqlLineageError(Exception):
    """The query does not parse; ``str(error)`` is sqlglot's message."""


# -- the plan (step 1) --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Ref:
    """A column the query names. ``source`` is the table alias as written (None when
    unqualified); ``fallback`` the index of an earlier output column of the same
    ``SELECT`` whose alias the name may mean when no source has such a column."""

    source: str | None
    column: str
    subtype: str
    fallback: int | None = None


@dataclass(frozen=True, slots=True)
class SubqueryRef:
    """A subquery inside an expression: every column it yields, used as ``subtype``."""

    query: Plan
    subtype: str


Use = Union[Ref, SubqueryRef]  # noqa: UP007 - a runtime alias


@dataclass(frozen=True, slots=True)
class Output:
    """An output column of a ``SELECT`` and the columns its expression uses."""

    name: str
    uses: tuple[Use, ...]


@dataclass(frozen=True, slots=True)
class Star:
    """``*`` (``source`` None) or ``t.*``, minus DuckDB's ``EXCLUDE`` columns."""

    source: str | None
    exclude: frozenset[str]


@dataclass(frozen=True, slots=True)
class Source:
    """What an alias of a ``FROM``/``JOIN`` reads: a table (``table``, dotted as
    written), a CTE or derived table (``query``), or neither (a table function)."""

    alias: str
    table: str | None = None
    query: Plan | None = None


@dataclass(frozen=True, slots=True)
class SelectPlan:
    """One ``SELECT``: its sources, its outputs, and the uses that apply to every
    output (WHERE, JOIN, GROUP BY, HAVING, QUALIFY, ORDER BY)."""

    sources: tuple[Source, ...]
    outputs: tuple[Output | Star, ...]
    common: tuple[Use, ...]
    using: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class SetPlan:
    """``UNION [ALL]``, ``INTERSECT``, ``EXCEPT``: output columns by position, named
    after the first branch; ``common`` names those outputs (an ORDER BY)."""

    branches: tuple[Plan, ...]
    common: tuple[Use, ...]


Plan = Union[SelectPlan, SetPlan]  # noqa: UP007 - a runtime alias


@dataclass(frozen=True, slots=True)
class SqlAnalysis:
    """What ``analyze`` found in a query.

    Attributes:
        tables: The tables it reads, dotted as written (``orders``, ``sales.orders``),
            in order of first appearance; CTEs are not tables, even when a CTE is named
            like the table it reads.
        plan: The column-lineage plan (None when the statement is not a query).
        static: The lineage itself when it does not depend on the tables' columns
            (no ``*``, no unqualified name that several tables could hold): resolved
            once, here, rather than for every graph that has the asset.
    """

    tables: tuple[str, ...]
    plan: Plan | None
    static: Derived | None = None


@lru_cache(maxsize=65536)
def analyze(query: str) -> SqlAnalysis:
    """Parse ``query`` (DuckDB) and plan its column lineage. Memoised per query text:
    ``sql_asset`` analyses its query when defined, lineage reuses the result.

    Args:
        query: The query of a ``sql_asset``.

    Raises:
        SqlLineageError: It does not parse.
    """
    import sqlglot
    from sqlglot import exp
    from sqlglot.optimizer.scope import build_scope

    try:
        tree = sqlglot.parse_one(query, read="duckdb")
    except sqlglot.errors.SqlglotError as e:
        raise SqlLineageError(str(e)) from None
    try:
        root = build_scope(tree)
    except sqlglot.errors.SqlglotError as e:
        raise SqlLineageError(str(e)) from None
    if root is None:
        return SqlAnalysis(_tables_without_scope(tree), None)
    builder = _Planner()
    plan = builder.plan(root)
    order = {id(t): n for n, t in enumerate(tree.find_all(exp.Table))}
    tables = sorted(builder.tables.items(), key=lambda kv: order.get(kv[0], 0))
    names = tuple(dict.fromkeys(name for _, name in tables))
    return SqlAnalysis(names, plan, _static(plan))


class _NeedsColumns(Exception):
    pass


def _static(plan: Plan) -> Derived | None:
    """The lineage of ``plan`` if no table's columns are needed to resolve it."""

    def columns_of(table: str) -> Sequence[str] | None:
        raise _NeedsColumns

    try:
        return _derived(_Resolver(columns_of).resolve(plan, []))
    except _NeedsColumns:
        return None


def _table_name(table: exp.Table) -> str | None:
    """``a.b.c`` of a table read, None for a table function (``read_parquet(...)``)."""
    from sqlglot import exp

    if not table.name or isinstance(table.this, exp.Func):
        return None
    return ".".join(p for p in (table.catalog, table.db, table.name) if p)


def _tables_without_scope(tree: exp.Expr) -> tuple[str, ...]:
    from sqlglot import exp

    names = (_table_name(t) for t in tree.find_all(exp.Table))
    return tuple(dict.fromkeys(n for n in names if n))


class _Planner:
    """Builds the plan of each scope once (a CTE read twice is planned once)."""

    def __init__(self) -> None:
        self.tables: dict[int, str] = {}
        self._plans: dict[int, Plan] = {}

    def plan(self, scope: Scope) -> Plan:
        found = self._plans.get(id(scope))
        if found is None:
            found = self._plans[id(scope)] = self._build(scope)
        return found

    def _build(self, scope: Scope) -> Plan:
        from sqlglot import exp

        expression = scope.expression
        if isinstance(expression, exp.SetOperation):
            branches: list[Plan] = []
            for branch in scope.set_operation_scopes:
                sub = self.plan(branch)
                # UNION chains nest to the left; flatten so positions line up
                if isinstance(sub, SetPlan) and not sub.common:
                    branches.extend(sub.branches)
                else:
                    branches.append(sub)
            common = _Uses(self, scope, [])
            order = expression.args.get("order")
            for ordered in order.expressions if order is not None else ():
                if isinstance(ordered.this, exp.Literal) and not ordered.this.is_string:
                    # ORDER BY 2: the second output column, whatever its name
                    common.add(Ref(None, "", "SORT", int(ordered.this.name) - 1))
                else:
                    common.indirect(ordered.this, "SORT")
            return SetPlan(tuple(branches), tuple(common.out))
        if not isinstance(expression, exp.Select):
            return SelectPlan((), (), ())  # VALUES and the like: no columns known
        return self._select(scope, expression)

    def _select(self, scope: Scope, select: exp.Select) -> SelectPlan:
        from sqlglot import exp
        from sqlglot.optimizer.scope import Scope

        sources: list[Source] = []
        for alias, (_node, source) in scope.selected_sources.items():
            if isinstance(source, exp.Table):
                name = _table_name(source)
                if name is not None:
                    self.tables[id(source)] = name
                sources.append(Source(alias, table=name))
            elif isinstance(source, Scope):
                sources.append(Source(alias, query=self.plan(source)))
            else:
                sources.append(Source(alias))
        names: list[str] = []
        outputs: list[Output | Star] = []
        for projection in select.expressions:
            star = _star(projection)
            if star is not None:
                outputs.append(star)
                names.append("")
                continue
            name = _output_name(projection)
            uses = _Uses(self, scope, names)
            value = projection.unalias()
            uses.direct(value)
            outputs.append(Output(name, tuple(uses.out)))
            # a bare column under its own name shadows nothing: other clauses naming
            # it mean the source column either way
            plain = isinstance(value, exp.Column) and value.name.lower() == name.lower()
            names.append("" if plain else name)
        common = _Uses(self, scope, names)
        using: set[str] = set()
        for join in select.args.get("joins") or ():
            on = join.args.get("on")
            if on is not None:
                common.indirect(on, "JOIN")
            for identifier in join.args.get("using") or ():
                column = identifier.name
                using.add(column.lower())
                common.add(Ref(None, column, "JOIN"))
                common.add(Ref(join.alias_or_name, column, "JOIN"))
        for clause, subtype in (("where", "FILTER"), ("having", "FILTER"), ("qualify", "FILTER")):
            node = select.args.get(clause)
            if node is not None:
                common.indirect(node.this, subtype)
        group = select.args.get("group")
        if group is not None:
            if group.args.get("all"):
                for output in outputs:
                    if isinstance(output, Output) and not any(
                        isinstance(u, Ref) and u.subtype == "AGGREGATION" for u in output.uses
                    ):
                        common.extend(output.uses, "GROUP_BY")
            for expression in group.expressions:
                common.by_position_or_name(expression, outputs, "GROUP_BY", alias_first=False)
        order = select.args.get("order")
        if order is not None:
            for ordered in order.expressions:
                common.by_position_or_name(ordered.this, outputs, "SORT", alias_first=True)
        return SelectPlan(tuple(sources), tuple(outputs), tuple(common.out), frozenset(using))


@lru_cache(maxsize=1)
def _navigation() -> tuple[type[exp.Expr], ...]:
    """Window functions that read another row's value without aggregating
    (sqlglot counts them as aggregates): ``lag(x)`` is a TRANSFORMATION of ``x``."""
    from sqlglot import exp

    return (exp.Lag, exp.Lead, exp.FirstValue, exp.LastValue, exp.NthValue)


def _output_name(projection: exp.Expression) -> str:
    from sqlglot import exp

    if isinstance(projection, exp.Alias | exp.Column):
        return projection.alias_or_name
    return projection.sql(dialect="duckdb")


def _star(projection: exp.Expression) -> Star | None:
    from sqlglot import exp

    if isinstance(projection, exp.Star):
        source = None
        star = projection
    elif isinstance(projection, exp.Column) and isinstance(projection.this, exp.Star):
        source = projection.table or None
        star = projection.this
    else:
        return None
    excluded = star.args.get("except_") or star.args.get("except") or ()
    return Star(source, frozenset(e.name.lower() for e in excluded))


class _Uses:
    """Collects the column uses of expressions of one scope."""

    def __init__(self, planner: _Planner, scope: Scope, aliases: list[str]) -> None:
        self.planner = planner
        self.scope = scope
        self.aliases = {a.lower(): i for i, a in enumerate(aliases) if a}
        self.out: list[Use] = []
        self._subqueries: dict[int, Scope] | None = None

    def add(self, use: Use) -> None:
        self.out.append(use)

    def extend(self, uses: Sequence[Use], subtype: str) -> None:
        """``uses`` (of an output) again, as ``subtype``."""
        for use in uses:
            if isinstance(use, Ref):
                self.out.append(Ref(use.source, use.column, subtype, use.fallback))
            else:
                self.out.append(SubqueryRef(use.query, subtype))

    def _column(self, column: exp.Column, subtype: str) -> None:
        source = column.table or None
        name = column.name
        fallback = None if source else self.aliases.get(name.lower())
        self.out.append(Ref(source, name, subtype, fallback))

    def _subquery(self, node: exp.Expression) -> Scope | None:
        if self._subqueries is None:
            self._subqueries = {}
            for sub in self.scope.subquery_scopes:
                self._subqueries[id(sub.expression)] = sub
                if sub.expression.parent is not None:
                    self._subqueries[id(sub.expression.parent)] = sub
        return self._subqueries.get(id(node))

    def indirect(self, node: exp.Expression, subtype: str) -> None:
        """Every column in ``node`` (and in its subqueries) as INDIRECT ``subtype``."""
        from sqlglot import exp

        stack = [node]
        while stack:
            n = stack.pop()
            if isinstance(n, exp.Column):
                if not isinstance(n.this, exp.Star):
                    self._column(n, subtype)
                continue
            if isinstance(n, exp.Query | exp.Subquery):
                sub = self._subquery(n)
                if sub is not None:
                    self.out.append(SubqueryRef(self.planner.plan(sub), subtype))
                    continue
            stack.extend(reversed(list(n.iter_expressions())))

    def direct(self, node: exp.Expression) -> None:
        """The uses of an output expression: a bare column is IDENTITY."""
        from sqlglot import exp

        if isinstance(node, exp.Column):
            self._column(node, "IDENTITY")
        else:
            self._walk(node, "TRANSFORMATION")

    def _walk(self, node: exp.Expression, subtype: str) -> None:
        from sqlglot import exp

        if isinstance(node, exp.Column):
            if not isinstance(node.this, exp.Star):
                self._column(node, subtype)
            return
        if isinstance(node, exp.Window):
            self._walk(node.this, subtype)
            for part in node.args.get("partition_by") or ():
                self.indirect(part, "WINDOW")
            order = node.args.get("order")
            if order is not None:
                self.indirect(order, "WINDOW")
            return
        if isinstance(node, exp.Case):
            for branch in node.args.get("ifs") or ():
                self.indirect(branch.this, "CONDITIONAL")
                self._walk(branch.args["true"], subtype)
            default = node.args.get("default")
            if default is not None:
                self._walk(default, subtype)
            return
        if isinstance(node, exp.If):
            self.indirect(node.this, "CONDITIONAL")
            for part in ("true", "false"):
                value = node.args.get(part)
                if value is not None:
                    self._walk(value, subtype)
            return
        if isinstance(node, exp.Filter):  # sum(x) FILTER (WHERE y > 0)
            self._walk(node.this, subtype)
            self.indirect(node.expression, "FILTER")
            return
        if isinstance(node, exp.Query | exp.Subquery):
            sub = self._subquery(node)
            if sub is not None:
                self.out.append(SubqueryRef(self.planner.plan(sub), subtype))
                return
        if isinstance(node, exp.AggFunc) and not isinstance(node, _navigation()):
            subtype = "AGGREGATION"
        for child in node.iter_expressions():
            self._walk(child, subtype)

    def by_position_or_name(
        self,
        node: exp.Expression,
        outputs: Sequence[Output | Star],
        subtype: str,
        alias_first: bool,
    ) -> None:
        """A GROUP BY / ORDER BY item: ``1`` is the first output column; a bare name
        is an output alias before a source column in ORDER BY, after one in GROUP BY."""
        from sqlglot import exp

        if isinstance(node, exp.Literal) and not node.is_string:
            index = int(node.name) - 1
            if 0 <= index < len(outputs):
                output = outputs[index]
                if isinstance(output, Output):
                    self.extend(output.uses, subtype)
            return
        if alias_first and isinstance(node, exp.Column) and not node.table:
            at = self.aliases.get(node.name.lower())
            named = outputs[at] if at is not None else None
            if isinstance(named, Output):
                self.extend(named.uses, subtype)
                return
        self.indirect(node, subtype)


# -- resolving the plan (step 2) ----------------------------------------------------------


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


def derive(analysis: SqlAnalysis, columns_of: ColumnsOf) -> Derived:
    """Resolve the plan of ``analysis`` against the columns of the tables it reads.

    Args:
        analysis: From ``analyze``.
        columns_of: Columns of a table as dotted in the query (``sales.orders``), or
            None when unknown; called at most once per table, and only when needed.

    Returns:
        The output columns and, for each, its DIRECT and INDIRECT sources as
        ``(table, column, subtype)``, tables named as in the query.
    """
    if analysis.static is not None:
        return analysis.static
    if analysis.plan is None:
        return Derived((), (), (), True)
    return _derived(_Resolver(columns_of).resolve(analysis.plan, []))


def _derived(resolved: _Resolved) -> Derived:
    direct = []
    indirect = []
    for origin in resolved.origins:
        direct.append(tuple((t, c, s) for (t, c), s in origin.direct.items()))
        indirect.append(tuple(origin.indirect))
    return Derived(tuple(resolved.names), tuple(direct), tuple(indirect), resolved.complete)
