"""Properties of selection over random DAGs, checked against a reference model."""

from __future__ import annotations

from fnmatch import fnmatchcase

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from assets_core.errors import SelectionError
from assets_core.graph.asset_graph import AssetGraph
from assets_core.graph.select import parse_selection, select
from assets_core.graph.selection import (
    AllAssets,
    And,
    AssetName,
    AttributeFilter,
    GraphTraversal,
    Not,
    Or,
    SelectionNode,
    walk,
)
from assets_core.keys import AssetKey
from tests.strategies import DagShape, dag_shapes, selection_nodes

SETTINGS = settings(max_examples=75, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def shape_and_asset(draw: st.DrawFn) -> tuple[DagShape, AssetGraph, int]:
    shape = draw(dag_shapes())
    return shape, shape.to_graph(), draw(st.integers(0, len(shape) - 1))


@st.composite
def shape_and_nodes(
    draw: st.DrawFn, count: int
) -> tuple[DagShape, AssetGraph, list[SelectionNode]]:
    shape = draw(dag_shapes())
    names = [str(k) for k in shape.keys] + [k.name for k in shape.keys]
    nodes = [draw(selection_nodes(names, max_leaves=6)) for _ in range(count)]
    return shape, shape.to_graph(), nodes


def _within(shape: DagShape, start: set[int], levels: int | None, up: bool) -> set[int]:
    """Reference: indices at most ``levels`` edges away from ``start`` (None: any)."""
    children: list[list[int]] = [[] for _ in shape.keys]
    for child, ps in enumerate(shape.parents):
        for p in ps:
            children[p].append(child)
    seen, frontier, level = set(start), set(start), 0
    while frontier and (levels is None or level < levels):
        frontier = {n for i in frontier for n in (shape.parents[i] if up else children[i])}
        frontier -= seen
        seen |= frontier
        level += 1
    return seen


def reference(shape: DagShape, node: SelectionNode) -> set[int]:
    """What ``node`` selects, computed from the shape alone (indices of assets)."""
    everything = set(range(len(shape)))
    if isinstance(node, AllAssets):
        return everything
    if isinstance(node, AssetName):
        return {i for i, k in enumerate(shape.keys) if node.name in (str(k), k.name)}
    if isinstance(node, AttributeFilter):
        return {i for i in everything if _matches(shape, i, node)}
    if isinstance(node, Not):
        return everything - reference(shape, node.operand)
    if isinstance(node, And):
        return set.intersection(*(reference(shape, o) for o in node.operands))
    if isinstance(node, Or):
        return set.union(*(reference(shape, o) for o in node.operands))
    assert isinstance(node, GraphTraversal)
    base = reference(shape, node.operand)
    out = set(base)
    if node.up != 0:
        out |= _within(shape, base, node.up, up=True)
    if node.down != 0:
        out |= _within(shape, base, node.down, up=False)
    return out


def _matches(shape: DagShape, i: int, f: AttributeFilter) -> bool:
    if f.kind == "group":
        return shape.groups[i] == f.value
    if f.kind == "owner":
        return f.value in shape.owners[i]
    if f.kind == "kind":
        return f.value == "python"  # dag_shapes() builds @asset functions only
    if f.kind == "key":
        return fnmatchcase(str(shape.keys[i]), f.value)
    name, eq, value = f.value.partition("=")
    return any(fnmatchcase(t, name) and (not eq or fnmatchcase(v, value)) for t, v in shape.tags[i])


def matches_nothing(shape: DagShape, node: SelectionNode) -> bool:
    """Whether a filter in ``node`` matches no asset (then selecting it is an error)."""
    return any(
        isinstance(n, AttributeFilter) and not any(_matches(shape, i, n) for i in range(len(shape)))
        for n in walk(node)
    )


def keys_of(shape: DagShape, indices: set[int]) -> frozenset[AssetKey]:
    return frozenset(shape.keys[i] for i in indices)


@SETTINGS
@given(shape_and_asset())
def test_star_prefix_is_the_asset_and_all_its_ancestors(
    case: tuple[DagShape, AssetGraph, int],
) -> None:
    shape, graph, i = case
    key = shape.keys[i]
    assert select(graph, f"*{key}") == {key} | shape.ancestors(i)
    assert select(graph, f"{key}*") == {key} | shape.descendants(i)
    assert select(graph, f"*{key}*") == {key} | shape.ancestors(i) | shape.descendants(i)


@SETTINGS
@given(shape_and_asset(), st.integers(1, 4))
def test_plus_levels_grow_with_each_plus_and_stay_within_star(
    case: tuple[DagShape, AssetGraph, int], n: int
) -> None:
    shape, graph, i = case
    name = shape.keys[i].name
    up = select(graph, "+" * n + name)
    assert select(graph, f"+{name}") == {shape.keys[i]} | {shape.keys[p] for p in shape.parents[i]}
    assert select(graph, "+" * (n + 1) + name) >= up
    assert up <= select(graph, f"*{name}")
    assert up == keys_of(shape, _within(shape, {i}, n, up=True))
    down = select(graph, name + "+" * n)
    assert down <= select(graph, f"{name}*")
    assert down == keys_of(shape, _within(shape, {i}, n, up=False))
    assert select(graph, "+" * len(shape) + name) == select(graph, f"*{name}")


@SETTINGS
@given(shape_and_nodes(2))
def test_boolean_operators_are_set_algebra(
    case: tuple[DagShape, AssetGraph, list[SelectionNode]],
) -> None:
    shape, graph, (a, b) = case
    assume(not matches_nothing(shape, a) and not matches_nothing(shape, b))
    sa, sb = select(graph, str(a)), select(graph, str(b))
    everything = frozenset(graph.nodes)
    assert select(graph, f"not ({a})") == everything - sa
    assert select(graph, f"({a}) or ({b})") == sa | sb
    assert select(graph, f"({a}) and ({b})") == sa & sb
    assert select(graph, f"({a}), ({b})") == sa | sb
    assert select(graph, f"not (({a}) or ({b}))") == select(graph, f"not ({a}) and not ({b})")


@SETTINGS
@given(shape_and_nodes(1))
def test_evaluation_matches_the_reference_model(
    case: tuple[DagShape, AssetGraph, list[SelectionNode]],
) -> None:
    shape, graph, (node,) = case
    if matches_nothing(shape, node):
        with pytest.raises(SelectionError, match="matches no asset"):
            select(graph, str(node))
    else:
        assert select(graph, str(node)) == keys_of(shape, reference(shape, node))


@SETTINGS
@given(shape_and_nodes(1))
def test_str_of_any_ast_parses_back_to_an_equal_ast(
    case: tuple[DagShape, AssetGraph, list[SelectionNode]],
) -> None:
    _, _, (node,) = case
    assert parse_selection(str(node)) == node


ALPHABET = "ab/+*(), :=\n" + "andornotgroup:tag:key:owner:kind:changed"


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=30))
def test_any_string_parses_or_raises_a_selection_error_with_a_caret(expr: str) -> None:
    try:
        node = parse_selection(expr)
    except SelectionError as e:
        lines = str(e).split("\n")
        assert lines[0].startswith("Invalid selection: ")
        if expr.strip():
            assert len(lines) == 3
            assert lines[1] == "  " + expr.replace("\n", " ")
            caret = lines[2].index("^") - 2
            assert 0 <= caret <= len(expr)
        return
    assert parse_selection(str(node)) == node
