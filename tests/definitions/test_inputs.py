"""How an asset's upstreams are found: parameters named like an upstream asset,
explicit ``ins={...: AssetIn(...)}``, ordering-only ``deps=[...]``, and ``context``."""

from __future__ import annotations

import pytest

from assets_core import AssetIn, AssetKey, DailyPartitions, Definitions, TimeWindowMapping, asset
from assets_core.errors import DefinitionError, UnknownAssetError


@asset(key_prefix="raw")
def orders() -> list[int]:
    return [1, 2]


@asset(key_prefix="raw")
def customers() -> list[str]:
    return ["ada"]


def parents(graph_defs: Definitions, name: str) -> list[str]:
    return [str(k) for k in graph_defs.graph.get(name).parents]


def test_parameter_named_like_an_upstream_by_its_last_component() -> None:
    @asset
    def report(orders: list[int], customers: list[str]) -> int:
        return len(orders) + len(customers)

    defs = Definitions(assets=[orders, customers, report])
    node = defs.graph.get("report")
    assert {p: str(k) for p, k in node.input_keys.items()} == {
        "orders": "raw/orders",
        "customers": "raw/customers",
    }
    assert parents(defs, "report") == ["raw/orders", "raw/customers"]


def test_parameter_named_by_the_full_key_path_wins_over_the_last_component() -> None:
    @asset(key="orders")
    def top_level_orders() -> list[int]:
        return [3]

    @asset
    def report(orders: list[int]) -> int:
        return len(orders)

    defs = Definitions(assets=[orders, top_level_orders, report])
    assert parents(defs, "report") == ["orders"]


def test_ins_names_the_upstream_explicitly() -> None:
    @asset(ins={"rows": AssetIn("raw/orders")})
    def report(rows: list[int]) -> int:
        return len(rows)

    defs = Definitions(assets=[orders, report])
    node = defs.graph.get("report")
    assert dict(node.input_keys) == {"rows": AssetKey.parse("raw/orders")}
    assert dict(node.mappings) == {AssetKey.parse("raw/orders"): None}


def test_ins_carries_a_partition_mapping() -> None:
    daily = DailyPartitions(start="2024-01-01", end="2024-02-01")
    window = TimeWindowMapping(start_offset=-6)

    @asset(partitions=daily)
    def sales() -> list[int]:
        return [1]

    @asset(partitions=daily, ins={"sales": AssetIn(partition_mapping=window)})
    def sales_7d(sales: list[int]) -> int:
        return sum(sales)

    node = Definitions(assets=[sales, sales_7d]).graph.get("sales_7d")
    assert dict(node.mappings) == {sales.key: window}


def test_ins_for_a_parameter_the_function_does_not_have() -> None:
    def report(orders: list[int]) -> int:
        return len(orders)

    with pytest.raises(DefinitionError) as info:
        asset(ins={"rows": AssetIn("raw/orders")})(report)
    line = report.__code__.co_firstlineno
    assert str(info.value) == (
        f"{__file__}:{line}: Asset report: ins= names ['rows'] but the function has no "
        "such parameter. Add the parameter or remove it from ins=."
    )


def test_ins_naming_an_unknown_key() -> None:
    @asset(ins={"rows": AssetIn("raw/order")})
    def report(rows: list[int]) -> int:
        return len(rows)

    with pytest.raises(UnknownAssetError) as info:
        Definitions(assets=[orders, report]).graph  # noqa: B018
    line = report.fn.__code__.co_firstlineno
    assert str(info.value) == (
        f"{__file__}:{line}: Asset report: parameter 'rows' names unknown upstream asset "
        "'raw/order'. Did you mean 'raw/orders'? Define that asset or fix the key."
    )


def test_deps_order_without_passing_a_value() -> None:
    @asset(deps=["customers", "raw/orders", orders])
    def export_done(context: object) -> bool:
        return True

    defs = Definitions(assets=[orders, customers, export_done])
    node = defs.graph.get("export_done")
    assert dict(node.input_keys) == {}
    assert parents(defs, "export_done") == ["raw/customers", "raw/orders"]
    assert export_done.takes_context


def test_deps_on_an_unknown_asset_suggests_a_close_match() -> None:
    @asset(deps=["raw/customer"])
    def export_done() -> bool:
        return True

    with pytest.raises(UnknownAssetError) as info:
        Definitions(assets=[customers, export_done]).graph  # noqa: B018
    assert (
        "dependency 'raw/customer' names unknown upstream asset 'raw/customer'. Did you "
        "mean 'raw/customers'?" in str(info.value)
    )


def test_invalid_dep_key() -> None:
    def export_done() -> bool:
        return True

    with pytest.raises(DefinitionError) as info:
        asset(deps=["raw/bad key"])(export_done)
    assert str(info.value).startswith(
        f"{__file__}:{export_done.__code__.co_firstlineno}: Invalid asset key 'raw/bad key'"
    )


def test_context_is_not_an_input() -> None:
    @asset
    def report(context: object, orders: list[int]) -> int:
        return len(orders)

    assert report.takes_context
    assert [i.param for i in report.inputs] == ["orders"]
