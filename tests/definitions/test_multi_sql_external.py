"""``@multi_asset``, ``sql_asset`` (upstreams parsed with sqlglot) and
``external_asset``."""

from __future__ import annotations

from pathlib import Path

import pytest

from assets_core import (
    AssetOut,
    Definitions,
    asset,
    external_asset,
    load_definitions,
    multi_asset,
    sql_asset,
)
from assets_core.definitions.sql_asset import referenced_tables
from assets_core.errors import DefinitionError

LOCATIONS = Path(__file__).resolve().parents[1] / "fixtures" / "locations"


# -- multi_asset ---------------------------------------------------------------------


@multi_asset(
    outs={
        "orders": AssetOut(description="The orders."),
        "order_items": AssetOut(group="lines", tags={"tier": "silver"}),
    },
    key_prefix="raw",
    group="raw",
    code_version="2",
    owners=["team:platform"],
    tags={"tier": "bronze"},
)
def shop_export() -> tuple[list[int], list[int]]:
    """Both tables of the shop's export."""
    return [1], [1, 1]


def test_multi_asset_produces_one_spec_per_out() -> None:
    assert [str(k) for k in shop_export.keys] == ["raw/orders", "raw/order_items"]
    assert shop_export.output_names == ("orders", "order_items")
    assert shop_export.is_multi
    orders, items = shop_export.specs
    assert (orders.group, orders.description, dict(orders.tags)) == (
        "raw",
        "The orders.",
        {"tier": "bronze"},
    )
    assert (items.group, items.description, dict(items.tags)) == (
        "lines",
        "Both tables of the shop's export.",
        {"tier": "silver"},
    )
    assert {s.code_version for s in shop_export.specs} == {"2"}
    assert {s.owners for s in shop_export.specs} == {("team:platform",)}
    assert shop_export() == ([1], [1, 1])


def test_multi_asset_outputs_are_upstreams_by_name() -> None:
    @asset
    def items_per_order(orders: list[int], order_items: list[int]) -> float:
        return len(order_items) / len(orders)

    graph = Definitions(assets=[shop_export, items_per_order]).graph
    assert [str(k) for k in graph.get("items_per_order").parents] == [
        "raw/orders",
        "raw/order_items",
    ]
    assert graph.get("raw/orders").definition is graph.get("raw/order_items").definition


def test_multi_asset_key_of_a_multi_definition_is_an_error() -> None:
    with pytest.raises(DefinitionError) as info:
        shop_export.key  # noqa: B018
    assert info.tb is not None  # the user's line that asked for .key
    assert str(info.value) == (
        f"{__file__}:{info.tb.tb_lineno}: This multi_asset produces several keys (raw/orders, "
        "raw/order_items); use .keys."
    )


def test_multi_asset_needs_outs() -> None:
    def export() -> None:
        return None

    with pytest.raises(DefinitionError) as info:
        multi_asset(outs={})(export)
    line = export.__code__.co_firstlineno
    assert str(info.value) == f"{__file__}:{line}: @multi_asset export needs at least one out."


def test_multi_asset_outs_must_be_asset_outs() -> None:
    def export() -> None:
        return None

    with pytest.raises(DefinitionError) as info:
        multi_asset(outs={"orders": "raw/orders"})(export)  # type: ignore[dict-item]
    line = export.__code__.co_firstlineno
    assert str(info.value) == (
        f"{__file__}:{line}: @multi_asset export: outs['orders'] must be AssetOut(...)."
    )


# -- sql_asset -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "tables"),
    [
        ("SELECT * FROM orders", {"orders"}),
        (
            "SELECT o.id FROM orders AS o JOIN customers c ON c.id = o.customer_id",
            {"orders", "customers"},
        ),
        ("SELECT * FROM raw.orders", {"raw/orders"}),
        ("SELECT * FROM warehouse.raw.orders", {"warehouse/raw/orders"}),
        (
            "WITH recent AS (SELECT * FROM orders WHERE day > '2024-01-01') "
            "SELECT r.id FROM recent AS r",
            {"orders"},
        ),
        (
            "WITH a AS (SELECT * FROM orders), b AS (SELECT * FROM a JOIN refunds USING (id)) "
            "SELECT * FROM b",
            {"orders", "refunds"},
        ),
        ("SELECT * FROM (SELECT id FROM orders) AS sub", {"orders"}),
        ("SELECT * FROM orders WHERE id IN (SELECT order_id FROM refunds)", {"orders", "refunds"}),
        (
            "SELECT * FROM orders UNION ALL SELECT * FROM archived_orders",
            {"orders", "archived_orders"},
        ),
        ("SELECT * FROM read_parquet('x.parquet') JOIN orders USING (id)", {"orders"}),
        ("SELECT * FROM orders o1 JOIN orders o2 ON o1.parent_id = o2.id", {"orders"}),
    ],
    ids=[
        "plain",
        "aliases",
        "schema",
        "catalog",
        "cte",
        "chained-ctes",
        "subquery",
        "in-subquery",
        "union",
        "table-function",
        "self-join",
    ],
)
def test_referenced_tables(query: str, tables: set[str]) -> None:
    found = referenced_tables(query)
    assert set(found) == tables
    assert len(found) == len(tables)  # each table once, however often it is read


def test_sql_asset_upstreams_from_the_fixture_with_a_cte() -> None:
    graph = load_definitions(file=LOCATIONS / "sql_with_cte.py").graph
    node = graph.get("spend_by_customer")
    assert sorted(str(k) for k in node.parents) == ["customers", "raw/orders"]
    assert {t: str(k) for t, k in node.sql_tables.items()} == {
        "customers": "customers",
        "raw.orders": "raw/orders",
    }
    assert node.kind == "sql"
    assert "totals" not in graph.key_strings()


def test_sql_asset_options() -> None:
    revenue = sql_asset(
        "revenue",
        "SELECT day, sum(amount) AS revenue FROM daily_orders GROUP BY day",
        key_prefix="marts",
        group="marts",
        owners=["team:analytics"],
        tags={"tier": "gold"},
        code_version="1",
        io_manager="duckdb",
        description="Revenue per day.",
        deps=["raw/export_done"],
    )
    assert str(revenue.key) == "marts/revenue"
    assert revenue.kind == "sql"
    assert revenue.spec.group == "marts"
    assert revenue.spec.description == "Revenue per day."
    assert [(i.name, i.param) for i in revenue.inputs] == [
        ("daily_orders", None),
        ("raw/export_done", None),
    ]
    assert revenue.location is not None and revenue.location.file == __file__


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("   ", "sql_asset 'revenue' needs a non-empty SQL query."),
        (
            "SELECT 1 AS one",
            "sql_asset revenue reads no table; reference its upstream assets by name in "
            "FROM / JOIN.",
        ),
    ],
)
def test_bad_sql_asset(query: str, expected: str) -> None:
    import sys

    line = sys._getframe().f_lineno + 2
    with pytest.raises(DefinitionError) as info:
        sql_asset("revenue", query)
    assert str(info.value) == f"{__file__}:{line}: {expected}"


def test_sql_that_does_not_parse_names_the_location() -> None:
    with pytest.raises(DefinitionError) as info:
        sql_asset("revenue", "SELECT FROM WHERE (")
    assert info.tb is not None
    assert str(info.value).startswith(f"{__file__}:{info.tb.tb_lineno}: SQL does not parse: ")


def test_sql_partition_mappings_must_name_a_table_the_query_reads() -> None:
    from assets_core import TimeWindowMapping

    with pytest.raises(DefinitionError) as info:
        sql_asset(
            "revenue",
            "SELECT * FROM daily_orders",
            partition_mappings={"orders": TimeWindowMapping()},
        )
    assert str(info.value).endswith(
        "partition_mappings names ['orders'] which the query does not read (it reads "
        "['daily_orders'])."
    )


def test_sql_reading_an_unknown_table_suggests_a_close_match() -> None:
    @asset
    def daily_orders() -> list[int]:
        return [1]

    revenue = sql_asset("revenue", "SELECT * FROM daily_order")
    with pytest.raises(DefinitionError) as info:
        Definitions(assets=[daily_orders, revenue]).graph  # noqa: B018
    assert str(info.value) == (
        f"{revenue.location}: Asset revenue: dependency 'daily_order' does not name an "
        "upstream asset; no asset is called 'daily_order'. Did you mean 'daily_orders'? "
        "Define that asset, rename the parameter, or map it with ins={...: AssetIn('key')}."
    )


# -- external_asset ------------------------------------------------------------------


def test_external_asset_appears_in_lineage_and_is_never_planned() -> None:
    events = external_asset(
        "raw/events",
        group="raw",
        description="Events from the tracker.",
        owners=["team:platform"],
        io_manager="memory",
        columns={"event_id": "str"},
    )

    @asset
    def sessions(events: list[str]) -> int:
        return len(events)

    graph = Definitions(assets=[events, sessions]).graph
    node = graph.get("raw/events")
    assert node.is_external and node.kind == "external"
    assert dict(node.spec.columns) == {"event_id": "str"}
    assert graph.get("sessions").parents == (events.key,)
    with pytest.raises(DefinitionError) as info:
        events()
    assert info.value.problem == "raw/events is not a Python asset and cannot be called."

    from assets_core.execution.plan import build_plan

    plan = build_plan(graph, list(graph.toposorted))
    assert [s.id for s in plan.steps] == ["sessions"]


def test_external_asset_with_an_invalid_key() -> None:
    with pytest.raises(DefinitionError) as info:
        external_asset("raw/web events")
    assert info.tb is not None
    assert str(info.value).startswith(
        f"{__file__}:{info.tb.tb_lineno}: Invalid asset key 'raw/web events'"
    )


def test_definitions_rejects_what_is_not_an_asset() -> None:
    with pytest.raises(DefinitionError) as info:
        Definitions(assets=["orders"])  # type: ignore[list-item]
    assert info.tb is not None  # the user's line that made the Definitions
    assert str(info.value) == (
        f"{__file__}:{info.tb.tb_lineno}: Definitions(assets=...) holds 'orders', which is "
        "not an asset definition. Decorate functions with @asset or use sql_asset(...) / "
        "external_asset(...)."
    )


def test_definitions_rejects_an_unknown_default_io_manager() -> None:
    with pytest.raises(DefinitionError) as info:
        Definitions(default_io_manager="s3")
    assert info.tb is not None
    assert str(info.value) == (
        f"{__file__}:{info.tb.tb_lineno}: default_io_manager='s3' is not an IO manager; "
        "known: ['duckdb', 'fs', 'memory']. Register it in Definitions(io_managers={...})."
    )


def test_sql_asset_name_may_be_a_key_path() -> None:
    import pandas as pd

    from assets_core.testing import materialize_in_memory

    @asset(key="raw/items")
    def items() -> pd.DataFrame:
        return pd.DataFrame({"id": [1, 2, 3], "kind": ["story", "story", "ad"]})

    stories = sql_asset("snowflake/core/stories", "SELECT id FROM items WHERE kind = 'story'")
    prefixed = sql_asset("core/ads", "SELECT id FROM items WHERE kind = 'ad'", key_prefix="wh")
    assert str(stories.key) == "snowflake/core/stories"
    assert str(prefixed.key) == "wh/core/ads"
    count = sql_asset("story_count", "SELECT count(*) AS n FROM stories")
    result = materialize_in_memory([items, stories, prefixed, count], raise_on_error=True)
    assert result.output_for("snowflake/core/stories")["id"].to_pylist() == [1, 2]
    assert result.output_for("wh/core/ads")["id"].to_pylist() == [3]
    assert result.output_for("story_count")["n"].to_pylist() == [2]
    with pytest.raises(DefinitionError, match="snowflake/core/st ories"):
        sql_asset("snowflake/core/st ories", "SELECT id FROM items")
