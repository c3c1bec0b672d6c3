"""Fuzz the schema with schemathesis in GraphQL mode: random documents and arguments
for every query and mutation (``reload`` aside: it restarts the run worker) against a
real server. The server answers each with GraphQL errors carrying a code — never a
5xx, never a stack trace."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from assets_ui.graphql.schema import SNAPSHOT
from tests.ui.conftest import UiServer, start_server

KNOWN_CODES = {
    "NOT_FOUND", "INVALID_SELECTION", "INVALID_PARTITION", "INVALID_CONFIG",
    "DEFINITION_ERROR", "BAD_USER_INPUT", "FORBIDDEN", "UNAUTHENTICATED",
}  # fmt: skip


@pytest.fixture(scope="module")
def fuzz_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[UiServer]:
    ui = start_server(tmp_path_factory.mktemp("fuzz"))
    yield ui
    ui.close()


SCHEMA = schemathesis.graphql.from_path(str(SNAPSHOT))
OPERATIONS = {
    op.label: op
    for op in (result.ok() for result in SCHEMA.get_all_operations())  # type: ignore[union-attr]
    if op.label != "Mutation.reload"
}


@pytest.mark.parametrize("label", sorted(OPERATIONS))
def test_no_server_errors(label: str, fuzz_server: UiServer) -> None:
    strategy = OPERATIONS[label].as_strategy()
    url = f"{fuzz_server.url}/graphql"

    @given(case=strategy)
    @settings(
        max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), database=None
    )
    def check(case: Any) -> None:
        response = case.call(base_url=url, headers={"content-type": "application/json"})
        assert response.status_code < 500, response.text
        body = response.json()
        for error in body.get("errors") or ():
            code = error.get("extensions", {}).get("code")
            assert code in KNOWN_CODES, error
            assert "Traceback" not in error["message"] and 'File "' not in error["message"]

    check()
