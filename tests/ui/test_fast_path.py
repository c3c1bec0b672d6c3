"""The executor's fast path for lists of plain objects returns exactly what
graphql-core's own completion returns — values, aliases, fragments, directives,
``__typename``, nulls and errors."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import strawberry

from assets_ui.graphql.context import Context
from assets_ui.graphql.fast import FastExecutionContext, StaticList
from assets_ui.graphql.mutation import Mutation
from assets_ui.graphql.query import Query
from assets_ui.graphql.schema import AssetlineSchema
from assets_ui.security import ANONYMOUS_ADMIN
from assets_ui.state import ServerState
from tests.ui.conftest import UI_LOCATION

QUERIES = [
    '{ lineage(selection: "*") { nodes { key group kind status depth } edges { source target } } }',
    '{ lineage(selection: "revenue", upstreamDepth: 2, downstreamDepth: 1) {'
    " nodes { __typename k: key depth kind } edges { t: target s: source __typename } } }",
    """query($skip: Boolean!) { lineage(selection: "group:sales or group:ops") {
         nodes { ...N key @skip(if: $skip) } edges { ... on LineageEdge { source } } } }
       fragment N on LineageNode { group status depth @include(if: $skip) }""",
    "{ assets { key path group description owners tags kind codeVersion } }",
    '{ assets(selection: "*") { key checks { name severity blocking description } } }',
    '{ impact(asset: "raw_orders") { assets columns { asset column } } }',
    # Short lists (one to three items each) take the fast path too.
    "{ assets { key upstream { key group __typename } downstream(depth: 2) { kind } } }",
    '{ asset(key: "revenue") { upstream { key } downstream { key codeVersion } } }',
]


@pytest.fixture(scope="module")
def state(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerState]:
    home: Path = tmp_path_factory.mktemp("fast")
    server = ServerState.create(file=str(UI_LOCATION), home=home)
    yield server
    server.catalog.close()


def _run(schema: strawberry.Schema, state: ServerState, query: str) -> Any:
    context = Context.create(state, ANONYMOUS_ADMIN)
    result = asyncio.run(
        schema.execute(query, variable_values={"skip": True}, context_value=context)
    )
    return result.data, [e.formatted for e in result.errors or []]


@pytest.mark.parametrize("query", QUERIES)
def test_fast_path_equals_graphql_core(state: ServerState, query: str) -> None:
    fast = AssetlineSchema(
        query=Query, mutation=Mutation, execution_context_class=FastExecutionContext
    )
    plain = AssetlineSchema(query=Query, mutation=Mutation)
    assert _run(fast, state, query) == _run(plain, state, query)


@strawberry.type
class Item:
    name: str
    size: int | None


@strawberry.type
class ItemsQuery:
    @strawberry.field
    def items(self, n: int, broken: bool = False) -> list[Item]:
        items: list[Any] = [Item(name=f"i{i}", size=i if i % 3 else None) for i in range(n)]
        if broken:
            items[5] = Item(name=None, size=1)  # type: ignore[arg-type]
        return items

    @strawberry.field
    def shared(self) -> list[Item]:
        return SHARED


SHARED = StaticList(Item(name=f"s{i}", size=i) for i in range(20))


def test_nulls_errors_and_static_lists(monkeypatch: pytest.MonkeyPatch) -> None:
    from assets_ui.graphql import fast as fast_module

    projected: list[int] = []
    original = fast_module._project

    def counting(items: list[Any], plan: Any) -> Any:
        projected.append(len(items))
        return original(items, plan)

    monkeypatch.setattr(fast_module, "_project", counting)
    fast = strawberry.Schema(ItemsQuery, execution_context_class=FastExecutionContext)
    plain = strawberry.Schema(ItemsQuery)
    for query in (
        "{ items(n: 30) { name size __typename } }",
        "{ items(n: 30, broken: true) { name size } }",
        "{ shared { name } again: shared { name size } }",
    ):
        a, b = fast.execute_sync(query), plain.execute_sync(query)
        assert a.data == b.data
        assert [e.formatted for e in a.errors or []] == [e.formatted for e in b.errors or []]
    broken = fast.execute_sync("{ items(n: 30, broken: true) { name } }")
    assert broken.errors and "non-nullable" in broken.errors[0].message
    first = fast.execute_sync("{ shared { name } }").data
    assert first == fast.execute_sync("{ shared { name } }").data
    assert len(SHARED.projections) == 2
    assert 30 in projected and 20 in projected  # the fast path ran (and fell back when broken)
