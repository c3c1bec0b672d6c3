"""Column lineage of SQL queries (SPEC §11): each shape with its DIRECT and INDIRECT
sources worked out by hand, and each query run in DuckDB over empty tables, so the
shapes are valid DuckDB and the derived column names are the ones DuckDB yields."""

from __future__ import annotations

import pyarrow as pa
import pytest

from assets_core.execution.sql import run_sql
from assets_core.lineage.sql import SqlLineageError, analyze, derive

TABLES = {
    "orders": ["id", "customer_id", "day", "amount", "status"],
    "customers": ["id", "name", "region_id"],
    "regions": ["id", "country"],
    "sales.refunds": ["order_id", "amount"],
}

#: every output column: (DIRECT sources, INDIRECT sources), "table.column:SUBTYPE"
Expected = dict[str, tuple[str, str]]

JOIN_3 = "orders.customer_id:JOIN customers.id:JOIN customers.region_id:JOIN regions.id:JOIN"
CORRELATED = (
    "orders.amount:FILTER orders.customer_id:FILTER customers.id:FILTER customers.region_id:FILTER"
)

SHAPES: list[tuple[str, str, Expected]] = [
    (
        "group by (the SPEC example)",
        "SELECT day, sum(amount) AS revenue FROM orders WHERE status = 'paid' GROUP BY day",
        {
            "day": ("orders.day:IDENTITY", "orders.status:FILTER orders.day:GROUP_BY"),
            "revenue": ("orders.amount:AGGREGATION", "orders.status:FILTER orders.day:GROUP_BY"),
        },
    ),
    (
        "three joins with aliases",
        "SELECT o.id, c.name, r.country, o.amount FROM orders AS o "
        "JOIN customers AS c ON o.customer_id = c.id LEFT JOIN regions r ON c.region_id = r.id",
        {
            "id": ("orders.id:IDENTITY", JOIN_3),
            "name": ("customers.name:IDENTITY", JOIN_3),
            "country": ("regions.country:IDENTITY", JOIN_3),
            "amount": ("orders.amount:IDENTITY", JOIN_3),
        },
    ),
    (
        "three joins without aliases, unqualified columns found by schema",
        "SELECT orders.id, name, country FROM orders "
        "JOIN customers ON orders.customer_id = customers.id "
        "JOIN regions ON region_id = regions.id",
        {
            "id": ("orders.id:IDENTITY", JOIN_3),
            "name": ("customers.name:IDENTITY", JOIN_3),
            "country": ("regions.country:IDENTITY", JOIN_3),
        },
    ),
    (
        "comma join",
        "SELECT o.day, c.name FROM orders o, customers c "
        "WHERE o.customer_id = c.id AND o.amount > 0",
        {
            "day": (
                "orders.day:IDENTITY",
                "orders.customer_id:FILTER customers.id:FILTER orders.amount:FILTER",
            ),
            "name": (
                "customers.name:IDENTITY",
                "orders.customer_id:FILTER customers.id:FILTER orders.amount:FILTER",
            ),
        },
    ),
    (
        "CTE",
        "WITH big AS (SELECT customer_id, amount FROM orders WHERE amount > 100) "
        "SELECT c.name, sum(b.amount) AS total FROM big b "
        "JOIN customers c ON b.customer_id = c.id GROUP BY c.name",
        {
            "name": (
                "customers.name:IDENTITY",
                "orders.amount:FILTER orders.customer_id:JOIN customers.id:JOIN "
                "customers.name:GROUP_BY",
            ),
            "total": (
                "orders.amount:AGGREGATION",
                "orders.amount:FILTER orders.customer_id:JOIN customers.id:JOIN "
                "customers.name:GROUP_BY",
            ),
        },
    ),
    (
        "CTE named like the table it reads",
        "WITH orders AS (SELECT * FROM orders WHERE status = 'paid') "
        "SELECT day, amount FROM orders",
        {
            "day": ("orders.day:IDENTITY", "orders.status:FILTER"),
            "amount": ("orders.amount:IDENTITY", "orders.status:FILTER"),
        },
    ),
    (
        "subquery in FROM",
        "SELECT t.day, t.total * 2 AS doubled FROM "
        "(SELECT day, sum(amount) AS total FROM orders GROUP BY day) AS t WHERE t.total > 10",
        {
            "day": ("orders.day:IDENTITY", "orders.day:GROUP_BY orders.amount:FILTER"),
            "doubled": ("orders.amount:AGGREGATION", "orders.day:GROUP_BY orders.amount:FILTER"),
        },
    ),
    (
        "correlated subqueries in WHERE",
        "SELECT o.id, o.amount FROM orders o "
        "WHERE o.amount > (SELECT avg(i.amount) FROM orders i WHERE i.customer_id = o.customer_id) "
        "AND EXISTS (SELECT 1 FROM customers c WHERE c.id = o.customer_id AND c.region_id = 1)",
        {
            "id": ("orders.id:IDENTITY", CORRELATED),
            "amount": ("orders.amount:IDENTITY", CORRELATED),
        },
    ),
    (
        "scalar subquery in the SELECT list",
        "SELECT c.name, (SELECT sum(o.amount) FROM orders o WHERE o.customer_id = c.id) AS spent "
        "FROM customers c",
        {
            "name": ("customers.name:IDENTITY", ""),
            "spent": ("orders.amount:AGGREGATION", "orders.customer_id:FILTER customers.id:FILTER"),
        },
    ),
    (
        "UNION ALL, a table in a schema, ORDER BY position",
        "SELECT id, amount FROM orders UNION ALL "
        "SELECT order_id, -amount FROM sales.refunds ORDER BY 2",
        {
            "id": (
                "orders.id:IDENTITY sales.refunds.order_id:IDENTITY",
                "orders.amount:SORT sales.refunds.amount:SORT",
            ),
            "amount": (
                "orders.amount:IDENTITY sales.refunds.amount:TRANSFORMATION",
                "orders.amount:SORT sales.refunds.amount:SORT",
            ),
        },
    ),
    (
        "window functions",
        "SELECT id, rank() OVER (PARTITION BY customer_id ORDER BY amount DESC) AS rnk, "
        "sum(amount) OVER (PARTITION BY customer_id) AS customer_total, "
        "lag(amount) OVER (ORDER BY day) AS previous FROM orders",
        {
            "id": ("orders.id:IDENTITY", ""),
            "rnk": ("", "orders.customer_id:WINDOW orders.amount:WINDOW"),
            "customer_total": ("orders.amount:AGGREGATION", "orders.customer_id:WINDOW"),
            "previous": ("orders.amount:TRANSFORMATION", "orders.day:WINDOW"),
        },
    ),
    (
        "CASE",
        "SELECT id, CASE WHEN status = 'paid' THEN amount WHEN status = 'refunded' THEN -amount "
        "ELSE 0 END AS net FROM orders",
        {
            "id": ("orders.id:IDENTITY", ""),
            "net": ("orders.amount:TRANSFORMATION", "orders.status:CONDITIONAL"),
        },
    ),
    (
        "COALESCE and CAST",
        "SELECT CAST(day AS DATE) AS day, coalesce(amount, 0) AS amount, "
        "coalesce(c.name, o.status) AS label "
        "FROM orders o LEFT JOIN customers c ON c.id = o.customer_id",
        {
            "day": ("orders.day:TRANSFORMATION", "customers.id:JOIN orders.customer_id:JOIN"),
            "amount": ("orders.amount:TRANSFORMATION", "customers.id:JOIN orders.customer_id:JOIN"),
            "label": (
                "customers.name:TRANSFORMATION orders.status:TRANSFORMATION",
                "customers.id:JOIN orders.customer_id:JOIN",
            ),
        },
    ),
    (
        "GROUP BY ordinals",
        "SELECT customer_id, day, count(*) AS n, max(amount) AS largest FROM orders "
        "GROUP BY 1, 2 ORDER BY 3 DESC",
        {
            "customer_id": (
                "orders.customer_id:IDENTITY",
                "orders.customer_id:GROUP_BY orders.day:GROUP_BY",
            ),
            "day": ("orders.day:IDENTITY", "orders.customer_id:GROUP_BY orders.day:GROUP_BY"),
            "n": ("", "orders.customer_id:GROUP_BY orders.day:GROUP_BY"),
            "largest": (
                "orders.amount:AGGREGATION",
                "orders.customer_id:GROUP_BY orders.day:GROUP_BY",
            ),
        },
    ),
    (
        "aliases that shadow source names (WHERE reads the source, ORDER BY the alias)",
        "SELECT amount * 100 AS amount, upper(status) AS day FROM orders "
        "WHERE amount > 0 ORDER BY day",
        {
            "amount": ("orders.amount:TRANSFORMATION", "orders.amount:FILTER orders.status:SORT"),
            "day": ("orders.status:TRANSFORMATION", "orders.amount:FILTER orders.status:SORT"),
        },
    ),
    (
        "an alias used by a later column",
        "SELECT amount * 2 AS doubled, doubled + 1 AS plus_one FROM orders",
        {
            "doubled": ("orders.amount:TRANSFORMATION", ""),
            "plus_one": ("orders.amount:TRANSFORMATION", ""),
        },
    ),
    (
        "t.* with EXCLUDE, and a column of another table",
        "SELECT o.* EXCLUDE (status, day), c.name FROM orders o "
        "JOIN customers c ON o.customer_id = c.id",
        {
            "id": ("orders.id:IDENTITY", "orders.customer_id:JOIN customers.id:JOIN"),
            "customer_id": (
                "orders.customer_id:IDENTITY",
                "orders.customer_id:JOIN customers.id:JOIN",
            ),
            "amount": ("orders.amount:IDENTITY", "orders.customer_id:JOIN customers.id:JOIN"),
            "name": ("customers.name:IDENTITY", "orders.customer_id:JOIN customers.id:JOIN"),
        },
    ),
    (
        "JOIN USING and *",
        "SELECT * FROM customers JOIN regions USING (id)",
        {
            "id": ("customers.id:IDENTITY", "customers.id:JOIN regions.id:JOIN"),
            "name": ("customers.name:IDENTITY", "customers.id:JOIN regions.id:JOIN"),
            "region_id": ("customers.region_id:IDENTITY", "customers.id:JOIN regions.id:JOIN"),
            "country": ("regions.country:IDENTITY", "customers.id:JOIN regions.id:JOIN"),
        },
    ),
    (
        "HAVING, QUALIFY and an aggregate FILTER",
        "SELECT customer_id, count(*) FILTER (WHERE status = 'paid') AS paid FROM orders "
        "GROUP BY customer_id HAVING sum(amount) > 10",
        {
            "customer_id": (
                "orders.customer_id:IDENTITY",
                "orders.customer_id:GROUP_BY orders.amount:FILTER",
            ),
            "paid": ("", "orders.status:FILTER orders.customer_id:GROUP_BY orders.amount:FILTER"),
        },
    ),
]


def _columns_of(table: str) -> list[str] | None:
    return TABLES.get(table)


def _sources(text: str) -> set[tuple[str, str, str]]:
    out = set()
    for item in text.split():
        ref, _, subtype = item.partition(":")
        table, _, column = ref.rpartition(".")
        out.add((table, column, subtype))
    return out


@pytest.mark.parametrize(("query", "expected"), [s[1:] for s in SHAPES], ids=[s[0] for s in SHAPES])
def test_sql_shape_lineage(query: str, expected: Expected) -> None:
    derived = derive(analyze(query), _columns_of)
    assert derived.complete
    assert list(derived.columns) == list(expected)
    for column, direct, indirect in zip(
        derived.columns, derived.direct, derived.indirect, strict=True
    ):
        want_direct, want_indirect = expected[column]
        assert set(direct) == _sources(want_direct), f"DIRECT sources of {column}"
        assert set(indirect) == _sources(want_indirect), f"INDIRECT sources of {column}"


@pytest.mark.parametrize(("query", "expected"), [s[1:] for s in SHAPES], ids=[s[0] for s in SHAPES])
def test_sql_shape_runs_in_duckdb_with_the_derived_columns(query: str, expected: Expected) -> None:
    tables = {
        name: pa.table({c: pa.array([], pa.string()) for c in cols})
        for name, cols in TABLES.items()
    }
    # every column is a string here: cast what the query computes on
    typed = {
        name: table.cast(
            pa.schema(
                pa.field(
                    f.name,
                    pa.float64()
                    if f.name in ("amount", "id", "customer_id", "region_id", "order_id")
                    else pa.string(),
                )
                for f in table.schema
            )
        )
        for name, table in tables.items()
    }
    result = run_sql(query, typed)
    assert result.column_names == list(expected)


def test_the_tables_a_query_reads() -> None:
    analysis = analyze(
        "WITH orders AS (SELECT * FROM orders), x AS (SELECT * FROM sales.refunds) "
        "SELECT * FROM orders JOIN x ON x.order_id = orders.id "
        "WHERE EXISTS (SELECT 1 FROM customers) AND id IN (SELECT id FROM read_parquet('f'))"
    )
    assert analysis.tables == ("orders", "sales.refunds", "customers")


def test_star_over_a_table_of_unknown_columns_is_incomplete() -> None:
    derived = derive(analyze("SELECT *, o.id AS oid FROM orders o"), lambda table: None)
    assert not derived.complete
    assert derived.columns == ("oid",)
    assert derived.direct == ((("orders", "id", "IDENTITY"),),)


def test_columns_are_asked_only_when_needed() -> None:
    asked: list[str] = []

    def columns_of(table: str) -> list[str] | None:
        asked.append(table)
        return TABLES.get(table)

    derive(analyze("SELECT o.id, c.name FROM orders o JOIN customers c ON o.id = c.id"), columns_of)
    assert asked == []
    derive(analyze("SELECT name FROM orders o JOIN customers c ON o.id = c.id"), columns_of)
    assert asked == ["orders", "customers"]


def test_a_query_that_does_not_parse() -> None:
    with pytest.raises(SqlLineageError):
        analyze("SELECT FROM WHERE (")


def test_lineage_that_needs_no_columns_is_resolved_when_analysed() -> None:
    qualified = analyze("SELECT o.id, c.name FROM orders o JOIN customers c ON o.id = c.id")
    assert qualified.static is not None
    assert derive(qualified, lambda table: None) == qualified.static
    assert qualified.static.direct == (
        (("orders", "id", "IDENTITY"),),
        (("customers", "name", "IDENTITY"),),
    )
    assert analyze("SELECT day, sum(amount) AS s FROM orders GROUP BY day").static is not None
    assert analyze("SELECT * FROM orders").static is None
    assert analyze("SELECT name FROM orders o JOIN customers c ON o.id = c.id").static is None
