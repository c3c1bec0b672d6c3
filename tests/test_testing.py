"""``assets_core.testing.run_asset``: the function and the checks of one asset."""

from __future__ import annotations

from assets_core import CheckResult, asset, asset_check
from assets_core.testing import run_asset


@asset(key="marts/orders")
def orders(raw: list[int]) -> list[int]:
    return [x for x in raw if x > 0]


@asset
def customers() -> list[str]:
    return []


@asset_check(asset="orders")
def orders_not_empty(orders: list[int]) -> CheckResult:
    return CheckResult(passed=bool(orders), metadata={"rows": len(orders)})


@asset_check(asset="marts/orders")
def orders_positive(orders: list[int]) -> CheckResult:
    return CheckResult(passed=all(x > 0 for x in orders))


@asset_check(asset="customers")
def customers_not_empty(customers: list[str]) -> CheckResult:
    return CheckResult(passed=bool(customers))


ALL_CHECKS = [orders_not_empty, customers_not_empty, orders_positive]


def test_run_asset_runs_only_the_checks_of_that_asset() -> None:
    run = run_asset(orders, ALL_CHECKS, raw=[3, -1, 4])
    assert run.value == [3, 4]
    assert sorted(c.check_name for c in run.checks) == ["orders_not_empty", "orders_positive"]
    assert run.checks_passed
    # customers_not_empty would fail on customers' value; it is not run on orders'.
    empty = run_asset(customers, ALL_CHECKS)
    assert [c.check_name for c in empty.checks] == ["customers_not_empty"]
    assert not empty.checks_passed
