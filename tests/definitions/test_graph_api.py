"""The asset graph's read-only interface: lookup, edges, topological order, levels,
upstream/downstream at a depth, groups — on a small fixed graph and on random DAGs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assets_core import AssetKey, Definitions, asset, external_asset, sql_asset
from assets_core.errors import UnknownAssetError
from assets_core.graph.asset_graph import AssetGraph

#   raw/orders ──► stg_orders ──┬──► revenue (sql) ──► dashboard
#   raw/customers ──────────────┴──► ltv ─────────────┘
#   raw/events (external)


@asset(key_prefix="raw", group="raw")
def orders() -> list[int]:
    return [1]


@asset(key_prefix="raw", group="raw")
def customers() -> list[int]:
    return [1]


events = external_asset("raw/events", group="raw")


@asset(key_prefix="staging", group="staging")
def stg_orders(orders: list[int]) -> list[int]:
    return orders


revenue = sql_asset("revenue", "SELECT * FROM stg_orders", group="marts")


@asset(group="marts")
def ltv(stg_orders: list[int], customers: list[int]) -> int:
    return len(stg_orders)


@asset(group="marts")
def dashboard(revenue: Any, ltv: int) -> str:
    return "ok"


@pytest.fixture
def graph() -> AssetGraph:
    # Listed out of dependency order on purpose: order comes from the edges.
    return Definitions(
        assets=[dashboard, ltv, revenue, stg_orders, events, customers, orders]
    ).graph


def names(keys: Any) -> list[str]:
    return sorted(str(k) for k in keys)


def test_lookup_by_key_path_or_unique_name(graph: AssetGraph) -> None:
    assert graph.get("stg_orders") is graph.get("staging/stg_orders")
    assert graph.get(AssetKey.parse("raw/orders")).key == orders.key
    assert graph.find("nope") is None
    assert graph.resolve("ltv") == ltv.key
    assert len(graph) == 7
    assert AssetKey.parse("raw/events") in graph


def test_unknown_name_suggests_close_matches(graph: AssetGraph) -> None:
    with pytest.raises(UnknownAssetError) as info:
        graph.resolve("stg_order")
    assert str(info.value) == "Unknown asset 'stg_order'. Did you mean 'staging/stg_orders'?"


def test_ambiguous_name_asks_for_the_full_key() -> None:
    @asset(key="web/orders")
    def web_orders() -> list[int]:
        return [2]

    graph = Definitions(assets=[orders, web_orders]).graph
    with pytest.raises(UnknownAssetError) as info:
        graph.resolve("orders")
    assert str(info.value) == (
        "Asset name 'orders' is ambiguous: it matches raw/orders, web/orders. Use the full key."
    )


def test_edges(graph: AssetGraph) -> None:
    key = AssetKey.parse
    assert names(graph.parents(ltv.key)) == [
        "raw/customers",
        "staging/stg_orders",
    ]
    assert names(graph.children(key("staging/stg_orders"))) == ["ltv", "revenue"]
    assert graph.children(dashboard.key) == ()
    assert graph.parents(events.key) == ()


def test_toposorted_puts_parents_first(graph: AssetGraph) -> None:
    order = [str(k) for k in graph.toposorted]
    for key in graph.toposorted:
        for parent in graph.parents(key):
            assert order.index(str(parent)) < order.index(str(key))
    assert order[-1] == "dashboard"
    assert list(graph) == list(graph.toposorted)
    assert [str(k) for k in graph.sorted([dashboard.key, orders.key])] == [
        "raw/orders",
        "dashboard",
    ]


def test_levels(graph: AssetGraph) -> None:
    assert [names(level) for level in graph.levels] == [
        ["raw/customers", "raw/events", "raw/orders"],
        ["staging/stg_orders"],
        ["ltv", "revenue"],
        ["dashboard"],
    ]


def test_upstream_and_downstream_at_a_depth(graph: AssetGraph) -> None:
    assert names(graph.upstream([dashboard.key], depth=1)) == ["ltv", "revenue"]
    assert names(graph.upstream([dashboard.key], depth=2)) == [
        "ltv",
        "raw/customers",
        "revenue",
        "staging/stg_orders",
    ]
    assert names(graph.upstream([dashboard.key])) == [
        "ltv",
        "raw/customers",
        "raw/orders",
        "revenue",
        "staging/stg_orders",
    ]
    assert names(graph.downstream([orders.key], depth=1)) == ["staging/stg_orders"]
    assert names(graph.downstream([orders.key])) == [
        "dashboard",
        "ltv",
        "revenue",
        "staging/stg_orders",
    ]
    assert graph.downstream([dashboard.key]) == set()


def test_depths_are_shortest_distances(graph: AssetGraph) -> None:
    depths = graph.depths(orders.key, "downstream")
    assert {str(k): d for k, d in depths.items()} == {
        "raw/orders": 0,
        "staging/stg_orders": 1,
        "revenue": 2,
        "ltv": 2,
        "dashboard": 3,
    }
    up = graph.depths(dashboard.key, "upstream", depth=1)
    assert {str(k): d for k, d in up.items()} == {"dashboard": 0, "revenue": 1, "ltv": 1}


def test_groups_kinds_and_nodes(graph: AssetGraph) -> None:
    assert {g: names(ks) for g, ks in graph.groups.items()} == {
        "marts": ["dashboard", "ltv", "revenue"],
        "raw": ["raw/customers", "raw/events", "raw/orders"],
        "staging": ["staging/stg_orders"],
    }
    kinds = {str(k): n.kind for k, n in graph.nodes.items()}
    assert kinds["revenue"] == "sql"
    assert kinds["raw/events"] == "external"
    assert kinds["ltv"] == "python"


def test_graph_is_read_only(graph: AssetGraph) -> None:
    with pytest.raises(TypeError):
        graph.nodes[orders.key] = graph.get("ltv")  # type: ignore[index]


# -- random DAGs ---------------------------------------------------------------------


@st.composite
def dags(draw: Callable[..., Any]) -> Definitions:
    """Definitions of a random DAG: asset i may read any asset j < i."""
    n = draw(st.integers(min_value=1, max_value=25))
    definitions = []
    for i in range(n):
        ups = draw(st.lists(st.integers(min_value=0, max_value=max(i - 1, 0)), max_size=3))
        deps = sorted({f"n{j}" for j in ups if j < i})
        definitions.append(asset(key=f"n{i}", deps=deps)(lambda: None))
    order = draw(st.permutations(definitions))
    return Definitions(assets=order)


@settings(max_examples=60, deadline=None)
@given(dags())
def test_random_dag_order_levels_and_reachability(defs: Definitions) -> None:
    graph = defs.graph
    order = {k: i for i, k in enumerate(graph.toposorted)}
    assert len(order) == len(graph)
    level_of = {k: lv for lv, keys in enumerate(graph.levels) for k in keys}
    for key in graph.toposorted:
        parents = graph.parents(key)
        assert all(order[p] < order[key] for p in parents)
        assert level_of[key] == (1 + max(level_of[p] for p in parents) if parents else 0)
        assert set(graph.upstream([key], depth=1)) == set(parents)
        for p in parents:
            assert key in graph.children(p)
        ancestors = graph.upstream([key])
        assert all(key in graph.downstream([a]) for a in ancestors)
        assert key not in ancestors
