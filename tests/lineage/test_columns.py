"""Column lineage across a graph (SPEC §11): known from definitions alone, multi-hop
through SQL assets, ``*`` from declared or stored schemas, Python assets' declared
lineage, impact and the column graph."""

from __future__ import annotations

import pandas as pd

from assets_core import Definitions, asset, sql_asset
from assets_core.catalog.catalog import Catalog
from assets_core.execution.run import materialize
from assets_core.keys import AssetKey
from assets_core.lineage.columns import ColumnLineage, ColumnSource
from assets_core.lineage.impact import column_graph, impact


def _raw_orders() -> pd.DataFrame:
    return pd.DataFrame({"id": [1, 2], "day": ["d1", "d2"], "amount": [1.0, -2.0]})


@asset(columns={"id": "int", "day": "str", "amount": "float", "status": "str"})
def orders() -> pd.DataFrame:
    return _raw_orders().assign(status="paid")


@asset(columns={"id": "int", "name": "str"})
def customers() -> pd.DataFrame:
    return pd.DataFrame({"id": [1], "name": ["ann"]})


@asset
def events() -> pd.DataFrame:  # no declared columns: known once materialized
    return pd.DataFrame({"kind": ["click"], "order_id": [1]})


clean = sql_asset("clean", "SELECT * FROM orders WHERE status = 'paid'")
daily = sql_asset(
    "daily", "SELECT day, sum(amount) AS revenue, count(*) AS n FROM clean GROUP BY day"
)
ranked = sql_asset(
    "ranked", "SELECT day, rank() OVER (ORDER BY revenue DESC) AS position FROM daily"
)
tagged = sql_asset("tagged", "SELECT e.*, o.day FROM events e JOIN orders o ON o.id = e.order_id")


@asset(columns={"day": "str", "label": "str"}, column_lineage={"label": ["daily.revenue"]})
def labels(daily: pd.DataFrame) -> pd.DataFrame:
    return daily.assign(label="x")[["day", "label"]]


DEFS = Definitions(assets=[orders, customers, events, clean, daily, ranked, tagged, labels])


def _lineage(stored: dict[AssetKey, list[str]] | None = None) -> ColumnLineage:
    return ColumnLineage(DEFS.graph, stored)


def _k(name: str) -> AssetKey:
    return AssetKey.parse(name)


def test_known_from_definitions_alone_through_several_sql_hops() -> None:
    lineage = _lineage()
    assert lineage.columns(_k("clean")) == ("id", "day", "amount", "status")
    revenue = lineage.lineage(_k("daily"))["revenue"]
    # one hop: daily reads clean (which reads orders)
    assert revenue.direct == (ColumnSource("clean", "amount", "AGGREGATION"),)
    assert revenue.indirect == (ColumnSource("clean", "day", "GROUP_BY"),)
    assert lineage.lineage(_k("clean"))["amount"].indirect == (
        ColumnSource("orders", "status", "FILTER"),
    )
    position = lineage.lineage(_k("ranked"))["position"]
    assert position.direct == ()
    assert position.indirect == (ColumnSource("daily", "revenue", "WINDOW"),)


def test_sql_lineage_is_named_by_upstream_asset_not_by_table() -> None:
    day = _lineage().lineage(_k("daily"))["day"]
    # "clean" is the asset read; it is one hop, whatever clean itself reads
    assert day.direct == (ColumnSource("clean", "day", "IDENTITY"),)


def test_python_asset_declares_its_lineage() -> None:
    lineage = _lineage()
    assert lineage.columns(_k("labels")) == ("day", "label")
    assert lineage.lineage(_k("labels"))["label"].direct == (
        ColumnSource("daily", "revenue", "TRANSFORMATION"),
    )


def test_star_over_an_undeclared_asset_waits_for_its_stored_schema() -> None:
    lineage = _lineage()
    assert lineage.columns(_k("tagged")) == ("day",)
    assert _k("events") in lineage.wanted
    assert lineage.add_stored({_k("events"): ["kind", "order_id"]})
    assert lineage.columns(_k("tagged")) == ("kind", "order_id", "day")
    assert lineage.lineage(_k("tagged"))["kind"].direct == (
        ColumnSource("events", "kind", "IDENTITY"),
    )
    assert not lineage.add_stored({_k("events"): ["kind", "order_id"]})


def test_stored_schema_comes_from_the_latest_materialization(sqlite_catalog: Catalog) -> None:
    assert materialize(DEFS, "events", catalog=sqlite_catalog).success
    lineage = _lineage()
    lineage.columns(_k("tagged"))
    stored = sqlite_catalog.latest_columns([str(k) for k in lineage.wanted])
    lineage.add_stored({AssetKey.parse(k): v for k, v in stored.items()})
    assert lineage.columns(_k("tagged")) == ("kind", "order_id", "day")


def test_impact_follows_direct_edges_and_lists_only_affected_assets() -> None:
    lineage = _lineage()
    found = impact(lineage, _k("orders"), "amount")
    assert found.columns == (("clean", "amount"), ("daily", "revenue"), ("labels", "label"))
    assert [str(k) for k in found.assets] == ["clean", "daily", "labels"]
    status = impact(lineage, _k("orders"), "status")
    assert status.columns == (("clean", "status"),)
    wide = impact(lineage, _k("orders"), "status", include_indirect=True)
    assert ("daily", "revenue") in wide.columns and ("ranked", "position") in wide.columns
    assert [str(k) for k in wide.assets] == ["clean", "daily", "ranked", "labels"]
    whole = impact(lineage, _k("daily"))
    assert [str(k) for k in whole.assets] == ["ranked", "labels"]


def test_column_graph_both_ways_with_depths() -> None:
    lineage = _lineage()
    graph = column_graph(lineage, _k("daily"), "revenue", 1, 1)
    assert graph.nodes[0] == ("daily", "revenue")
    edges = {(e.source, e.target, e.type, e.subtype) for e in graph.edges}
    assert edges == {
        (("clean", "amount"), ("daily", "revenue"), "DIRECT", "AGGREGATION"),
        (("clean", "day"), ("daily", "revenue"), "INDIRECT", "GROUP_BY"),
        (("daily", "revenue"), ("ranked", "position"), "INDIRECT", "WINDOW"),
        (("daily", "revenue"), ("labels", "label"), "DIRECT", "TRANSFORMATION"),
    }
    deeper = column_graph(lineage, _k("daily"), "revenue", None, 0)
    assert ("orders", "amount") in deeper.nodes and ("orders", "status") in deeper.nodes
    assert ("ranked", "position") not in deeper.nodes


def test_a_long_chain_of_sql_assets_does_not_recurse() -> None:
    assets = [orders]
    previous = "orders"
    for i in range(3000):
        assets.append(sql_asset(f"s{i}", f"SELECT * FROM {previous}"))
        previous = f"s{i}"
    lineage = ColumnLineage(Definitions(assets=assets).graph)
    assert lineage.columns(_k("s2999")) == ("id", "day", "amount", "status")
    found = impact(lineage, _k("orders"), "day")
    assert len(found.columns) == 3000
