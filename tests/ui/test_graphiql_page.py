"""What a browser's GET of ``/graphql`` gets: GraphiQL as built with the UI
(``static/graphiql.html``, scripts from this server only), or, before the UI is built,
a page that says how to build it. Queries over GET and POST are unaffected.
(``tests/e2e/test_ui_graphiql.py`` runs the built page in Chromium, offline.)"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.ui.conftest import UiServer, start_server

BUILT = """<!doctype html><html><head><title>Assetline GraphiQL</title>
<script type="module" crossorigin src="/_app/graphiql-abc.js"></script></head>
<body><div id="graphiql"></div></body></html>"""
HTML = {"accept": "text/html"}


@pytest.fixture(scope="module")
def static_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[UiServer, Path]]:
    static = tmp_path_factory.mktemp("static")
    ui = start_server(tmp_path_factory.mktemp("home"), static_dir=static)
    yield ui, static
    ui.close()


def test_the_built_page_is_served(static_server: tuple[UiServer, Path]) -> None:
    ui, static = static_server
    (static / "graphiql.html").write_text(BUILT)
    page = ui.client.get("/graphql", headers=HTML)
    assert page.status_code == 200
    assert page.text == BUILT
    assert page.headers["cache-control"] == "no-cache"


def test_the_package_graphiql_has_no_third_party_script() -> None:
    from assets_ui.app import STATIC_DIR

    built = STATIC_DIR / "graphiql.html"
    if not built.is_file():
        pytest.skip("the UI is not built (make install)")
    text = built.read_text()
    sources = re.findall(r"""(?:src|href)=["']([^"']+)["']""", text)
    assert any(s.startswith("/_app/") and s.endswith(".js") for s in sources), sources
    assert not [s for s in sources if "//" in s], sources


def test_not_built_says_how_to_build(static_server: tuple[UiServer, Path]) -> None:
    ui, static = static_server
    (static / "graphiql.html").unlink(missing_ok=True)
    page = ui.client.get("/graphql", headers=HTML)
    assert page.status_code == 503
    assert "GraphiQL not built: run make install" in page.text
    assert "<script" not in page.text


def test_queries_still_answer_without_the_page(static_server: tuple[UiServer, Path]) -> None:
    ui, _ = static_server
    assert ui.data('{ asset(key: "raw_orders") { key } }')["asset"] == {"key": "raw_orders"}
    got = ui.client.get("/graphql", params={"query": "{ assets { key } }"}, headers=HTML)
    assert got.status_code == 200 and "raw_orders" in got.text
