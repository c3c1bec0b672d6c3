"""Column lineage of a DuckDB query (SPEC §11), read from sqlglot's scopes.

Two steps, so that the lineage of 10,000 SQL assets is cheap once they are defined:

1. ``analyze(query)`` parses the query once (``sql_asset`` calls it when the asset is
   defined, to find the tables it reads) and walks sqlglot's scope tree
   (``sqlglot.optimizer.scope``) into a small plan: for each ``SELECT``, its sources
   (tables, CTEs, derived tables) and, for each output column, the columns it uses and
   how. Nothing here needs the upstream tables' columns.
2. ``derive(analysis, columns_of)`` resolves that plan (``lineage.resolve``) against
   the columns of the tables read (asked lazily: only ``*`` and unqualified names in a
   multi-table ``SELECT`` need them) and returns each output column's sources; a plan
   that needs no columns is resolved once, in step 1.

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

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from assets_core.lineage.plan import (
    DIRECT_SUBTYPES,
    INDIRECT_SUBTYPES,
    Output,
    Plan,
    Ref,
    SelectPlan,
    SetPlan,
    Source,
    Star,
    SubqueryRef,
    Use,
)
from assets_core.lineage.resolve import ColumnsOf, Derived, resolve

if TYPE_CHECKING:
    from sqlglot import exp
    from sqlglot.optimizer.scope import Scope

__all__ = [
    "DIRECT_SUBTYPES",
    "INDIRECT_SUBTYPES",
    "ColumnsOf",
    "Derived",
    "SqlAnalysis",
    "SqlLineageError",
    "analyze",
    "derive",
]


class SqlLineageError(Exception):
    """The query does not parse; ``str(error)`` is sqlglot's message."""


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
        return resolve(plan, columns_of)
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
    return resolve(analysis.plan, columns_of)
