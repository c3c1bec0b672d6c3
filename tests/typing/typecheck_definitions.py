"""What ``Definitions`` and the graph look like to a type checker (see
typecheck_decorators.py for the ``# E:`` convention). Never run, only type-checked."""

from __future__ import annotations

from typing import assert_type

from assets_core import (
    AssetGraph,
    AssetKey,
    AssetNode,
    AssetsDefinition,
    CheckResult,
    Definitions,
    MemoryIOManager,
    asset,
    asset_check,
    external_asset,
    sql_asset,
)
from assets_core.checks import AssetCheckDefinition, not_null


@asset
def orders() -> list[int]:
    return [1, 2, 3]


@asset(code_version="2")
def order_count(orders: list[int]) -> int:
    return len(orders)


@asset_check(asset=orders)
def has_rows(orders: list[int]) -> CheckResult:
    return CheckResult(passed=bool(orders))


revenue = sql_asset("revenue", "SELECT count(*) AS n FROM orders")
events = external_asset("raw/events")

defs = Definitions(
    assets=[orders, order_count, revenue, events],
    checks=[has_rows, not_null("orders", "id")],
    io_managers={"scratch": MemoryIOManager()},
)
assert_type(defs.assets, tuple[AssetsDefinition, ...])
assert_type(defs.checks, tuple[AssetCheckDefinition, ...])
assert_type(defs.graph, AssetGraph)
assert_type(defs.graph.get("order_count"), AssetNode)
assert_type(order_count.key, AssetKey)

# Assets of different function types kept in one list still make Definitions.
all_assets = [orders, order_count, revenue, events]
Definitions(assets=all_assets)
Definitions(assets=(a for a in all_assets))

# E: List item 0 has incompatible type "int"; expected "AssetsDefinition[Any]"  [list-item]
Definitions(assets=[42])  # type: ignore[list-item]
# E: List item 0 has incompatible type "AssetsDefinition[Callable[[], list[int]]]"; expected "AssetCheckDefinition[Any]"  [list-item]
Definitions(assets=[orders], checks=[orders])  # type: ignore[list-item]
