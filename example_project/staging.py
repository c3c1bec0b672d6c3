"""Staging: the raw exports cleaned up — one row per entity, proper types, consistent
spellings, no test orders, no bots. Everything downstream reads these, never ``raw``.
"""

from __future__ import annotations

from datetime import date
from functools import partial

import pandas as pd

from assets_core import asset
from assets_core.execution.context import AssetExecutionContext
from example_project.partitions import daily

#: Every staging asset: stored under staging/, owned by analytics engineering.
staging_asset = partial(
    asset, key_prefix="staging", group="staging", owners=["team:analytics-engineering"]
)
SILVER = {"tier": "silver"}

#: Every spelling of a region seen in the exports, lower-cased, to its code.
REGION_CODES = {
    "eu": "eu",
    "europe": "eu",
    "us": "us",
    "usa": "us",
    "apac": "apac",
    "asia-pacific": "apac",
}


def _partition_day(context: AssetExecutionContext) -> date:
    return context.partition_time_window.start.date()


@staging_asset(tags=SILVER, code_version="2")
def stg_customers(customers: pd.DataFrame) -> pd.DataFrame:
    """One row per customer: e-mails lower-cased, regions as eu/us/apac, typed dates."""
    out = customers.drop_duplicates("customer_id", keep="last").copy()
    out["email"] = out["email"].str.strip().str.lower()
    out["region"] = out["region"].str.strip().str.lower().map(REGION_CODES)
    out["signup_date"] = pd.to_datetime(out["signup_date"]).dt.date
    out["marketing_opt_in"] = out["marketing_opt_in"].eq("yes")
    return out.sort_values("customer_id").reset_index(drop=True)


@staging_asset(tags=SILVER, code_version="1")
def stg_products(products: pd.DataFrame) -> pd.DataFrame:
    """One row per product, with its category and list price."""
    out = products.drop_duplicates("product_id", keep="last")
    return out.sort_values("product_id").reset_index(drop=True)


@staging_asset(
    tags=SILVER,
    code_version="1",
    partitions=daily,
    metadata={"partition_column": "order_date"},
)
def stg_order_items(context: AssetExecutionContext, order_items: pd.DataFrame) -> pd.DataFrame:
    """Order lines of one day: each line once, empty lines (quantity 0) dropped, with
    the line amount."""
    out = order_items.drop_duplicates(["order_id", "line_number"])
    out = out[out["quantity"] > 0].copy()
    out["line_amount"] = (out["quantity"] * out["unit_price"]).round(2)
    out["order_date"] = _partition_day(context)
    dropped = len(order_items) - len(out)
    context.add_metadata(dropped_lines=dropped)
    return out.reset_index(drop=True)


@staging_asset(
    tags={**SILVER, "domain": "sales"},
    code_version="3",
    partitions=daily,
    metadata={"partition_column": "order_date"},
    description="Orders of one day: the latest export of each order, test orders removed, "
    "statuses normalized, with the customer's region and the order amount.",
)
def stg_orders(
    context: AssetExecutionContext,
    orders: pd.DataFrame,
    stg_order_items: pd.DataFrame,
    stg_customers: pd.DataFrame,
) -> pd.DataFrame:
    latest = orders.sort_values("updated_at").drop_duplicates("order_id", keep="last")
    real = latest[~latest["is_test"]].copy()
    real["status"] = real["status"].str.strip().str.lower()
    totals = stg_order_items.groupby("order_id").agg(
        item_count=("quantity", "sum"), amount=("line_amount", "sum")
    )
    out = real.merge(totals, on="order_id", how="left").merge(
        stg_customers[["customer_id", "region"]], on="customer_id", how="left"
    )
    out["item_count"] = out["item_count"].fillna(0).astype("int64")
    out["amount"] = out["amount"].fillna(0.0).round(2)
    out["order_date"] = _partition_day(context)
    context.add_metadata(
        test_orders_removed=int(latest["is_test"].sum()),
        duplicate_exports_removed=len(orders) - len(latest),
    )
    columns = ["order_id", "customer_id", "order_date", "ordered_at", "status", "channel"]
    return out[[*columns, "region", "item_count", "amount"]].sort_values("order_id")


@staging_asset(tags={**SILVER, "domain": "web"}, code_version="1", partitions=daily)
def stg_sessions(context: AssetExecutionContext, web_events: pd.DataFrame) -> pd.DataFrame:
    """Web sessions of one day, bots removed: how far each visit got down the funnel."""
    human = web_events[~web_events["user_agent"].str.contains("bot", case=False)]
    events = human.assign(
        page_view=human["event_type"].eq("page_view"),
        add_to_cart=human["event_type"].eq("add_to_cart"),
        checkout=human["event_type"].eq("checkout"),
        purchase=human["event_type"].eq("purchase"),
    )
    sessions = events.groupby("session_id").agg(
        visitor_id=("visitor_id", "first"),
        customer_id=("customer_id", "first"),
        channel=("channel", "first"),
        started_at=("event_at", "min"),
        ended_at=("event_at", "max"),
        page_views=("page_view", "sum"),
        added_to_cart=("add_to_cart", "any"),
        checked_out=("checkout", "any"),
        purchased=("purchase", "any"),
    )
    sessions["session_date"] = _partition_day(context)
    context.add_metadata(bot_events_removed=len(web_events) - len(human))
    return sessions.reset_index()
