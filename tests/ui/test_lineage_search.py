"""``lineage(search:)``: the selected assets whose key contains a word (the UI's
filter box sends a plain word this way; issue 16)."""

from __future__ import annotations

from tests.ui.conftest import UiServer

QUERY = """query($s: String!, $q: String, $up: Int) {
  lineage(selection: $s, search: $q, upstreamDepth: $up) {
    nodes { key depth } edges { source target } } }"""


def keys(server: UiServer, selection: str, search: str | None, up: int | None = None) -> list[str]:
    lineage = server.data(QUERY, s=selection, q=search, up=up)["lineage"]
    return [n["key"] for n in lineage["nodes"]]


def test_search_keeps_keys_that_contain_the_word(server: UiServer) -> None:
    every = keys(server, "*", None)
    found = keys(server, "*", "ORDERS")
    assert found == [k for k in every if "orders" in k.lower()]
    assert "raw_orders" in found and "orders_clean" in found
    assert len(found) < len(every)


def test_search_within_a_selection_and_expanded(server: UiServer) -> None:
    assert keys(server, "raw_orders", "clean") == []
    assert keys(server, "raw_orders+", "clean") == ["orders_clean"]
    # Expansion applies to what the search kept.
    grown = keys(server, "*", "orders_clean", up=1)
    assert grown == ["raw_orders", "orders_clean"]
    lineage = server.data(QUERY, s="*", q="orders_clean", up=1)["lineage"]
    assert lineage["edges"] == [{"source": "raw_orders", "target": "orders_clean"}]


def test_no_match_and_empty_search(server: UiServer) -> None:
    assert keys(server, "*", "no-such-word") == []
    assert keys(server, "*", "") == keys(server, "*", None)
