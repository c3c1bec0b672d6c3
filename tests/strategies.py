"""Shared Hypothesis strategies: random asset DAGs and selection expressions.

A ``DagShape`` is a DAG as plain data (keys in a topological order, parent indices,
groups, tags, owners). ``to_definitions()`` turns it into real ``@asset`` definitions,
``to_graph()`` into the validated ``AssetGraph``, and ``ancestors``/``descendants`` are
a reference implementation to test graph code against.

Usage::

    from tests.strategies import asset_graphs, dag_shapes

    @given(dag_shapes(max_assets=8))
    def test_something(shape: DagShape) -> None:
        graph = shape.to_graph()
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from hypothesis import strategies as st

from assets_core.definitions.asset import AssetsDefinition, asset
from assets_core.definitions.repository import Definitions
from assets_core.graph.asset_graph import AssetGraph
from assets_core.graph.selection import (
    AllAssets,
    And,
    AssetName,
    AttributeFilter,
    GraphTraversal,
    Not,
    Or,
    SelectionNode,
)
from assets_core.keys import AssetKey

GROUPS = ("default", "sales", "finance")
PREFIXES = ((), ("raw",), ("sales",), ("mart", "daily"))
TIERS = ("gold", "silver", "bronze")
OWNERS = ("team:analytics", "team:ingest", "ana@example.com")


@dataclass(frozen=True)
class DagShape:
    """A random DAG as plain data; index ``i`` is the ``i``-th asset.

    Attributes:
        keys: One key per asset, in a topological order; last components are unique.
        parents: For each asset, the indices (all lower) of its parents.
        groups: The group of each asset.
        tags: The tags of each asset, as sorted ``(name, value)`` pairs.
        owners: The owners of each asset.
    """

    keys: tuple[AssetKey, ...]
    parents: tuple[tuple[int, ...], ...]
    groups: tuple[str, ...]
    tags: tuple[tuple[tuple[str, str], ...], ...]
    owners: tuple[tuple[str, ...], ...]

    def __len__(self) -> int:
        return len(self.keys)

    def to_definitions(self) -> Definitions:
        """Real ``@asset`` definitions, one function per asset, with ``deps=``."""
        assets: list[AssetsDefinition] = []
        for i, key in enumerate(self.keys):
            decorate = asset(
                key=key,
                deps=[self.keys[p] for p in self.parents[i]],
                group=self.groups[i],
                tags=dict(self.tags[i]),
                owners=self.owners[i],
            )
            assets.append(decorate(_function(key.name)))
        return Definitions(assets=assets)

    def to_graph(self) -> AssetGraph:
        """The validated graph of ``to_definitions()``."""
        return self.to_definitions().graph

    @cached_property
    def _children(self) -> tuple[tuple[int, ...], ...]:
        out: list[list[int]] = [[] for _ in self.keys]
        for child, ps in enumerate(self.parents):
            for p in ps:
                out[p].append(child)
        return tuple(tuple(c) for c in out)

    def ancestors(self, i: int) -> set[AssetKey]:
        """Keys of every asset that ``i`` depends on, directly or not (without ``i``)."""
        return {self.keys[j] for j in _reach(i, self.parents.__getitem__)}

    def descendants(self, i: int) -> set[AssetKey]:
        """Keys of every asset that depends on ``i``, directly or not (without ``i``)."""
        return {self.keys[j] for j in _reach(i, self._children.__getitem__)}


def _reach(start: int, step: Callable[[int], Sequence[int]]) -> set[int]:
    seen: set[int] = set()
    stack = list(step(start))
    while stack:
        j = stack.pop()
        if j not in seen:
            seen.add(j)
            stack.extend(step(j))
    return seen


def _function(name: str) -> Callable[[], None]:
    def compute() -> None:
        return None

    compute.__name__ = compute.__qualname__ = name
    return compute


@st.composite
def dag_shapes(
    draw: st.DrawFn, min_assets: int = 1, max_assets: int = 12, max_parents: int = 3
) -> DagShape:
    """Random DAGs: asset ``i`` gets up to ``max_parents`` parents among assets ``< i``.

    Each DAG draws a window: parents come from the ``window`` assets just before, so a
    window of 1 or 2 makes long chains (deep ancestry) and a wide one bushy graphs.
    """
    n = draw(st.integers(min_assets, max_assets))
    window = draw(st.sampled_from((1, 2, 3, max_assets)))
    keys = tuple(AssetKey((*draw(st.sampled_from(PREFIXES)), f"a{i}")) for i in range(n))
    parents = tuple(
        tuple(sorted(draw(st.sets(st.integers(max(0, i - window), i - 1), max_size=max_parents))))
        if i
        else ()
        for i in range(n)
    )
    groups = tuple(draw(st.sampled_from(GROUPS)) for _ in range(n))
    tag_sets = st.dictionaries(st.sampled_from(("tier", "pii")), st.sampled_from(TIERS), max_size=2)
    tags = tuple(tuple(sorted(draw(tag_sets).items())) for _ in range(n))
    owners = tuple(
        tuple(sorted(draw(st.sets(st.sampled_from(OWNERS), max_size=2)))) for _ in range(n)
    )
    return DagShape(keys, parents, groups, tags, owners)


def asset_graphs(**kwargs: Any) -> st.SearchStrategy[AssetGraph]:
    """Validated ``AssetGraph``s built from ``dag_shapes(**kwargs)``."""
    return dag_shapes(**kwargs).map(DagShape.to_graph)


def selection_nodes(names: Sequence[str], max_leaves: int = 8) -> st.SearchStrategy[SelectionNode]:
    """Random selection ASTs over asset ``names`` (key paths or short names).

    Leaves are names, ``*`` and filters drawn from the pools this module uses, so that
    they match some assets of a ``dag_shapes()`` graph; ``changed`` is left out.
    """
    levels = st.one_of(st.just(0), st.just(None), st.integers(1, 3))
    filters = st.one_of(
        st.builds(AttributeFilter, st.just("group"), st.sampled_from(GROUPS)),
        st.builds(AttributeFilter, st.just("owner"), st.sampled_from(OWNERS)),
        st.builds(AttributeFilter, st.just("kind"), st.sampled_from(("python", "sql"))),
        st.builds(
            AttributeFilter,
            st.just("tag"),
            st.sampled_from(("tier", "pii", "tier=gold", "tier=*er", "*=bronze")),
        ),
        st.builds(AttributeFilter, st.just("key"), st.sampled_from(("raw/*", "*a1*", "a?"))),
    )
    leaves: st.SearchStrategy[SelectionNode] = st.one_of(
        st.builds(AssetName, st.sampled_from(list(names))) if names else st.nothing(),
        st.builds(AllAssets),
        filters,
    )

    def extend(inner: st.SearchStrategy[SelectionNode]) -> st.SearchStrategy[SelectionNode]:
        operands = st.lists(inner, min_size=2, max_size=3).map(tuple)
        return st.one_of(
            st.builds(Not, inner),
            st.builds(And, operands),
            st.builds(Or, operands),
            st.builds(GraphTraversal, inner, levels, levels).filter(
                lambda g: (g.up, g.down) != (0, 0)
            ),
        )

    return st.recursive(leaves, extend, max_leaves=max_leaves)
