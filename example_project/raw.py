"""Raw sources: the shop's exports as they arrive, and the marketing team's ad spend.

Raw assets store exactly what the source sent; cleaning happens in ``staging``.
"""

from __future__ import annotations

import hashlib
from functools import partial

import pandas as pd

from assets_core import (
    AssetOut,
    Freshness,
    Observation,
    Retry,
    asset,
    external_asset,
    multi_asset,
)
from assets_core.execution.context import AssetExecutionContext
from example_project.landing import LANDING_DIR
from example_project.partitions import daily
from example_project.shop import ShopExport

#: Every raw asset: stored under raw/, in the raw group, owned by the platform team.
raw_asset = partial(
    asset,
    key_prefix="raw",
    group="raw",
    owners=["team:data-platform"],
    tags={"tier": "bronze", "source": "shop"},
)

#: The export API times out now and then: try three times, 1 s then 2 s apart.
FLAKY_API = Retry(max_attempts=3, backoff_s=1.0)


@raw_asset(code_version="1", retry=FLAKY_API, required_resources=["shop"])
def customers(context: AssetExecutionContext) -> pd.DataFrame:
    """Every customer account, as exported by the shop (duplicates included)."""
    shop: ShopExport = context.resources.shop  # resources are untyped: say what it is
    frame = shop.export_customers()
    context.log.info("exported %d customer rows", len(frame))
    return frame


@raw_asset(code_version="1", retry=FLAKY_API, required_resources=["shop"])
def products(context: AssetExecutionContext) -> pd.DataFrame:
    """The product catalog, as exported by the shop."""
    shop: ShopExport = context.resources.shop
    return shop.export_products()


@multi_asset(
    outs={
        "orders": AssetOut(description="Orders placed on the day, as exported."),
        "order_items": AssetOut(description="The lines of those orders, as exported."),
    },
    key_prefix="raw",
    group="raw",
    code_version="1",
    owners=["team:data-platform"],
    tags={"tier": "bronze", "source": "shop"},
    partitions=daily,
    retry=FLAKY_API,
    required_resources=["shop"],
)
def shop_orders_export(context: AssetExecutionContext) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One call of the daily order export yields both the orders and their lines."""
    shop: ShopExport = context.resources.shop
    orders, items = shop.export_orders(context.partition_time_window.start.date())
    context.log.info(
        "%s: %d order rows, %d line rows", context.partition_key, len(orders), len(items)
    )
    return orders, items


@raw_asset(
    code_version="1",
    partitions=daily,
    retry=FLAKY_API,
    required_resources=["shop"],
    freshness=Freshness(max_lag="26h"),
)
def web_events(context: AssetExecutionContext) -> pd.DataFrame:
    """The web tracker's events of one day (page views, carts, checkouts, purchases)."""
    shop: ShopExport = context.resources.shop
    return shop.export_web_events(context.partition_time_window.start.date())


def observe_marketing_spend() -> Observation:
    """The landing file's checksum: a new export from the ad platforms is new data
    (``assetline observe``); the same file observed again changes nothing."""
    path = LANDING_DIR / "marketing_spend.csv"
    data = path.read_bytes()
    return Observation(
        data_version=hashlib.sha256(data).hexdigest()[:16],
        metadata={"path": str(path), "size_bytes": len(data)},
    )


marketing_spend = external_asset(
    "raw/marketing_spend",
    group="raw",
    description="Daily ad spend and clicks per channel, exported by the marketing team "
    "from the ad platforms into the landing zone.",
    owners=["growth@shop.example.com"],
    tags={"tier": "bronze", "source": "ad_platforms"},
    io_manager="landing",
    columns={"day": "date", "channel": "str", "spend": "float", "clicks": "int"},
    observe=observe_marketing_spend,
)
