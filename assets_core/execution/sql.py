"""Running a ``sql_asset``'s query in DuckDB (SPEC §1); its column lineage is
derived in ``assets_core.lineage.sql``.

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
