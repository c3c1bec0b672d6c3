"""Limits that keep one request from exhausting the server: query depth, aliases,
tokens, page sizes and the number of assets in one result."""

from __future__ import annotations

import pytest

from assets_ui.graphql.context import MAX_ASSETS_PER_REQUEST
from assets_ui.graphql.schema import MAX_ALIASES, MAX_DEPTH, MAX_TOKENS
from tests.ui.conftest import UiServer


def _nested(depth: int) -> str:
    inner = "key"
    for _ in range(depth):
        inner = f"upstream {{ {inner} }}"
    return f'{{ asset(key: "report") {{ {inner} }} }}'


def test_query_depth_is_limited(server: UiServer) -> None:
    assert server.data(_nested(MAX_DEPTH - 2))["asset"] is not None
    error = server.error(_nested(MAX_DEPTH + 2))
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "exceeds maximum operation depth" in error["message"]


def test_introspection_is_not_counted_as_depth(server: UiServer) -> None:
    query = (
        "{ __schema { types { name fields { name type { ofType { ofType { ofType { name } } } } }"
        " } } }"
    )
    assert server.data(query)["__schema"]["types"]


def test_aliases_are_limited(server: UiServer) -> None:
    ok = " ".join(f'a{i}: asset(key: "raw_orders") {{ key }}' for i in range(MAX_ALIASES))
    assert len(server.data(f"{{ {ok} }}")) == MAX_ALIASES
    many = " ".join(f'a{i}: asset(key: "raw_orders") {{ key }}' for i in range(MAX_ALIASES + 5))
    error = server.error(f"{{ {many} }}")
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "aliases" in error["message"]


def test_tokens_are_limited(server: UiServer) -> None:
    query = "{ " + " ".join("__typename" for _ in range(MAX_TOKENS)) + " }"
    error = server.error(query)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "token" in error["message"].lower()


@pytest.mark.parametrize(
    "query",
    [
        "{ runs(limit: 501) { runs { id } } }",
        "{ runs(limit: -1) { runs { id } } }",
        '{ asset(key: "raw_orders") { materializations(limit: 501) { id } } }',
        '{ asset(key: "by_region") { partitionsDef { keys(limit: 100001) } } }',
        '{ asset(key: "orders_clean") { checks { history(limit: 1000) { status } } } }',
    ],
)
def test_page_sizes_are_capped(server: UiServer, query: str) -> None:
    error = server.error(query)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "must be" in error["message"]


def test_runs_events_page_is_capped(server: UiServer) -> None:
    run_id = server.materialize("raw_orders")
    server.wait_run(run_id)
    query = "query($id: String!, $n: Int) { run(id: $id) { events(limit: $n) { seq } } }"
    assert len(server.data(query, id=run_id, n=2)["run"]["events"]) == 2
    error = server.error(query, id=run_id, n=1_000_000)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


def test_assets_per_request_are_capped(server: UiServer, monkeypatch: pytest.MonkeyPatch) -> None:
    import assets_ui.graphql.context as context

    monkeypatch.setattr(context, "MAX_ASSETS_PER_REQUEST", 15)
    query = "{ assets { key upstream(depth: null) { key downstream(depth: null) { key } } } }"
    error = server.error(query)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "assets in all" in error["message"]
    assert MAX_ASSETS_PER_REQUEST >= 100_000
