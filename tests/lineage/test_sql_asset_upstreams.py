"""``sql_asset`` finds its upstream assets through sqlglot's scopes (SPEC §1)."""

from __future__ import annotations

import pandas as pd

from assets_core import Definitions, asset, sql_asset
from assets_core.catalog.catalog import Catalog
from assets_core.execution.run import materialize
from assets_core.keys import AssetKey


@asset
def orders() -> pd.DataFrame:
    return pd.DataFrame(
        {"day": ["d1", "d1", "d2"], "amount": [1.0, 2.0, 4.0], "status": ["paid", "void", "paid"]}
    )


def test_a_cte_named_like_the_table_it_reads_reads_that_table(sqlite_catalog: Catalog) -> None:
    paid = sql_asset(
        "paid",
        "WITH orders AS (SELECT * FROM orders WHERE status = 'paid') "
        "SELECT day, sum(amount) AS revenue FROM orders GROUP BY day ORDER BY day",
    )
    defs = Definitions(assets=[orders, paid])
    assert defs.graph.get(AssetKey.parse("paid")).parents == (AssetKey.parse("orders"),)
    result = materialize(defs, catalog=sqlite_catalog)
    assert result.success
    table = result.output_for("paid")
    assert table.to_pydict() == {"day": ["d1", "d2"], "revenue": [1.0, 4.0]}


def test_tables_in_subqueries_and_joins_are_upstreams() -> None:
    @asset
    def refunds() -> pd.DataFrame:
        return pd.DataFrame({"day": ["d1"]})

    net = sql_asset(
        "net",
        "WITH r AS (SELECT day FROM refunds) SELECT o.day FROM orders o "
        "WHERE o.day NOT IN (SELECT day FROM r)",
    )
    defs = Definitions(assets=[orders, refunds, net])
    assert {str(k) for k in defs.graph.get(AssetKey.parse("net")).parents} == {"refunds", "orders"}
