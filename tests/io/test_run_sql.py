"""Running sql_asset queries in DuckDB (their lineage: tests/lineage/)."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pytest

from assets_core.errors import UserCodeError
from assets_core.execution.sql import run_sql

ORDERS = pd.DataFrame(
    {
        "day": ["2024-01-01", "2024-01-01", "2024-01-02"],
        "amount": [10.0, 5.0, 2.5],
        "customer_id": [1, 2, 1],
    }
)
CUSTOMERS = pa.table({"id": [1, 2], "name": ["ann", "bob"]})


def test_join_of_pandas_and_arrow_inputs_returns_arrow():
    result = run_sql(
        "SELECT c.name, sum(o.amount) AS total FROM orders o JOIN customers c "
        "ON o.customer_id = c.id GROUP BY c.name ORDER BY c.name",
        {"orders": ORDERS, "customers": CUSTOMERS},
    )
    assert isinstance(result, pa.Table)
    assert result.to_pylist() == [{"name": "ann", "total": 12.5}, {"name": "bob", "total": 5.0}]


@pytest.mark.parametrize("name", ["sales/orders", "sales.orders"])
def test_qualified_names_become_schemas(name):
    result = run_sql("SELECT count(*) AS n FROM sales.orders", {name: ORDERS})
    assert result.to_pylist() == [{"n": 3}]


def test_three_part_names_and_mixed_depths():
    result = run_sql(
        "SELECT count(*) AS n FROM raw.shop.orders o JOIN customers c ON o.customer_id = c.id",
        {"raw/shop/orders": ORDERS, "customers": CUSTOMERS},
    )
    assert result.to_pylist() == [{"n": 3}]


def test_partition_dicts_are_concatenated():
    parts = {"2024-01-01": ORDERS.iloc[:2], "2024-01-02": pa.Table.from_pandas(ORDERS.iloc[2:])}
    result = run_sql("SELECT sum(amount) AS s, count(*) AS n FROM orders", {"orders": parts})
    assert result.to_pylist() == [{"s": 17.5, "n": 3}]


def test_a_named_index_is_visible_as_a_column():
    indexed = ORDERS.set_index("day")
    result = run_sql("SELECT DISTINCT day FROM orders ORDER BY day", {"orders": indexed})
    assert result.column("day").to_pylist() == ["2024-01-01", "2024-01-02"]


def test_pandas_strings_reach_duckdb_as_text():
    df = pd.DataFrame({"s": pd.array(["a", None, "c"], dtype="str")})
    result = run_sql("SELECT count(s) AS n, max(s) AS m FROM t", {"t": df})
    assert result.to_pylist() == [{"n": 2, "m": "c"}]


def test_sql_error_has_duckdb_message_tables_and_query():
    query = "SELECT nope FROM orders"
    with pytest.raises(UserCodeError) as err:
        run_sql(query, {"orders": ORDERS})
    message = str(err.value)
    assert 'Referenced column "nope" not found' in message
    assert "Tables available: orders." in message
    assert message.endswith(f"Query:\n{query}")


def test_unknown_table_error_lists_what_is_there():
    with pytest.raises(UserCodeError, match=r"(?s)Catalog Error.*ordres.*Tables available: orders"):
        run_sql("SELECT * FROM ordres", {"orders": ORDERS})


def test_non_table_inputs_and_non_select_queries_are_clear_errors():
    with pytest.raises(UserCodeError, match="'orders' is a list; SQL assets read DataFrames"):
        run_sql("SELECT 1", {"orders": [1, 2]})
    with pytest.raises(UserCodeError, match="'orders' is a dict"):
        run_sql("SELECT 1", {"orders": {"p": {"not": "a frame"}}})
    with pytest.raises(UserCodeError, match="no partitions"):
        run_sql("SELECT 1", {"orders": {}})
    with pytest.raises(UserCodeError, match=r"last statement is CREATE.*must end with a SELECT"):
        run_sql("CREATE TABLE x AS SELECT 1", {})
    with pytest.raises(UserCodeError, match="last statement is nothing"):
        run_sql("  ", {})


def test_earlier_statements_run_first_and_pivot_works():
    result = run_sql(
        "CREATE TEMP TABLE big AS SELECT * FROM orders WHERE amount > 3; "
        "PIVOT big ON day USING sum(amount)",
        {"orders": ORDERS},
    )
    assert sorted(result.column_names) == ["2024-01-01", "customer_id"]
