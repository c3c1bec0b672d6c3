"""Running a ``sql_asset``'s query in DuckDB, and deriving its column lineage (SPEC §1,
§11).

Each input is visible to the query under its name: ``orders``, or ``sales.orders``
for ``sales/orders`` (a schema is created), or ``raw.sales.orders`` for three
components (an in-memory catalog is attached). Inputs are registered as Arrow tables,
so DuckDB scans them without copying.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from assets_core.errors import UserCodeError
from assets_core.io.base import concat_tables, flat_arrow, table_kind

_DEFAULT_CATALOG = "memory"
_DEFAULT_SCHEMA = "main"
_RESULT_STATEMENTS = {"SELECT", "MULTI", "EXPLAIN"}  # MULTI: PIVOT expands to several


def table_path(name: str) -> tuple[str, ...]:
    """The dotted parts of an input name: ``sales/orders`` and ``sales.orders`` are
    ``("sales", "orders")``."""
    parts = tuple(p for p in name.replace("/", ".").split("."))
    if not 1 <= len(parts) <= 3 or not all(parts):
        raise UserCodeError(
            f"SQL input name {name!r} must be 'table', 'schema.table' or "
            "'catalog.schema.table' (an asset key of one to three components)."
        )
    return parts


def sql_input_table(name: str, value: Any, *, partitions: bool = True) -> Any:
    """An input value as an Arrow table: a DataFrame (its index kept as columns unless a
    RangeIndex), an Arrow table, or a dict ``{partition: table}`` concatenated."""
    if partitions and isinstance(value, Mapping):
        if not value:
            raise UserCodeError(
                f"SQL input {name!r} has no partitions to read; materialize some first."
            )
        return concat_tables([sql_input_table(name, v, partitions=False) for v in value.values()])
    if table_kind(value) is not None:
        return flat_arrow(value)
    raise UserCodeError(
        f"SQL input {name!r} is a {type(value).__name__}; SQL assets read DataFrames or "
        "Arrow tables. Store that upstream asset as a table (or read it from a Python asset)."
    )


def run_sql(query: str, tables: Mapping[str, Any]) -> Any:
    """Run ``query`` in a fresh in-memory DuckDB where each of ``tables`` is visible
    under its name; return the result as a ``pyarrow.Table``.

    Args:
        query: A DuckDB SELECT (earlier statements in the string run first).
        tables: Input name (``orders``, ``sales.orders`` or ``sales/orders``) to a pandas
            DataFrame, an Arrow table, or a dict of partition to frame (concatenated).

    Raises:
        UserCodeError: The query fails (DuckDB's message, the tables visible and the
            query are in the message) or returns no rows relation.
    """
    import duckdb

    con = duckdb.connect(":memory:")
    try:
        _register_inputs(con, tables)
        try:
            statements = con.extract_statements(query)
            last = statements[-1].type.name if statements else "nothing"
            relation = con.sql(query) if last in _RESULT_STATEMENTS else None
            if relation is None:
                raise UserCodeError(
                    f"The SQL query's last statement is {last}, which returns no table; a "
                    f"sql_asset's query must end with a SELECT.\n\nQuery:\n{query.strip()}"
                )
            return relation.to_arrow_table()
        except duckdb.Error as e:
            visible = ", ".join(sorted(tables)) or "none"
            raise UserCodeError(
                f"The SQL query failed: {type(e).__name__}: {e}\n"
                f"Tables available: {visible}.\n\nQuery:\n{query.strip()}"
            ) from None
    finally:
        con.close()


def _register_inputs(con: Any, tables: Mapping[str, Any]) -> None:
    attached: set[str] = set()
    for i, (name, value) in enumerate(tables.items()):
        table = sql_input_table(name, value)
        parts = table_path(name)
        if len(parts) == 1:
            con.register(parts[0], table)
            continue
        internal = f"__assetline_input_{i}"
        con.register(internal, table)
        if len(parts) == 3 and parts[0] not in attached:
            if parts[0] != _DEFAULT_CATALOG:
                con.execute(f"ATTACH ':memory:' AS {_q(parts[0])}")
            attached.add(parts[0])
        schema = ".".join(_q(p) for p in parts[:-1])
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
        con.execute(f"CREATE VIEW {schema}.{_q(parts[-1])} AS SELECT * FROM {internal}")


def _q(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def sql_column_lineage(
    query: str, tables: Mapping[str, list[str]]
) -> dict[str, list[tuple[str, str]]]:
    """Which input columns each output column of ``query`` is derived from.

    Args:
        query: The DuckDB query of a sql_asset.
        tables: Input name (as in ``run_sql``) to its column names.

    Returns:
        ``{output_column: [(input_name, input_column), ...]}`` in query order; an output
        computed from no column (a literal, ``count(*)``) maps to ``[]``.

    Raises:
        UserCodeError: The query does not parse or names unknown columns.
    """
    import sqlglot
    from sqlglot import exp
    from sqlglot.lineage import lineage
    from sqlglot.optimizer.qualify import qualify

    paths = {name: table_path(name) for name in tables}
    depth = max((len(p) for p in paths.values()), default=1)
    defaults = (_DEFAULT_CATALOG, _DEFAULT_SCHEMA)[3 - max(depth, 2) :]
    schema: dict[str, Any] = {}
    by_path: dict[tuple[str, ...], str] = {}
    for name, path in paths.items():
        full = (*defaults[: depth - len(path)], *path) if depth > 1 else path
        full = tuple(p.lower() for p in full)
        by_path[full] = name
        level = schema
        for part in full[:-1]:
            level = level.setdefault(part, {})
        level[full[-1]] = {c: "VARCHAR" for c in tables[name]}
    try:
        tree = sqlglot.parse_one(query, read="duckdb")
        qualified = qualify(
            tree,
            schema=schema,
            dialect="duckdb",
            db=defaults[-1] if depth > 1 else None,
            catalog=defaults[0] if depth > 2 else None,
            validate_qualify_columns=False,
        )
    except sqlglot.errors.SqlglotError as e:
        raise UserCodeError(f"Cannot derive column lineage: {e}\n\nQuery:\n{query}") from None
    if not isinstance(qualified, exp.Query):
        return {}
    result: dict[str, list[tuple[str, str]]] = {}
    for select in qualified.selects:
        column = select.alias_or_name
        try:
            root = lineage(column, qualified, schema=schema, dialect="duckdb")
        except sqlglot.errors.SqlglotError:
            result[column] = []
            continue
        sources: dict[tuple[str, str], None] = {}
        for node in root.walk():
            if node.downstream or not isinstance(node.expression, exp.Table):
                continue
            table = node.expression
            path = tuple(p.lower() for p in (table.catalog, table.db, table.name) if p)
            source = by_path.get(path) or by_path.get(path[-depth:])
            if source is not None:
                sources[(source, node.name.rsplit(".", 1)[-1].strip('"'))] = None
        result[column] = list(sources)
    return result
