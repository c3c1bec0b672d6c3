"""Column lineage over GraphQL (SPEC §11): ``columnLineage`` with DIRECT ``sources`` and
``indirect`` ones, ``impact(includeIndirect)``, ``columnGraph``, and the lineage of an
asset removed from the code. The location is fresh: nothing is materialized unless a
test says so."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.ui.conftest import FIXTURES, UiServer, start_server

LOCATION = FIXTURES / "lineage_location.py"
LINEAGE = """query($key: String!) { asset(key: $key) { removed columns { name }
    columnLineage { column sources { asset column type subtype }
                    indirect { asset column type subtype } } } }"""


@pytest.fixture
def lineage_server(tmp_path: Path) -> Iterator[tuple[UiServer, Path]]:
    location = tmp_path / "lineage_location.py"
    location.write_text(LOCATION.read_text())
    ui = start_server(tmp_path / "home", file=location)
    yield ui, location
    ui.close()


def _lineage(ui: UiServer, key: str) -> dict[str, dict[str, set[tuple[str, ...]]]]:
    asset = ui.data(LINEAGE, key=key)["asset"]
    return {
        c["column"]: {
            "sources": {tuple(s.values()) for s in c["sources"]},
            "indirect": {tuple(s.values()) for s in c["indirect"]},
        }
        for c in asset["columnLineage"]
    }


def test_column_lineage_is_known_before_anything_is_materialized(
    lineage_server: tuple[UiServer, Path],
) -> None:
    ui, _ = lineage_server
    daily = _lineage(ui, "daily")
    assert daily["revenue"] == {
        "sources": {("clean", "amount", "DIRECT", "AGGREGATION")},
        "indirect": {("clean", "day", "INDIRECT", "GROUP_BY")},
    }
    clean = _lineage(ui, "clean")
    assert list(clean) == ["id", "day", "amount", "status"]
    assert clean["amount"]["indirect"] == {("orders", "status", "INDIRECT", "FILTER")}
    ranked = _lineage(ui, "ranked")
    assert ranked["position"] == {
        "sources": set(),
        "indirect": {("daily", "revenue", "INDIRECT", "WINDOW")},
    }
    columns = ui.data('{ asset(key: "daily") { columns { name } } }')["asset"]["columns"]
    assert [c["name"] for c in columns] == ["day", "revenue"]


def test_star_over_an_undeclared_asset_is_expanded_once_it_is_materialized(
    lineage_server: tuple[UiServer, Path],
) -> None:
    ui, _ = lineage_server
    assert list(_lineage(ui, "tagged")) == ["day"]
    assert ui.wait_run(ui.materialize("events"))["status"] == "SUCCESS"
    tagged = _lineage(ui, "tagged")
    assert list(tagged) == ["kind", "order_id", "day"]
    assert tagged["kind"]["sources"] == {("events", "kind", "DIRECT", "IDENTITY")}
    assert ("events", "order_id", "INDIRECT", "JOIN") in tagged["kind"]["indirect"]


def test_impact_follows_direct_edges_unless_asked_for_indirect(
    lineage_server: tuple[UiServer, Path],
) -> None:
    ui, _ = lineage_server
    query = """query($c: String!, $i: Boolean!) {
        impact(asset: "orders", column: $c, includeIndirect: $i) {
            assets columns { asset column } } }"""
    amount = ui.data(query, c="amount", i=False)["impact"]
    assert amount["assets"] == ["clean", "daily"]
    assert amount["columns"] == [
        {"asset": "clean", "column": "amount"},
        {"asset": "daily", "column": "revenue"},
    ]
    status = ui.data(query, c="status", i=False)["impact"]
    assert status["assets"] == ["clean"]
    wide = ui.data(query, c="status", i=True)["impact"]
    assert wide["assets"] == ["clean", "daily", "ranked"]
    assert {"asset": "ranked", "column": "position"} in wide["columns"]


def test_column_graph_nodes_and_edges(lineage_server: tuple[UiServer, Path]) -> None:
    ui, _ = lineage_server
    query = """query($u: Int, $d: Int) { columnGraph(asset: "daily", column: "revenue",
        upstreamDepth: $u, downstreamDepth: $d) {
        nodes { id asset column } edges { source target type subtype } } }"""
    graph = ui.data(query, u=1, d=1)["columnGraph"]
    assert graph["nodes"][0] == {"id": "daily.revenue", "asset": "daily", "column": "revenue"}
    assert {n["id"] for n in graph["nodes"]} == {
        "daily.revenue", "clean.amount", "clean.day", "ranked.position",
    }  # fmt: skip
    assert {tuple(e.values()) for e in graph["edges"]} == {
        ("clean.amount", "daily.revenue", "DIRECT", "AGGREGATION"),
        ("clean.day", "daily.revenue", "INDIRECT", "GROUP_BY"),
        ("daily.revenue", "ranked.position", "INDIRECT", "WINDOW"),
    }
    everything = ui.data(query, u=None, d=None)["columnGraph"]
    assert {"orders.amount", "orders.status"} <= {n["id"] for n in everything["nodes"]}


def test_column_graph_and_impact_errors(lineage_server: tuple[UiServer, Path]) -> None:
    ui, _ = lineage_server
    error = ui.error('{ columnGraph(asset: "daily", column: "revenu") { nodes { id } } }')
    assert error["extensions"]["code"] == "NOT_FOUND"
    assert "revenue" in error["message"]
    error = ui.error(
        '{ columnGraph(asset: "daily", column: "revenue", upstreamDepth: -1) { nodes { id } } }'
    )
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "upstreamDepth must be >= 0" in error["message"]
    error = ui.error('{ columnGraph(asset: "dayly", column: "x") { nodes { id } } }')
    assert error["extensions"]["code"] == "NOT_FOUND"


def test_a_removed_asset_keeps_its_lineage(lineage_server: tuple[UiServer, Path]) -> None:
    ui, location = lineage_server
    source = location.read_text()
    location.write_text(
        source.replace("defs = Definitions(assets=[orders, events, clean, daily, ranked, tagged])",
                       "defs = Definitions(assets=[orders, events, clean, tagged])")
    )  # fmt: skip
    ui.data("mutation { reload }")
    asset = ui.data(
        """{ asset(key: "daily") { key removed group kind
            upstream { key removed } downstream { key removed } } }"""
    )["asset"]
    assert asset == {
        "key": "daily",
        "removed": True,
        "group": "marts",
        "kind": "sql",
        "upstream": [{"key": "clean", "removed": False}],
        "downstream": [{"key": "ranked", "removed": True}],
    }
    daily = _lineage(ui, "daily")
    assert daily["revenue"]["sources"] == {("clean", "amount", "DIRECT", "AGGREGATION")}
    assert ui.data('{ asset(key: "clean") { removed } }')["asset"]["removed"] is False
    lineage = ui.data(
        '{ lineage(selection: "daily", upstreamDepth: 1, downstreamDepth: 1) {'
        " nodes { key depth } edges { source target } } }"
    )["lineage"]
    assert {(n["key"], n["depth"]) for n in lineage["nodes"]} == {
        ("daily", 0), ("clean", -1), ("ranked", 1),
    }  # fmt: skip
    assert {(e["source"], e["target"]) for e in lineage["edges"]} == {
        ("clean", "daily"), ("daily", "ranked"),
    }  # fmt: skip
    error = ui.error('{ asset(key: "never_existed") { key } }')
    assert error["extensions"]["code"] == "NOT_FOUND"
