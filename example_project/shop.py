"""The shop's export API, simulated: a seeded generator of customers, products, orders
and web events, so the example runs offline and produces the same data every time.

The exports are deliberately a little dirty, like real ones: customers and orders are
sometimes exported twice, regions and statuses are spelled several ways, test orders
and bot traffic are mixed in, and a few order lines have a quantity of zero. The
staging assets clean all of that up.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cached_property

import numpy as np
import pandas as pd

#: How the export spells each region (the staging layer maps them back).
REGION_SPELLINGS = {
    "eu": ["eu", "EU", "Europe", " eu"],
    "us": ["us", "US", "USA", "us "],
    "apac": ["apac", "APAC", "Asia-Pacific"],
}
REGIONS = ("eu", "us", "apac")
CHANNELS = ("search", "social", "email", "direct")
CATEGORIES = ("apparel", "shoes", "accessories", "home", "beauty", "sports", "kids", "books")
STATUSES = ("placed", "shipped", "delivered", "cancelled", "returned")
_STATUS_WEIGHTS = (0.10, 0.25, 0.50, 0.10, 0.05)
_FUNNEL = ("page_view", "add_to_cart", "checkout", "purchase")


def _day(value: str | date) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


@dataclass(frozen=True)
class ShopExport:
    """A client of the shop's export API (here: a deterministic simulation).

    Attributes:
        seed: Same seed, same data.
        customers: How many customer accounts exist.
        products: How many products the catalog holds.
        orders_per_day: The average number of orders on a weekday.
        sessions_per_day: The average number of web sessions on a weekday.
    """

    seed: int = 7
    customers: int = 2_000
    products: int = 200
    orders_per_day: int = 300
    sessions_per_day: int = 900

    def _rng(self, *stream: int) -> np.random.Generator:
        return np.random.default_rng([self.seed, *stream])

    # -- reference data ---------------------------------------------------------------

    def export_customers(self) -> pd.DataFrame:
        """Every customer account, with about 2% of rows exported twice."""
        rng = self._rng(1)
        n = self.customers
        ids = np.arange(1, n + 1)
        region = rng.choice(REGIONS, size=n, p=[0.45, 0.35, 0.20])
        spelled = [rng.choice(REGION_SPELLINGS[r]) for r in region]
        signup = pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 365, n), "D")
        emails = [f"customer{i}@example.com" for i in ids]
        frame = pd.DataFrame(
            {
                "customer_id": ids,
                "email": [e.upper() if rng.random() < 0.05 else e for e in emails],
                "name": [f"Customer {i}" for i in ids],
                "region": spelled,
                "signup_date": signup.strftime("%Y-%m-%d"),
                "marketing_opt_in": rng.choice(["yes", "no"], size=n, p=[0.6, 0.4]),
            }
        )
        again = frame.sample(frac=0.02, random_state=int(rng.integers(1 << 31)))
        return pd.concat([frame, again], ignore_index=True)

    @cached_property
    def _catalog(self) -> pd.DataFrame:
        rng = self._rng(2)
        n = self.products
        category = rng.choice(CATEGORIES, size=n)
        price = np.round(np.exp(rng.normal(3.3, 0.6, n)), 2)
        return pd.DataFrame(
            {
                "product_id": np.arange(1, n + 1),
                "sku": [f"SKU-{i:05d}" for i in range(1, n + 1)],
                "name": [f"{c.title()} item {i}" for i, c in enumerate(category, 1)],
                "category": category,
                "list_price": price,
                "is_active": rng.random(n) > 0.03,
            }
        )

    def export_products(self) -> pd.DataFrame:
        """The product catalog; a handful of rows appear twice."""
        catalog = self._catalog
        return pd.concat([catalog, catalog.iloc[::50]], ignore_index=True)

    # -- daily exports ----------------------------------------------------------------

    def export_orders(self, day: str | date) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The orders placed on ``day`` and their lines, as ``(orders, order_items)``.

        About 1% of orders are exported twice (the second time with a later
        ``updated_at``), 0.5% are test orders, and 0.3% of lines have quantity 0.
        """
        d = _day(day)
        rng = self._rng(3, d.toordinal())
        weekend = 1.25 if d.weekday() >= 5 else 1.0
        n = int(rng.poisson(self.orders_per_day * weekend))
        midnight = pd.Timestamp(datetime(d.year, d.month, d.day, tzinfo=UTC))
        order_id = d.toordinal() * 10_000 + np.arange(n)
        # Returning customers order more: skew the draw towards low ids.
        customer = (rng.pareto(1.2, n) * 150).astype(int) % self.customers + 1
        ordered_at = midnight + pd.to_timedelta(np.sort(rng.integers(0, 86_400, n)), "s")
        status = rng.choice(STATUSES, size=n, p=_STATUS_WEIGHTS)
        orders = pd.DataFrame(
            {
                "order_id": order_id,
                "customer_id": customer,
                "ordered_at": ordered_at,
                "updated_at": ordered_at + pd.to_timedelta(rng.integers(60, 7_200, n), "s"),
                "status": [s.title() if rng.random() < 0.1 else s for s in status],
                "channel": rng.choice(CHANNELS, size=n, p=[0.40, 0.25, 0.15, 0.20]),
                "is_test": rng.random(n) < 0.005,
            }
        )
        resent = orders.sample(frac=0.01, random_state=int(rng.integers(1 << 31))).copy()
        resent["updated_at"] = resent["updated_at"] + pd.Timedelta(hours=6)
        orders = pd.concat([orders, resent], ignore_index=True)

        lines = rng.integers(1, 5, n)
        item_order = np.repeat(order_id, lines)
        product = rng.integers(1, self.products + 1, len(item_order))
        list_price = self._catalog["list_price"].to_numpy()[product - 1]
        discount = rng.choice([1.0, 1.0, 1.0, 0.9, 0.8], size=len(item_order))
        items = pd.DataFrame(
            {
                "order_id": item_order,
                "line_number": np.arange(len(item_order))
                - np.repeat(np.cumsum(lines) - lines, lines)
                + 1,
                "product_id": product,
                "quantity": np.where(
                    rng.random(len(item_order)) < 0.003, 0, rng.integers(1, 4, len(item_order))
                ),
                "unit_price": np.round(list_price * discount, 2),
            }
        )
        return orders, items

    def export_web_events(self, day: str | date) -> pd.DataFrame:
        """The tracker's events of ``day``: page views, carts, checkouts and purchases,
        one session per visit; about 5% of sessions are bots."""
        d = _day(day)
        rng = self._rng(4, d.toordinal())
        weekend = 1.25 if d.weekday() >= 5 else 1.0
        n = int(rng.poisson(self.sessions_per_day * weekend))
        midnight = pd.Timestamp(datetime(d.year, d.month, d.day, tzinfo=UTC))
        # How far down the funnel each session gets: 1 = page views only ... 4 = purchase.
        cart = rng.random(n) < 0.30
        checkout = cart & (rng.random(n) < 0.55)
        purchase = checkout & (rng.random(n) < 0.60)
        depth = 1 + cart.astype(int) + checkout + purchase
        views = rng.integers(1, 8, n)
        events_per_session = views + depth - 1
        session = np.repeat(np.arange(n), events_per_session)
        # An event's position in its session: `views` page views, then one event per
        # funnel step reached, 30 seconds apart.
        first = np.repeat(np.cumsum(events_per_session) - events_per_session, events_per_session)
        position = np.arange(len(session)) - first
        step = np.maximum(position - views[session] + 1, 0)
        start = rng.integers(0, 86_400, n)
        known = rng.random(n) < 0.4
        customer = rng.integers(1, self.customers + 1, n)
        bot = rng.random(n) < 0.05
        agents = np.where(bot, "Mozilla/5.0 (compatible; Googlebot/2.1)", "Mozilla/5.0 (X11)")
        session_ids = pd.Series([f"{d:%Y%m%d}-{i:05d}" for i in range(n)], dtype="str")
        sid = session_ids.iloc[session].reset_index(drop=True)
        return pd.DataFrame(
            {
                "event_id": sid + "-" + pd.Series(position).astype("str"),
                "session_id": sid,
                "visitor_id": (rng.integers(1, 50_000, n))[session],
                "customer_id": pd.Series(customer[session], dtype="Int64").where(known[session]),
                "event_type": np.array(_FUNNEL)[step],
                "event_at": midnight
                + pd.to_timedelta(np.minimum(start[session] + 30 * position, 86_399), "s"),
                "channel": rng.choice(CHANNELS, size=n, p=[0.40, 0.25, 0.15, 0.20])[session],
                "user_agent": agents[session],
            }
        )
