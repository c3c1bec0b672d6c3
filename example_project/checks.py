"""Data-quality checks. They run right after their asset materializes; the blocking
one stops bad orders from reaching the marts."""

from __future__ import annotations

import pandas as pd

from assets_core import CheckResult, asset_check
from assets_core import checks as builtin
from example_project.marketing import channel_roi
from example_project.marts import customer_segments, orders_rolling_7d, revenue_by_day
from example_project.raw import customers
from example_project.shop import REGIONS, STATUSES
from example_project.staging import stg_customers, stg_order_items, stg_orders, stg_products


@asset_check(asset=stg_orders, blocking=True)
def no_negative_amounts(stg_orders: pd.DataFrame) -> CheckResult:
    """An order amount below zero means a pricing bug upstream: stop the marts."""
    bad = stg_orders[stg_orders["amount"] < 0]
    return CheckResult(
        passed=bad.empty,
        metadata={"bad_rows": len(bad), "sample_order_ids": bad["order_id"].head(5).tolist()},
    )


@asset_check(asset=orders_rolling_7d)
def window_is_at_most_a_week(orders_rolling_7d: pd.DataFrame) -> CheckResult:
    """The rolling window covers 1 to 7 days of orders (fewer only at the start)."""
    days = int(orders_rolling_7d["days_in_window"].iloc[0])
    return CheckResult(passed=1 <= days <= 7, metadata={"days_in_window": days})


ORDER_CHECKS = [
    no_negative_amounts,
    builtin.not_null(stg_orders, ["order_id", "customer_id", "order_date", "region"]),
    builtin.unique(stg_orders, "order_id"),
    builtin.accepted_values(stg_orders, "status", list(STATUSES)),
    builtin.schema(
        stg_orders,
        {
            "order_id": "int",
            "customer_id": "int",
            "order_date": "date",
            "ordered_at": "datetime",
            "status": "str",
            "amount": "float",
        },
    ),
    builtin.sql(
        stg_order_items,
        "SELECT count(*) FROM stg_order_items WHERE quantity <= 0 OR line_amount < 0",
        expect=0,
        name="positive_quantities_and_amounts",
    ),
]

REFERENCE_CHECKS = [
    builtin.row_count(customers, min=1_000),
    builtin.unique(stg_customers, "customer_id"),
    builtin.not_null(stg_customers, ["customer_id", "email", "region"]),
    builtin.accepted_values(stg_customers, "region", list(REGIONS)),
    builtin.unique(stg_products, "product_id"),
]

MART_CHECKS = [
    builtin.freshness(revenue_by_day, "26h"),
    builtin.sql(
        revenue_by_day,
        "SELECT count(*) - count(DISTINCT day) FROM revenue_by_day",
        expect=0,
        name="one_row_per_day",
    ),
    builtin.accepted_values(customer_segments, "segment", ["vip", "active", "at_risk", "prospect"]),
    window_is_at_most_a_week,
    builtin.sql(
        channel_roi,
        """
        SELECT count(*) FROM (
            SELECT day FROM channel_roi GROUP BY day HAVING count(DISTINCT channel) < 3
        )
        """,
        expect=0,
        name="every_paid_channel_has_spend",
        severity="warn",
    ),
]

ALL_CHECKS = [*ORDER_CHECKS, *REFERENCE_CHECKS, *MART_CHECKS]
