"""Queries through a real server: lineage checked against the asset graph, assets,
errors with codes, runs paging, impact, health, metrics and the UI fallback page."""

from __future__ import annotations

import pytest

from assets_core.graph.select import select
from tests.ui.conftest import UiServer

LINEAGE = """query($s: String!, $up: Int, $down: Int) {
  lineage(selection: $s, upstreamDepth: $up, downstreamDepth: $down) {
    nodes { key group kind status depth } edges { source target } } }"""


@pytest.mark.parametrize(
    ("selection", "up", "down"),
    [("*", None, None), ("orders_clean", 1, 2), ("revenue", None, 1), ("group:ops", 0, 1),
     ("raw_orders+ or flaky", 2, 0), ("report", 10, None)],
)  # fmt: skip
def test_lineage_matches_the_graph(
    server: UiServer, selection: str, up: int | None, down: int | None
) -> None:
    graph = server.state.location.graph
    lineage = server.data(LINEAGE, s=selection, up=up, down=down)["lineage"]
    base = select(graph, selection)
    expected = {str(k): 0 for k in base}
    if up:
        for k in base:
            for a, d in graph.depths(k, "upstream", up).items():
                if str(a) not in expected or (expected[str(a)] < 0 and -d > expected[str(a)]):
                    expected.setdefault(str(a), -d)
    if down:
        for k in base:
            for a, d in graph.depths(k, "downstream", down).items():
                expected.setdefault(str(a), d)
    nodes = {n["key"]: n for n in lineage["nodes"]}
    assert set(nodes) == set(expected)
    for key, node in nodes.items():
        spec = graph.get(key).spec
        assert (node["group"], node["kind"]) == (spec.group, spec.kind)
        assert node["status"] in {"MISSING", "FRESH", "STALE", "FAILED", "OVERDUE", "CHECK_FAILED"}
        assert (node["depth"] == 0) == (key in {str(k) for k in base})
        assert abs(node["depth"]) <= max(up or 0, down or 0)
    order = [n["key"] for n in lineage["nodes"]]
    assert order == [str(k) for k in graph.sorted(graph.resolve(k) for k in nodes)]
    edges = {(e["source"], e["target"]) for e in lineage["edges"]}
    assert edges == {
        (str(p), key) for key in nodes for p in graph.parents(graph.resolve(key)) if str(p) in nodes
    }
    assert len(edges) == len(lineage["edges"])


def test_lineage_depths_are_signed_distances(server: UiServer) -> None:
    lineage = server.data(LINEAGE, s="revenue", up=5, down=5)["lineage"]
    depth = {n["key"]: n["depth"] for n in lineage["nodes"]}
    assert depth == {"raw_orders": -2, "orders_clean": -1, "revenue": 0, "report": 1}


def test_assets_selection_search_and_fields(server: UiServer) -> None:
    data = server.data(
        """{ assets(selection: "group:sales", search: "ORDERS") {
            key path group description owners tags kind codeVersion
            partitionsDef { kind } upstream { key } downstream { key }
            checks { name severity blocking } configSchema } }"""
    )
    by_key = {a["key"]: a for a in data["assets"]}
    assert list(by_key) == ["raw_orders", "orders_clean"]
    raw = by_key["raw_orders"]
    assert raw["owners"] == ["team:analytics"]
    assert raw["tags"] == {"tier": "bronze"}
    assert raw["codeVersion"] == "1"
    assert raw["description"] == "Orders as they arrive."
    assert raw["downstream"] == [{"key": "orders_clean"}]
    assert by_key["orders_clean"]["checks"] == [
        {"name": "not_null_amount", "severity": "error", "blocking": True}
    ]
    one = server.data(
        '{ asset(key: "raw/events") { key path kind upstream(depth: null) { key } } }'
    )
    assert one["asset"] == {
        "key": "raw/events",
        "path": ["raw", "events"],
        "kind": "external",
        "upstream": [],
    }
    slow = server.data('{ asset(key: "slow") { configSchema } }')["asset"]
    assert slow["configSchema"] == {"seconds": {"type": "float", "default": 0.0, "required": False}}


def test_upstream_and_downstream_depths(server: UiServer) -> None:
    asset = server.data(
        """{ asset(key: "report") { u1: upstream { key } u2: upstream(depth: 2) { key }
             all: upstream(depth: null) { key } d: downstream { key } } }"""
    )["asset"]
    assert [a["key"] for a in asset["u1"]] == ["revenue"]
    assert [a["key"] for a in asset["u2"]] == ["orders_clean", "revenue"]
    assert [a["key"] for a in asset["all"]] == ["raw_orders", "orders_clean", "revenue"]
    assert asset["d"] == []


def test_partitions_def_and_stats(server: UiServer) -> None:
    asset = server.data(
        """{ asset(key: "by_region") { partitionsDef { kind description total keys(limit: 2) }
             partitionStats { total materialized failed missing ranges } } }"""
    )["asset"]
    assert asset["partitionsDef"]["kind"] == "static"
    assert asset["partitionsDef"]["total"] == 3
    assert asset["partitionsDef"]["keys"] == ["eu", "us"]
    stats = asset["partitionStats"]
    assert stats["total"] == 3
    assert stats["materialized"] + stats["failed"] + stats["missing"] == 3
    assert sum(r["count"] for r in stats["ranges"]) == 3


def test_unknown_asset_is_not_found(server: UiServer) -> None:
    error = server.error('{ asset(key: "raw_ordrs") { key } }')
    assert error["extensions"]["code"] == "NOT_FOUND"
    assert "Unknown asset 'raw_ordrs'" in error["message"]
    assert "raw_orders" in error["message"]  # did you mean
    assert "Traceback" not in error["message"]


def test_bad_selection_is_invalid_selection_with_a_caret(server: UiServer) -> None:
    error = server.error('{ lineage(selection: "raw_orders and (flaky") { nodes { key } } }')
    assert error["extensions"]["code"] == "INVALID_SELECTION"
    lines = error["message"].splitlines()
    assert any(line.strip() == "raw_orders and (flaky" for line in lines)
    assert lines[-1].strip() == "^"
    error = server.error('{ assets(selection: "group:sales or nosuch") { key } }')
    assert error["extensions"]["code"] == "INVALID_SELECTION"
    assert "nosuch" in error["message"] and "^" in error["message"]


def test_bad_arguments_are_bad_user_input(server: UiServer) -> None:
    for query in (
        '{ lineage(selection: "*", upstreamDepth: -1) { nodes { key } } }',
        '{ asset(key: "raw_orders") { upstream(depth: -2) { key } } }',
        '{ runs(cursor: "not a cursor") { runs { id } } }',
        "{ runs(limit: 100000) { runs { id } } }",
        '{ asset(key: "raw_orders") { materializations(before: "x") { id } } }',
        "{ nosuchfield }",
        "{ assets { key ",
    ):
        error = server.error(query)
        assert error["extensions"]["code"] == "BAD_USER_INPUT", (query, error)


def test_unknown_run_is_not_found(server: UiServer) -> None:
    error = server.error('{ run(id: "0000000000") { id } }')
    assert error["extensions"]["code"] == "NOT_FOUND"


def test_impact_follows_column_lineage(server: UiServer) -> None:
    impact = server.data(
        '{ impact(asset: "raw_orders", column: "amount") {'
        " asset column assets columns { asset column } } }"
    )["impact"]
    # report only runs after revenue: none of its columns changes, so it is not listed
    assert impact["assets"] == ["orders_clean", "revenue"]
    assert {(c["asset"], c["column"]) for c in impact["columns"]} == {
        ("orders_clean", "amount"),
        ("revenue", "revenue"),
    }
    query = '{ impact(asset: "raw_orders") { assets columns { asset column } } }'
    whole = server.data(query)["impact"]
    assert whole["assets"] == ["orders_clean", "revenue", "report"]
    assert ("revenue", "day") in {(c["asset"], c["column"]) for c in whole["columns"]}
    error = server.error('{ impact(asset: "raw_orders", column: "amont") { assets } }')
    assert error["extensions"]["code"] == "NOT_FOUND" and "amount" in error["message"]


def test_sql_asset_column_lineage_is_derived(server: UiServer) -> None:
    asset = server.data(
        '{ asset(key: "revenue") { columns { name }'
        " columnLineage { column sources { asset column } } } }"
    )["asset"]
    lineage = {c["column"]: c["sources"] for c in asset["columnLineage"]}
    assert lineage["revenue"] == [{"asset": "orders_clean", "column": "amount"}]
    assert lineage["day"] == [{"asset": "orders_clean", "column": "day"}]


def test_runs_pages_with_an_opaque_cursor(server: UiServer) -> None:
    ids = [server.materialize("raw_orders") for _ in range(3)]
    for run_id in ids:
        server.wait_run(run_id)
    seen: list[str] = []
    cursor = None
    while True:
        page = server.data(
            "query($c: String) { runs(limit: 2, cursor: $c) { runs { id status } nextCursor } }",
            c=cursor,
        )["runs"]
        seen += [r["id"] for r in page["runs"]]
        cursor = page["nextCursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen))
    assert seen[:3] == ids[::-1]
    success = server.data("{ runs(status: SUCCESS, limit: 50) { runs { status } } }")["runs"][
        "runs"
    ]
    assert success and all(r["status"] == "SUCCESS" for r in success)


def test_healthz_metrics_and_graphiql(server: UiServer) -> None:
    health = server.client.get("/healthz").json()
    assert health["status"] == "ok" and health["assets"] == 11 and health["worker_pid"]
    metrics = server.client.get("/metrics").text
    assert 'assetline_runs{status="SUCCESS"}' in metrics
    assert "assetline_run_queue_depth" in metrics
    assert "assetline_step_duration_seconds_bucket" in metrics
    assert 'assetline_asset_freshness_max_lag_seconds{asset="orders_clean"} 93600.0' in metrics
    ide = server.client.get("/graphql", headers={"accept": "text/html"})
    assert ide.status_code == 200 and "graphiql" in ide.text.lower()
