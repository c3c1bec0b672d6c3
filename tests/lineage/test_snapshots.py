"""Definitions snapshots keep each asset's column lineage (SPEC §4, §11), and the
catalog hands stored snapshots back newest first."""

from __future__ import annotations

import pandas as pd

from assets_core import Definitions, asset, sql_asset
from assets_core.catalog.catalog import Catalog
from assets_core.catalog.snapshots import snapshot_of


@asset(columns={"day": "str", "amount": "float", "status": "str"})
def orders() -> pd.DataFrame:
    return pd.DataFrame({"day": ["d"], "amount": [1.0], "status": ["paid"]})


@asset
def notes() -> pd.DataFrame:
    return pd.DataFrame({"text": ["x"]})


daily = sql_asset(
    "daily", "SELECT day, sum(amount) AS revenue FROM orders WHERE status = 'paid' GROUP BY day"
)


def test_a_snapshot_holds_column_lineage_from_definitions() -> None:
    _, data = snapshot_of(Definitions(assets=[orders, notes, daily]).graph)
    entries = {a["key"]: a for a in data["assets"]}
    assert entries["daily"]["column_lineage"] == {
        "day": {
            "direct": [["orders", "day", "IDENTITY"]],
            "indirect": [["orders", "status", "FILTER"], ["orders", "day", "GROUP_BY"]],
        },
        "revenue": {
            "direct": [["orders", "amount", "AGGREGATION"]],
            "indirect": [["orders", "status", "FILTER"], ["orders", "day", "GROUP_BY"]],
        },
    }
    assert list(entries["orders"]["column_lineage"]) == ["day", "amount", "status"]
    assert entries["notes"]["column_lineage"] == {}
    assert entries["daily"]["upstream"] == ["orders"]


def test_stored_snapshots_newest_first(sqlite_catalog: Catalog) -> None:
    first = snapshot_of(Definitions(assets=[orders, daily]).graph)
    second = snapshot_of(Definitions(assets=[orders]).graph)
    sqlite_catalog.save_snapshot(*first)
    sqlite_catalog.save_snapshot(*second)
    keys = [[a["key"] for a in data["assets"]] for data in sqlite_catalog.snapshots()]
    assert keys == [["orders"], ["orders", "daily"]]
    assert next(iter(sqlite_catalog.snapshots())) == sqlite_catalog.latest_snapshot()
