"""The response cache serves a query again only while its answer is still right:
nothing committed to the catalog (by this server or any other process), the same
definitions, the same caller, the same variables, and not past its age."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from assets_ui.graphql.cache import ResponseCache
from tests.ui.conftest import UiServer, start_server

TOTAL = '{ asset(key: "per_customer") { partitionsDef { total } } }'


def _served_again(ui: UiServer, query: str, **variables: object) -> tuple[dict, bool]:  # type: ignore[type-arg]
    """The answer to ``query`` and whether it came from the cache."""
    hits = ui.state.responses.hits
    body = ui.gql(query, **variables)
    return body, ui.state.responses.hits == hits + 1


def _hits_are_reliable(ui: UiServer) -> bool:
    """On PostgreSQL the commit marker moves with any write in the whole cluster
    (other test sessions included): a hit cannot be counted on there, only a miss."""
    return bool(ui.state.catalog.commits.is_local)


def test_a_repeated_query_is_served_from_the_cache_until_the_catalog_changes(
    server: UiServer,
) -> None:
    first, cached = _served_again(server, TOTAL)
    again, cached = _served_again(server, TOTAL)
    assert again == first
    assert cached or not _hits_are_reliable(server)
    before = first["data"]["asset"]["partitionsDef"]["total"]
    # Another process writes to the catalog: the next answer sees it.
    code = (
        "import sys; from assets_core.catalog.catalog import Catalog; "
        "c = Catalog.open(sys.argv[1]); c.add_dynamic_partitions('customers', [sys.argv[2]]); "
        "c.close()"
    )
    name = f"cust-{time.monotonic_ns()}"
    url = server.state.catalog.engine.url.render_as_string(hide_password=False)
    subprocess.run([sys.executable, "-c", code, url, name], check=True, timeout=60)
    after, cached = _served_again(server, TOTAL)
    assert not cached
    assert after["data"]["asset"]["partitionsDef"]["total"] == before + 1
    # So does a run this server starts (its steps commit from a child process).
    runs = "{ runs(limit: 500) { runs { id status } } }"
    listed = server.data(runs)["runs"]["runs"]
    run_id = server.materialize("raw_orders")
    server.wait_run(run_id)
    now = server.data(runs)["runs"]["runs"]
    assert len(now) == len(listed) + 1 and now[0] == {"id": run_id, "status": "SUCCESS"}


def test_variables_and_operation_names_are_part_of_the_key(server: UiServer) -> None:
    document = """query One($s: String) { assets(selection: $s) { key } }
                  query Two { runs(limit: 1) { nextCursor } }"""

    def ask(operation: str, **variables: str) -> tuple[dict, bool]:  # type: ignore[type-arg]
        hits = server.state.responses.hits
        body = {"query": document, "operationName": operation, "variables": variables}
        response = server.client.post("/graphql", json=body)
        assert response.status_code == 200, response.text
        return response.json(), server.state.responses.hits == hits + 1

    sales, _ = ask("One", s="group:sales")
    ops, cached = ask("One", s="group:ops")
    assert not cached
    assert {a["key"] for a in sales["data"]["assets"]} == {"raw/events", "raw_orders",
                                                           "orders_clean"}  # fmt: skip
    assert "slow" in {a["key"] for a in ops["data"]["assets"]}
    again, cached = ask("One", s="group:sales")
    assert again == sales
    assert cached or not _hits_are_reliable(server)
    two, cached = ask("Two")
    assert not cached and set(two["data"]) == {"runs"}


def test_errors_and_mutations_are_never_served_again(server: UiServer) -> None:
    missing = '{ asset(key: "no_such_asset") { key } }'
    hits = server.state.responses.hits
    for _ in range(2):
        assert server.error(missing)["extensions"]["code"] == "NOT_FOUND"
    first, second = server.materialize("raw_orders"), server.materialize("raw_orders")
    assert first != second
    assert server.state.responses.hits == hits
    for run_id in (first, second):
        server.wait_run(run_id)


def test_answers_with_statuses_expire_with_the_status_cache(server: UiServer) -> None:
    statuses = server.state.location.statuses
    saved = statuses.max_age_s
    statuses.max_age_s = 0.5
    try:
        query = "{ assets { key status freshness { lagS } } }"
        _served_again(server, query)
        _, cached = _served_again(server, query)
        assert cached or not _hits_are_reliable(server)
        time.sleep(0.6)
        _, cached = _served_again(server, query)
        assert not cached  # the lags it holds are older than the status cache allows
    finally:
        statuses.max_age_s = saved


def test_concurrent_identical_queries_get_the_same_answer(server: UiServer) -> None:
    query = '{ lineage(selection: "*") { nodes { key status } edges { source target } } }'
    server.data('mutation { addDynamicPartitions(name: "customers", keys: ["x"]) }')
    with ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(lambda _: server.gql(query), range(6)))
    assert all(a == answers[0] for a in answers) and not answers[0].get("errors")


def test_the_cache_keeps_its_bounds() -> None:
    from assets_ui.graphql.cache import Entry

    cache = ResponseCache(max_entries=2, max_bytes=10, max_age_s=1.0)
    cache.put("a", Entry(1, 100.0, 200, (), b"12345"))
    cache.put("b", Entry(1, 100.0, 200, (), b"12345"))
    assert cache.get("a", 1, 0.0) is not None  # "a" is now the most recently used
    cache.put("c", Entry(1, 100.0, 200, (), b"1"))
    assert cache.get("b", 1, 0.0) is None and cache.get("a", 1, 0.0) is not None
    assert cache.get("a", 2, 0.0) is None  # the catalog changed
    assert cache.get("a", 1, 100.0) is None  # expired
    cache.put("huge", Entry(1, 100.0, 200, (), b"x" * 11))
    assert cache.get("huge", 1, 0.0) is None


@pytest.fixture(scope="module")
def secured(tmp_path_factory: pytest.TempPathFactory) -> Iterator[UiServer]:
    mp = pytest.MonkeyPatch()
    mp.setenv("ASSETLINE_AUTH_TOKENS", "view:viewer,ops:operator:group:ops,root:admin")
    try:
        ui = start_server(tmp_path_factory.mktemp("secured-cache"))
    finally:
        mp.undo()
    yield ui
    ui.close()


def test_an_answer_is_only_served_again_to_the_same_caller(secured: UiServer) -> None:
    query = {"query": "{ assets { key } }"}

    def ask(token: str | None) -> tuple[int, bool]:
        headers = {"authorization": f"Bearer {token}"} if token else {}
        hits = secured.state.responses.hits
        response = secured.client.post("/graphql", json=query, headers=headers)
        return response.status_code, secured.state.responses.hits == hits + 1

    assert ask("view") == (200, False)
    assert ask("view") == (200, True)
    assert ask("ops") == (200, False)  # another role and scope: computed for it
    assert ask("root") == (200, False)
    assert ask(None) == (401, False)  # no token: refused before the cache is consulted
    assert ask("wrong") == (401, False)


def test_a_reload_is_seen_at_once(tmp_path: Path) -> None:
    from tests.ui.conftest import UI_LOCATION
    from tests.ui.test_reload import EXTRA

    location = tmp_path / "ui_cached.py"
    location.write_text(UI_LOCATION.read_text())
    ui = start_server(tmp_path / "home", file=location)
    try:
        query = "{ assets { key } }"
        keys = {a["key"] for a in ui.data(query)["assets"]}
        assert _served_again(ui, query)[1]
        location.write_text(location.read_text() + EXTRA)
        ui.data("mutation { reload }")
        assert {a["key"] for a in ui.data(query)["assets"]} == keys | {"added_later"}
    finally:
        ui.close()
