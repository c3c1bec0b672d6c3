"""Turning what a tick requested — (asset, partition index) pairs — into runs.

A run covers one partition key or one range of keys, the same for all its assets. So
the requested partitions of assets sharing a partitions definition are grouped by
index, and consecutive indices requesting the same assets become one run (2,000
missing days of 35 assets: one run). Unpartitioned assets join the run when there is
exactly one, else get their own.

A child requested because its parent is requested in this tick must run after it, so
in the same run. When grouping puts them in different runs, the child waits for the
next tick ("deferred"): by then its parent's run is queued, and the child follows once
that run has materialized the parent. A child reading a deferred partition waits too.
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from assets_core.automation.asset_state import AssetState
    from assets_core.automation.evaluation import ConditionEvaluator
    from assets_core.automation.verdicts import Why
    from assets_core.graph.asset_graph import AssetGraph
    from assets_core.keys import AssetKey

_MAX_ROUNDS = 50


@dataclass(frozen=True, slots=True)
class RunGroup:
    """One run to queue: ``members`` over indices ``first..last`` of the partitions of
    ``sample`` (None: unpartitioned assets only)."""

    members: tuple[AssetKey, ...]
    sample: AssetKey | None
    first: int
    last: int


def group_runs(
    graph: AssetGraph,
    requested: Mapping[AssetKey, AbstractSet[int]],
    states: dict[AssetKey, AssetState],
) -> list[RunGroup]:
    """The runs that cover ``requested`` exactly."""
    ordered = graph.sorted(requested)
    plain = [k for k in ordered if states[k].keys is None]
    by_def: dict[int, tuple[AssetKey, dict[int, list[AssetKey]]]] = {}
    for key in ordered:
        pkeys = states[key].keys
        if pkeys is None:
            continue
        # Assets of one partitions definition share its key list (PartitionKeys).
        _, by_index = by_def.setdefault(id(pkeys), (key, {}))
        for i in requested[key]:
            by_index.setdefault(i, []).append(key)
    groups: list[RunGroup] = []
    for sample, by_index in by_def.values():
        start = prev = -2
        members: list[AssetKey] = []
        for i in sorted(by_index):
            keys = by_index[i]
            if i == prev + 1 and keys == members:
                prev = i
                continue
            if members:
                groups.append(RunGroup(tuple(members), sample, start, prev))
            start = prev = i
            members = keys
        if members:
            groups.append(RunGroup(tuple(members), sample, start, prev))
    if plain and len(groups) == 1:
        g = groups[0]
        groups = [RunGroup(tuple(graph.sorted([*plain, *g.members])), g.sample, g.first, g.last)]
    elif plain:
        groups.insert(0, RunGroup(tuple(plain), None, 0, 0))
    return groups


def _index(groups: list[RunGroup], states: dict[AssetKey, AssetState]) -> dict[Any, int]:
    out: dict[Any, int] = {}
    for n, g in enumerate(groups):
        for k in g.members:
            if states[k].keys is None:
                out[(k, 0)] = n
            else:
                for i in range(g.first, g.last + 1):
                    out[(k, i)] = n
    return out


def defer_split_chains(
    graph: AssetGraph,
    evaluator: ConditionEvaluator,
    requested: Mapping[AssetKey, AbstractSet[int]],
    states: dict[AssetKey, AssetState],
    why_of: Any,
) -> tuple[list[RunGroup], dict[AssetKey, dict[int, Why]]]:
    """Group ``requested`` into runs, deferring children that would not run in their
    requested parent's run; return the runs and the deferred (asset -> index -> why).
    ``why_of(key, i)`` is the reason an index was requested."""
    deferred: dict[AssetKey, dict[int, Why]] = {}
    groups = group_runs(graph, requested, states)
    if len(groups) <= 1:
        return groups, deferred  # one run holds every requested chain
    left = {k: set(v) for k, v in requested.items() if v}  # a copy to change
    for _ in range(_MAX_ROUNDS):
        groups = group_runs(graph, left, states)
        where = _index(groups, states)
        conflict = _first_conflict(graph, evaluator, left, states, where, why_of, deferred)
        if conflict is None:
            return groups, deferred
        key, found = conflict
        for i, why in found.items():
            left[key].discard(i)
            deferred.setdefault(key, {})[i] = why
        if not left[key]:
            del left[key]
    return group_runs(graph, left, states), deferred  # pragma: no cover - pathological


def _first_conflict(
    graph: AssetGraph,
    evaluator: ConditionEvaluator,
    requested: dict[AssetKey, set[int]],
    states: dict[AssetKey, AssetState],
    where: dict[Any, int],
    why_of: Any,
    deferred: dict[AssetKey, dict[int, Why]],
) -> tuple[AssetKey, dict[int, Why]] | None:
    for key in graph.sorted(requested):
        found: dict[int, Why] = {}
        for i in requested[key]:
            mine = where[(key, i)]
            why = why_of(key, i)
            for parent in graph.parents(key):
                if parent not in states:
                    continue
                asked, later = requested.get(parent), deferred.get(parent)
                ups = evaluator.upstream_indices(key, parent, i, states)
                in_tick = [j for j in ups if asked and j in asked]
                if (
                    any(where[(parent, j)] != mine for j in in_tick)
                    or (why[0] == "requested" and why[1] == str(parent) and not in_tick)
                    or (later and any(j in later for j in ups))
                ):
                    found[i] = ("deferred", str(parent))
                    break
        if found:
            return key, found
    return None


__all__ = ["RunGroup", "defer_split_chains", "group_runs"]
