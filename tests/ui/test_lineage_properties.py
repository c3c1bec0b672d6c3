"""Property tests through the real server: for random selection expressions and
depths, ``lineage`` returns exactly the selected assets expanded by the depths, in
topological order, with every edge among them; ``assets`` returns the same keys."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assets_core.errors import SelectionError
from assets_core.graph.select import select
from tests.strategies import selection_nodes
from tests.ui.conftest import UiServer, start_server

NAMES = ["raw_orders", "orders_clean", "revenue", "report", "slow", "flaky", "raw/events"]
LINEAGE = """query($s: String!, $up: Int, $down: Int) {
  lineage(selection: $s, upstreamDepth: $up, downstreamDepth: $down) {
    nodes { key depth } edges { source target } } }"""


@pytest.fixture(scope="module")
def ui(tmp_path_factory: pytest.TempPathFactory) -> Iterator[UiServer]:
    server = start_server(tmp_path_factory.mktemp("props"))
    yield server
    server.close()


@given(
    node=selection_nodes(NAMES, max_leaves=5),
    up=st.none() | st.integers(0, 3),
    down=st.none() | st.integers(0, 3),
)
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_lineage_is_the_expanded_selection(
    ui: UiServer, node: object, up: int | None, down: int | None
) -> None:
    graph = ui.state.location.graph
    expression = str(node)
    try:
        base = select(graph, expression)
    except SelectionError as e:  # a filter that matches no asset: the same coded error
        assert "matches no asset" in str(e)
        for error in (
            ui.error(LINEAGE, s=expression, up=up, down=down),
            ui.error("query($s: String) { assets(selection: $s) { key } }", s=expression),
        ):
            assert error["extensions"]["code"] == "INVALID_SELECTION"
            assert str(e).splitlines()[0] in error["message"]
        return
    expected = set(base)
    if up:
        expected |= graph.upstream(base, up)
    if down:
        expected |= graph.downstream(base, down)
    lineage = ui.data(LINEAGE, s=expression, up=up, down=down)["lineage"]
    keys = [n["key"] for n in lineage["nodes"]]
    assert keys == [str(k) for k in graph.sorted(expected)]
    assert all((n["depth"] == 0) == (graph.resolve(n["key"]) in base) for n in lineage["nodes"])
    edges = {(e["source"], e["target"]) for e in lineage["edges"]}
    assert edges == {(str(p), str(k)) for k in expected for p in graph.parents(k) if p in expected}
    assets = ui.data("query($s: String) { assets(selection: $s) { key } }", s=expression)
    assert [a["key"] for a in assets["assets"]] == [str(k) for k in graph.sorted(base)]
