"""Whatever document a client sends, the server's answer — computed with the fast
path, then served again from the response cache — is exactly what graphql-core's
normal execution of the same document returns.

Documents are drawn by hypothesis-graphql from the committed SDL, so every query
field, including fields added later, is covered. String arguments are mapped onto
names that exist (assets, selections, runs, partitions, columns) or deliberately do
not, so that answers carry data as well as errors.
"""

from __future__ import annotations

import asyncio
import json
import re
import zlib
from collections.abc import Iterator
from typing import Any

import pytest
from graphql import ArgumentNode, DocumentNode, StringValueNode, Visitor, print_ast, visit
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import queries
from starlette.requests import Request

from assets_ui.graphql.context import Context
from assets_ui.graphql.schema import SNAPSHOT, build_schema
from assets_ui.graphql.view import GraphQLEndpoint
from assets_ui.security import ANONYMOUS_ADMIN
from tests.ui.conftest import UiServer, start_server

SDL = SNAPSHOT.read_text()
PLAIN = build_schema(fast=False)

#: What string arguments become, by argument name (filled in with run ids below).
CHOICES: dict[str, list[str]] = {
    "selection": ["*", "raw_orders", "raw_orders+", "+revenue", "group:sales", "group:regions",
                  "not group:ops", "orders_clean or by_region", "raw/events", "(((", "nope"],
    "search": ["", "orders", "RAW", "zzz"],
    "key": ["raw_orders", "orders_clean", "revenue", "by_region", "per_customer", "raw/events",
            "report", "nope"],
    "asset": ["raw_orders", "orders_clean", "revenue", "nope"],
    "partition": ["eu", "us", "c1", "2024-01-01", "nope"],
    "column": ["amount", "day", "revenue", "nope"],
    "name": ["customers", "not_null_amount", "nope"],
}  # fmt: skip


class _RealNames(Visitor):
    """Replaces random string arguments with one of ``CHOICES`` (picked by a hash of
    the random string, so Hypothesis still steers and shrinks the choice)."""

    def enter_argument(self, node: ArgumentNode, *_: Any) -> ArgumentNode | None:
        choices = CHOICES.get(node.name.value)
        if not choices or not isinstance(node.value, StringValueNode):
            return None
        picked = choices[zlib.crc32(node.value.value.encode()) % len(choices)]
        return ArgumentNode(name=node.name, value=StringValueNode(value=picked))


def _print(document: DocumentNode) -> str:
    return print_ast(visit(document, _RealNames()))


@pytest.fixture(scope="module")
def ui(tmp_path_factory: pytest.TempPathFactory) -> Iterator[UiServer]:
    server = start_server(tmp_path_factory.mktemp("cache-props"))
    server.data('mutation { addDynamicPartitions(name: "customers", keys: ["c1", "c2"]) }')
    runs = [
        server.materialize("raw_orders+"),
        server.materialize("by_region", p=["eu", "us"]),
        server.materialize("per_customer", p=["c1"]),
    ]
    for run_id in runs:
        server.wait_run(run_id)
    CHOICES["id"] = [*runs, runs[0][:8], "nope"]
    # Statuses stay valid for the whole test, so an answer kept is never about to
    # expire when it is asked for again.
    server.state.location.statuses.max_age_s = 3600.0
    yield server
    server.close()


def _plain(ui: UiServer, document: str) -> Any:
    """The answer of graphql-core's normal execution, formatted as the server does."""
    endpoint = GraphQLEndpoint(ui.state, PLAIN)
    request = Request({"type": "http", "method": "POST", "headers": [], "path": "/graphql"})

    async def execute() -> Any:
        context = Context.create(ui.state, ANONYMOUS_ADMIN, request)
        result = await PLAIN.execute(document, context_value=context)
        return await endpoint.process_result(request, result)

    return json.loads(endpoint.encode_json(asyncio.run(execute())))


_REFERENCE = re.compile(r"reference [0-9a-f]{12}")


def _normal(answer: Any) -> Any:
    """Values that differ between two executions by design: an unexpected error's
    log reference, and lags (seconds since a materialization, read from the clock)."""
    if isinstance(answer, dict):
        return {k: None if k == "lagS" else _normal(v) for k, v in answer.items()}
    if isinstance(answer, list):
        return [_normal(v) for v in answer]
    if isinstance(answer, str):
        return _REFERENCE.sub("reference R", answer)
    return answer


@given(data=st.data())
@settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_cached_answers_equal_graphql_core(ui: UiServer, data: st.DataObject) -> None:
    document = data.draw(queries(SDL, print_ast=_print), label="document")
    assert isinstance(document, str)
    first = ui.post(document)
    hits = ui.state.responses.hits
    second = ui.post(document)
    assert first.status_code == second.status_code
    if first.status_code != 200:  # a document strawberry refuses before executing
        assert first.text == second.text
        return
    expected = _normal(_plain(ui, document))
    for served in (_normal(first.json()), _normal(second.json())):
        if expected.get("data") is None and "errors" in expected:
            _assert_same_failure(served, expected)
        else:
            assert served == expected
    if not expected.get("errors"):
        assert ui.state.responses.hits == hits + 1  # the second answer came from the cache


def _assert_same_failure(served: Any, expected: Any) -> None:
    """A null field that may not be null nulls the whole answer; graphql-core then
    reports the errors of the root fields that had failed by that moment, which
    depends on how their resolvers' threads were scheduled: the same answer, and
    errors among the same ones."""
    assert served.get("data") is None and served.get("errors"), served
    messages = {json.dumps(e, sort_keys=True) for e in expected["errors"]}
    got = {json.dumps(e, sort_keys=True) for e in served["errors"]}
    assert messages & got, (served, expected)
