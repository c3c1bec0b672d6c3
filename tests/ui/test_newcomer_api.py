"""What a newcomer reaches for in the API: materialize any list of partition keys or a
``partitionRange``, ``nextCursor`` null on the last page, a selection filter that
matches nothing as a coded error, and ``Asset.metadata`` (static metadata, the SQL
of SQL assets, the preview the engine records) — on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from tests.ui.conftest import UiServer

MATERIALIZE = """mutation($s: String!, $p: [String!], $r: PartitionRangeInput) {
    materialize(selection: $s, partitions: $p, partitionRange: $r) { id status } }"""


def _launch(server: UiServer, **variables: Any) -> dict[str, Any]:
    run: dict[str, Any] = server.data(MATERIALIZE, **variables)["materialize"]
    assert run["status"] == "QUEUED"
    return server.wait_run(run["id"])


def test_materialize_takes_any_partition_keys_or_a_range(server: UiServer) -> None:
    # Two keys that are not neighbours (eu, us, apac): exactly those two run.
    run = _launch(server, s="by_region", p=["apac", "eu"])
    assert run["status"] == "SUCCESS", run
    assert sorted(s["partition"] for s in run["steps"]) == ["apac", "eu"]
    three = _launch(server, s="by_region", p=["us", "eu", "apac"])
    assert sorted(s["partition"] for s in three["steps"]) == ["apac", "eu", "us"]
    ranged = _launch(server, s="by_region", r={"from": "eu", "to": "us"})
    assert sorted(s["partition"] for s in ranged["steps"]) == ["eu", "us"]
    stored = server.data("query($id: String!) { run(id: $id) { partitions } }", id=run["id"])[
        "run"
    ]["partitions"]
    assert stored == ["apac", "eu"]


def test_partition_argument_errors_are_coded(server: UiServer) -> None:
    before = server.data("{ runs(limit: 500) { runs { id } } }")["runs"]["runs"]
    cases: list[tuple[dict[str, Any], str, str]] = [
        ({"s": "by_region", "p": ["eu", "mars"]}, "INVALID_PARTITION", "'mars'"),
        (
            {"s": "by_region", "p": ["eu"], "r": {"from": "eu", "to": "us"}},
            "BAD_USER_INPUT",
            "not both",
        ),
        ({"s": "by_region", "p": ["eu...us"]}, "BAD_USER_INPUT", "partitionRange"),
        ({"s": "by_region", "r": {"from": "eu", "to": "mars"}}, "INVALID_PARTITION", "mars"),
        ({"s": "group:region"}, "INVALID_SELECTION", "Did you mean 'group:regions'?"),
    ]
    for variables, code, fragment in cases:
        error = server.error(MATERIALIZE, **variables)
        assert error["extensions"]["code"] == code, (variables, error)
        assert fragment in error["message"], (variables, error)
    after = server.data("{ runs(limit: 500) { runs { id } } }")["runs"]["runs"]
    assert after == before  # nothing was queued


def test_a_selection_filter_that_matches_nothing_is_a_coded_error(server: UiServer) -> None:
    error = server.error('{ assets(selection: "tag:tier=platnum") { key } }')
    assert error["extensions"]["code"] == "INVALID_SELECTION"
    assert "'tag:tier=platnum' matches no asset" in error["message"]
    empty = server.data('{ assets(selection: "group:sales and group:ops") { key } }')
    assert empty["assets"] == []


def test_next_cursor_is_null_on_the_last_page_even_when_full(server: UiServer) -> None:
    for _ in range(2):
        _launch(server, s="raw_orders")
    total = len(server.data("{ runs(limit: 500) { runs { id } } }")["runs"]["runs"])
    query = "query($n: Int) { runs(limit: $n) { runs { id } nextCursor } }"
    exact = server.data(query, n=total)["runs"]
    assert len(exact["runs"]) == total and exact["nextCursor"] is None
    short = server.data(query, n=total - 1)["runs"]
    assert short["nextCursor"] is not None
    rest = server.data(
        "query($c: String) { runs(limit: 1, cursor: $c) { runs { id } nextCursor } }",
        c=short["nextCursor"],
    )["runs"]
    assert len(rest["runs"]) == 1 and rest["nextCursor"] is None
    # A page of no runs would have no cursor to go on from: a usage error, not a crash.
    for paged in ("runs(limit: 0) { nextCursor }", "ticks(limit: 0) { nextCursor }"):
        error = server.error(f"{{ {paged} }}")
        assert error["extensions"]["code"] == "BAD_USER_INPUT"
        assert error["message"] == "limit must be >= 1, got 0."


def test_asset_metadata_shows_static_metadata_sql_and_the_preview(server: UiServer) -> None:
    _launch(server, s="raw_orders")
    query = """{ raw: asset(key: "raw_orders") { metadata }
                 revenue: asset(key: "revenue") { metadata }
                 report: asset(key: "report") { metadata } }"""
    got = server.data(query)
    raw = got["raw"]["metadata"]
    assert raw["source"] == "shop export" and raw["docs"] == {"sla_hours": 24}
    assert raw["preview"]["columns"] == ["day", "amount"]
    assert raw["preview"]["rows"][0] == ["2024-01-01", 1.0]
    assert got["revenue"]["metadata"]["sql"] == (
        "SELECT day, sum(amount) AS revenue FROM orders_clean GROUP BY day"
    )
    assert got["report"]["metadata"] == {}
