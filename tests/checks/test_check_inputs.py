"""Checks that read other assets: ``@asset_check(additional_ins=...)`` and the
``relationships`` built-in — ordered after both assets whatever the order of the
``Definitions`` list, in runs and in ``assetline check``, with definition errors for
what cannot work."""

from __future__ import annotations

import pandas as pd
import pytest

from assets_core import AssetIn, CheckResult, Definitions, asset, asset_check
from assets_core.catalog.catalog import Catalog
from assets_core.checks import relationships
from assets_core.checks.standalone import run_checks
from assets_core.errors import CycleError, DefinitionError, UnknownAssetError
from assets_core.execution.run import materialize


def shop(customer_ids: list[int]) -> tuple[object, object, object]:
    @asset(key="shop/orders")
    def orders() -> pd.DataFrame:
        return pd.DataFrame({"order_id": [1, 2, 3, 4], "customer_id": [10, 11, 99, 99]})

    @asset(key="shop/customers")
    def customers() -> pd.DataFrame:
        return pd.DataFrame({"id": customer_ids})

    @asset
    def revenue(orders: pd.DataFrame) -> int:
        return len(orders)

    return orders, customers, revenue


def test_a_check_receives_another_assets_value_and_runs_after_it(
    sqlite_catalog: Catalog,
) -> None:
    orders, customers, revenue = shop([10, 11, 99])
    seen: list[int] = []

    @asset_check(asset="orders", additional_ins={"customers": AssetIn("customers")})
    def orders_have_customers(orders: pd.DataFrame, customers: pd.DataFrame) -> CheckResult:
        seen.append(len(customers))
        return CheckResult(passed=bool(orders.customer_id.isin(customers.id).all()))

    # orders is listed before customers: the check still finds customers stored.
    defs = Definitions(assets=[orders, revenue, customers], checks=[orders_have_customers])
    assert defs.graph.check_inputs(defs.graph.resolve("orders")) == (
        defs.graph.resolve("customers"),
    )
    order = [str(k) for k in defs.graph.toposorted]
    assert order.index("shop/customers") < order.index("shop/orders")
    result = materialize(defs, catalog=sqlite_catalog)
    assert result.success, result.steps
    assert seen == [3]
    [record] = sqlite_catalog.check_results_for_run(result.run_id)
    assert record.passed and record.check_name == "orders_have_customers"
    # Only orders selected: the check reads the stored customers.
    again = materialize(defs, "orders", catalog=sqlite_catalog)
    assert again.success and seen == [3, 3]


def test_relationships_finds_orphans_and_blocks_downstream(sqlite_catalog: Catalog) -> None:
    orders, customers, revenue = shop([10, 11])
    fk = relationships("shop/orders", "customer_id", to="customers", field="id", blocking=True)
    defs = Definitions(assets=[orders, revenue, customers], checks=[fk])
    result = materialize(defs, catalog=sqlite_catalog)
    assert not result.success
    assert result.step("revenue").status == "SKIPPED"
    [record] = sqlite_catalog.check_results_for_run(result.run_id)
    assert record.check_name == "relationships_customer_id_customers"
    assert record.metadata["description"] == (
        "2 rows of shop/orders have a customer_id not found in customers.id: 99 (2)."
    )
    assert record.metadata["orphan_values"] == [{"value": 99, "count": 2}]

    # `assetline check` against the stored values: the parent is loaded too.
    fixed = Definitions(assets=[orders, revenue, customers], checks=[fk])
    materialize(Definitions(assets=[customers_with([10, 11, 99])]), catalog=sqlite_catalog)
    evaluations, notes = run_checks(fixed, sqlite_catalog, [fixed.graph.resolve("orders")])
    assert notes == [] and [e.passed for e in evaluations] == [True]


def customers_with(ids: list[int]) -> object:
    @asset(key="shop/customers")
    def customers() -> pd.DataFrame:
        return pd.DataFrame({"id": ids})

    return customers


def test_relationships_names_a_missing_column_of_the_parent(sqlite_catalog: Catalog) -> None:
    orders, customers, _ = shop([10])
    fk = relationships("shop/orders", "customer_id", to="shop/customers", field="customer_id")
    result = materialize(
        Definitions(assets=[orders, customers], checks=[fk]), catalog=sqlite_catalog
    )
    [record] = sqlite_catalog.check_results_for_run(result.run_id)
    assert record.metadata["description"].startswith(
        "Column 'customer_id' not found in shop/customers; available columns: id."
    )


def test_additional_ins_that_cannot_work_are_definition_errors() -> None:
    orders, customers, revenue = shop([10])

    @asset_check(asset="orders", additional_ins={"c": AssetIn("custmers")})
    def typo(orders: pd.DataFrame, c: pd.DataFrame) -> CheckResult:
        return CheckResult(passed=True)

    with pytest.raises(UnknownAssetError) as unknown:
        _ = Definitions(assets=[orders, customers], checks=[typo]).graph
    assert "additional_ins['c'] names unknown asset 'custmers'" in str(unknown.value)
    assert "Did you mean 'shop/customers'?" in str(unknown.value)

    @asset_check(asset="orders", additional_ins={"revenue": AssetIn("revenue")})
    def reads_downstream(orders: pd.DataFrame, revenue: int) -> CheckResult:
        return CheckResult(passed=True)

    with pytest.raises(CycleError, match="downstream of it"):
        _ = Definitions(assets=[orders, revenue], checks=[reads_downstream]).graph

    with pytest.raises(DefinitionError, match="not a parameter of the function"):

        @asset_check(asset="orders", additional_ins={"customers": AssetIn("customers")})
        def no_param(orders: pd.DataFrame) -> CheckResult:
            return CheckResult(passed=True)
