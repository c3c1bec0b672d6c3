"""Marketing: how visits turn into orders, and what each channel's ad spend returns."""

from __future__ import annotations

from functools import partial

from assets_core import sql_asset

#: Every marketing table: stored under marketing/ in the DuckDB warehouse.
marketing_sql = partial(
    sql_asset,
    key_prefix="marketing",
    group="marketing",
    owners=["growth@shop.example.com"],
    io_manager="duckdb",
)

conversion_funnel = marketing_sql(
    "conversion_funnel",
    """
    SELECT session_date AS day,
           channel,
           count(*) AS sessions,
           count(*) FILTER (WHERE added_to_cart) AS carts,
           count(*) FILTER (WHERE checked_out) AS checkouts,
           count(*) FILTER (WHERE purchased) AS purchases,
           round(count(*) FILTER (WHERE purchased) / count(*), 4) AS conversion_rate
    FROM staging.stg_sessions
    GROUP BY session_date, channel
    ORDER BY day, channel
    """,
    tags={"tier": "gold", "domain": "web"},
    code_version="1",
    description="Sessions, carts, checkouts and purchases per day and channel.",
)

channel_roi = marketing_sql(
    "channel_roi",
    """
    WITH revenue AS (
        SELECT order_date AS day, channel, sum(amount) AS revenue, count(*) AS orders
        FROM staging.stg_orders
        WHERE status <> 'cancelled'
        GROUP BY order_date, channel
    )
    SELECT s.day,
           s.channel,
           s.spend,
           s.clicks,
           coalesce(r.orders, 0) AS orders,
           round(coalesce(r.revenue, 0), 2) AS revenue,
           round(coalesce(r.revenue, 0) / nullif(s.spend, 0), 2) AS return_on_ad_spend
    FROM raw.marketing_spend AS s
    LEFT JOIN revenue AS r ON r.day = s.day AND r.channel = s.channel
    ORDER BY s.day, s.channel
    """,
    tags={"tier": "gold", "domain": "marketing"},
    code_version="1",
    description="Revenue per ad dollar, per day and paid channel (search, social, email).",
)
