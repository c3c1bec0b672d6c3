"""What the decorators look like to a type checker. Never run, only type-checked.

``# E:`` lines name the errors the next line must give. ``make lint`` checks the file as
it is (mypy fails on a ``# type: ignore`` that hides nothing); test_typing_snippets.py
removes the ignores and compares every error with the ``# E:`` lines.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, assert_type

import pandas as pd

from assets_core import (
    AssetCheckDefinition,
    AssetExecutionContext,
    AssetOut,
    AssetsDefinition,
    CheckResult,
    asset,
    asset_check,
    external_asset,
    multi_asset,
    sql_asset,
)


@asset
def raw_orders() -> pd.DataFrame:
    return pd.DataFrame({"amount": [10.0, 20.0]})


@asset(group="sales", code_version="2")
def daily_orders(context: AssetExecutionContext, raw_orders: pd.DataFrame) -> pd.DataFrame:
    return raw_orders


@asset
def total(amounts: list[float], /) -> float:
    return sum(amounts)


# Bare @asset and @asset(...) keep the function's type.
assert_type(total, AssetsDefinition[Callable[[list[float]], float]])
assert_type(raw_orders, AssetsDefinition[Callable[[], pd.DataFrame]])
typed: AssetsDefinition[Callable[[AssetExecutionContext, pd.DataFrame], pd.DataFrame]]
typed = daily_orders
# A bare AssetsDefinition is AssetsDefinition[Any]: every definition is one.
bare: AssetsDefinition = daily_orders
assert_type(bare, AssetsDefinition[Any])


def direct_calls(context: AssetExecutionContext) -> None:
    """Calling a definition calls the function, as unit tests do."""
    assert_type(raw_orders(), pd.DataFrame)
    assert_type(daily_orders(context, raw_orders()), pd.DataFrame)
    assert_type(total([1.0, 2.0]), float)
    # E: Too many arguments for "daily_orders"  [call-arg]
    # E: Argument 1 to "daily_orders" has incompatible type "int"; expected "AssetExecutionContext"  [arg-type]
    # E: Argument 2 to "daily_orders" has incompatible type "int"; expected "DataFrame"  [arg-type]
    daily_orders(1, 2, 3, "wrong")  # type: ignore[call-arg, arg-type]
    # E: Missing positional argument "raw_orders" in call to "daily_orders"  [call-arg]
    daily_orders(context)  # type: ignore[call-arg]
    # E: Argument 1 to "total" has incompatible type "str"; expected "list[float]"  [arg-type]
    total("12")  # type: ignore[arg-type]


# Options are checked.
# E: No overload variant of "asset" matches argument type "int"  [call-overload]
asset(key=1)  # type: ignore[call-overload]


@multi_asset(outs={"customers": AssetOut(), "addresses": AssetOut()})
def split_crm(raw_crm: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    return raw_crm, raw_crm


assert_type(split_crm(pd.DataFrame()), tuple[pd.DataFrame, pd.DataFrame])

# SQL and external assets have no function: calling one is an error.
revenue = sql_asset("revenue", "SELECT sum(amount) AS revenue FROM daily_orders")
events = external_asset("raw/events", group="raw")
assert_type(revenue, AssetsDefinition[None])
assert_type(events, AssetsDefinition[None])
# E: "None" not callable  [misc]
revenue()  # type: ignore[misc]


@asset_check(asset=daily_orders, blocking=True)
def amounts_positive(daily_orders: pd.DataFrame) -> CheckResult:
    return CheckResult(passed=bool((daily_orders["amount"] >= 0).all()))


check: AssetCheckDefinition[Callable[[pd.DataFrame], CheckResult]] = amounts_positive
assert_type(amounts_positive(pd.DataFrame()), CheckResult)
# E: Argument 1 to "amounts_positive" has incompatible type "int"; expected "DataFrame"  [arg-type]
amounts_positive(3)  # type: ignore[arg-type]
