"""GraphiQL at ``/graphql`` is built with the UI and served from the package (issue 16):
in Chromium with every request that leaves the machine refused, it loads, shows the
schema and runs a query."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import AUTH_TOKENS, Server, Shot

pytestmark = pytest.mark.e2e


def offline(page: Page, server: Server) -> list[str]:
    """Refuse every request of the page that is not to ``server``; the refused URLs."""
    refused: list[str] = []

    def route(r: Any) -> None:
        if r.request.url.startswith(server.url + "/"):
            r.continue_()
        else:
            refused.append(r.request.url)
            r.abort()

    page.context.route("**/*", route)
    return refused


def test_graphiql_runs_a_query_offline(page: Page, e2e_server: Server, shot: Shot) -> None:
    refused = offline(page, e2e_server)
    scripts: list[str] = []
    page.on("request", lambda r: scripts.append(r.url) if r.resource_type == "script" else None)
    document = "{ assets { key group } }"
    page.goto(f"{e2e_server.url}/graphql#query={quote(document)}")

    # The IDE, not strawberry's CDN page stuck on "Loading...".
    editor = page.locator(".graphiql-query-editor")
    expect(editor).to_contain_text("assets")
    expect(page.get_by_role("button", name="Execute query (Ctrl-Enter)")).to_be_enabled()
    # The schema arrived (introspection over the same origin): the docs list Query.
    page.get_by_role("button", name="Show Documentation Explorer").click()
    expect(page.locator(".graphiql-doc-explorer")).to_contain_text("Query")
    shot("01-graphiql")

    response = page.locator(".graphiql-response")
    run = page.get_by_role("button", name="Execute query (Ctrl-Enter)")
    run.click()
    expect(response).to_contain_text('"ops/slow"')
    expect(response).to_contain_text('"group": "ops"')
    shot("02-answer")

    assert refused == [], f"GraphiQL asked for files off this machine: {refused}"
    assert scripts and all(s.startswith(e2e_server.url + "/_app/") for s in scripts), scripts


def test_graphiql_sends_the_token_the_ui_stored(page: Page, auth_server: Server) -> None:
    # Behind tokens, the page itself loads without one; its requests carry the token
    # the UI's sign-in page stored (the headers editor can override it).
    token = AUTH_TOKENS["viewer"]
    page.add_init_script(f"localStorage.setItem('assetline.token', {token!r})")
    offline(page, auth_server)
    page.goto(f"{auth_server.url}/graphql#query={quote('{ assets { key } }')}")
    expect(page.locator(".graphiql-query-editor")).to_contain_text("assets")
    run = page.get_by_role("button", name="Execute query (Ctrl-Enter)")
    expect(run).to_be_enabled()
    run.click()
    expect(page.locator(".graphiql-response")).to_contain_text('"ops/flaky"')
