"""Marts: the tables the business reads. The SQL marts land in the DuckDB warehouse
(``$ASSETLINE_HOME/warehouse.duckdb``) where the BI tool picks them up; the Python
ones compute what is awkward in SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import TypedDict

import pandas as pd
import pyarrow as pa

from assets_core import (
    AssetIn,
    Automation,
    DimensionMapping,
    Freshness,
    TimeWindowMapping,
    asset,
    sql_asset,
)
from assets_core.execution.context import AssetExecutionContext
from example_project.partitions import LAST_DAY, daily, region_daily


class MartOptions(TypedDict):
    key_prefix: str
    group: str
    owners: list[str]
    automation: Automation


#: Options shared by every mart: stored under marts/, owned by analytics, paged to BI,
#: and rebuilt by the daemon whenever an upstream updates (Automation.eager()).
MART_OPTIONS: MartOptions = {
    "key_prefix": "marts",
    "group": "marts",
    "owners": ["team:analytics", "bi-oncall@shop.example.com"],
    "automation": Automation.eager(),
}
mart_asset = partial(asset, **MART_OPTIONS)
sql_mart = partial(sql_asset, **MART_OPTIONS, io_manager="duckdb")
GOLD = {"tier": "gold", "domain": "sales"}

revenue_by_day = sql_mart(
    "revenue_by_day",
    """
    SELECT order_date AS day,
           count(*) AS orders,
           count(DISTINCT customer_id) AS customers,
           round(sum(amount), 2) AS revenue,
           round(sum(amount) / count(*), 2) AS avg_order_value
    FROM staging.stg_orders
    WHERE status <> 'cancelled'
    GROUP BY order_date
    ORDER BY day
    """,
    tags=GOLD,
    code_version="1",
    freshness=Freshness(max_lag="26h"),
    description="Orders, customers and revenue per day (cancelled orders excluded).",
)

customer_lifetime_value = sql_mart(
    "customer_lifetime_value",
    """
    WITH completed AS (
        SELECT customer_id, order_date, amount
        FROM staging.stg_orders
        WHERE status IN ('shipped', 'delivered')
    )
    SELECT c.customer_id,
           c.region,
           c.signup_date,
           count(o.customer_id) AS orders,
           round(coalesce(sum(o.amount), 0), 2) AS lifetime_value,
           min(o.order_date) AS first_order_date,
           max(o.order_date) AS last_order_date
    FROM staging.stg_customers AS c
    LEFT JOIN completed AS o ON o.customer_id = c.customer_id
    GROUP BY c.customer_id, c.region, c.signup_date
    ORDER BY lifetime_value DESC, c.customer_id
    """,
    tags=GOLD,
    code_version="2",
    description="What each customer has spent on shipped and delivered orders.",
)

product_ranking = sql_mart(
    "product_ranking",
    """
    WITH sold AS (
        SELECT i.product_id,
               sum(i.quantity)::BIGINT AS units,
               sum(i.line_amount) AS revenue
        FROM staging.stg_order_items AS i
        JOIN staging.stg_orders AS o ON o.order_id = i.order_id
        WHERE o.status NOT IN ('cancelled', 'returned')
        GROUP BY i.product_id
    )
    SELECT p.product_id,
           p.name,
           p.category,
           coalesce(s.units, 0) AS units,
           round(coalesce(s.revenue, 0), 2) AS revenue,
           rank() OVER (ORDER BY coalesce(s.revenue, 0) DESC) AS revenue_rank,
           rank() OVER (PARTITION BY p.category ORDER BY coalesce(s.revenue, 0) DESC)
               AS category_rank
    FROM staging.stg_products AS p
    LEFT JOIN sold AS s ON s.product_id = p.product_id
    ORDER BY revenue_rank, p.product_id
    """,
    tags={**GOLD, "domain": "merchandising"},
    code_version="1",
    description="Products ranked by net revenue, overall and within their category.",
)


@dataclass
class SegmentConfig:
    """Thresholds of the customer segmentation; override them per run with
    ``assetline materialize --config segments.toml``."""

    vip_min_value: float = 500.0
    at_risk_after_days: int = 14
    as_of: str = LAST_DAY


@mart_asset(tags=GOLD, code_version="1")
def customer_segments(
    context: AssetExecutionContext, config: SegmentConfig, customer_lifetime_value: pa.Table
) -> pd.DataFrame:
    """Each customer's segment: ``vip``, ``active``, ``at_risk`` (no order lately) or
    ``prospect`` (never ordered)."""
    ltv = customer_lifetime_value.to_pandas()
    as_of = date.fromisoformat(config.as_of)
    last = pd.to_datetime(ltv["last_order_date"])
    idle_days = (pd.Timestamp(as_of) - last).dt.days
    segment = pd.Series("active", index=ltv.index)
    segment[idle_days > config.at_risk_after_days] = "at_risk"
    segment[ltv["lifetime_value"] >= config.vip_min_value] = "vip"
    segment[ltv["orders"] == 0] = "prospect"
    out = ltv[["customer_id", "region", "orders", "lifetime_value"]].assign(segment=segment)
    context.add_metadata(segment_sizes=out["segment"].value_counts().to_dict())
    return out


@mart_asset(
    tags=GOLD,
    code_version="1",
    partitions=daily,
    ins={"stg_orders": AssetIn(partition_mapping=TimeWindowMapping(start_offset=-6))},
)
def orders_rolling_7d(context: AssetExecutionContext, stg_orders: pd.DataFrame) -> pd.DataFrame:
    """Orders, revenue and active customers over the 7 days ending on each day: the
    smoothed trend the weekly business review looks at."""
    kept = stg_orders[stg_orders["status"] != "cancelled"]
    days = sorted(kept["order_date"].unique())
    return pd.DataFrame(
        {
            "day": [context.partition_time_window.start.date()],
            "window_start": [days[0]],
            "days_in_window": [len(days)],
            "orders": [len(kept)],
            "customers": [kept["customer_id"].nunique()],
            "revenue": [round(float(kept["amount"].sum()), 2)],
            "revenue_per_day": [round(float(kept["amount"].sum()) / len(days), 2)],
        }
    )


@mart_asset(
    tags=GOLD,
    code_version="1",
    partitions=region_daily,
    ins={"stg_orders": AssetIn(partition_mapping=DimensionMapping("date"))},
)
def regional_sales(context: AssetExecutionContext, stg_orders: pd.DataFrame) -> pd.DataFrame:
    """One region's sales on one day, by channel (partitioned by day and region so each
    country team can re-run its own numbers)."""
    assert context.partition_key is not None  # region_daily keys: "<day>|<region>"
    day, region = context.partition_key.split("|")
    mine = stg_orders[(stg_orders["region"] == region) & (stg_orders["status"] != "cancelled")]
    by_channel = mine.groupby("channel", as_index=False).agg(
        orders=("order_id", "count"),
        customers=("customer_id", "nunique"),
        revenue=("amount", "sum"),
    )
    by_channel["revenue"] = by_channel["revenue"].round(2)
    return by_channel.assign(day=date.fromisoformat(day), region=region)
