"""An online shop's analytics pipeline: the worked example of Assetline.

Raw exports from the shop (customers, products, daily orders and web events) and the
marketing team's ad spend flow through a cleaned staging layer into marts: revenue by
day, customer lifetime value and segments, product ranking, a 7-day rolling trend,
sales by region and day, the conversion funnel and the return on ad spend.

Try it::

    assetline list
    assetline lineage revenue_by_day
    assetline materialize --select '*' --from 2024-01-01 --to 2024-01-14
    assetline check
"""

from __future__ import annotations

from assets_core import Definitions, Schedule
from example_project.checks import ALL_CHECKS
from example_project.landing import LandingZoneIOManager
from example_project.marketing import channel_roi, conversion_funnel
from example_project.marts import (
    customer_lifetime_value,
    customer_segments,
    orders_rolling_7d,
    product_ranking,
    regional_sales,
    revenue_by_day,
)
from example_project.raw import customers, marketing_spend, products, shop_orders_export, web_events
from example_project.shop import ShopExport
from example_project.staging import (
    stg_customers,
    stg_order_items,
    stg_orders,
    stg_products,
    stg_sessions,
)

#: At 06:00 UTC, ingest, transform and load yesterday's sales: the raw exports of the
#: day, their staging tables and the marts (the marts also follow their upstreams by
#: themselves: Automation.eager()). Start the daemon with `assetline daemon`.
daily_sales = Schedule(
    "daily_sales",
    cron="0 6 * * *",
    select="group:raw or group:staging or group:marts",
    partition="previous_day",
    timezone="UTC",
    description="Yesterday's sales, from the shop's exports to the marts.",
)

defs = Definitions(
    assets=[
        # raw
        customers,
        products,
        shop_orders_export,
        web_events,
        marketing_spend,
        # staging
        stg_customers,
        stg_products,
        stg_order_items,
        stg_orders,
        stg_sessions,
        # marts
        revenue_by_day,
        customer_lifetime_value,
        product_ranking,
        customer_segments,
        orders_rolling_7d,
        regional_sales,
        # marketing
        conversion_funnel,
        channel_roi,
    ],
    checks=ALL_CHECKS,
    schedules=[daily_sales],
    resources={"shop": ShopExport(seed=7)},
    io_managers={"landing": LandingZoneIOManager(parse_dates={"marketing_spend": ["day"]})},
)

__all__ = ["defs"]
