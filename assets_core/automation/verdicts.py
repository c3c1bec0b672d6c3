"""Verdicts per partition index: what each automation condition decides for one asset,
and why (a small reason tuple), given its parents' state. ``evaluation.py`` calls these
asset by asset; ``reasons.py`` turns the reasons into words.

Partitions are indices into the asset's keys (unpartitioned: the one index 0); a
parent's indices that an index reads come from its partition mapping (``upstream_of``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence, Set
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from assets_core.automation.asset_state import AssetState
from assets_core.partitions.subset import PartitionSubset

if TYPE_CHECKING:
    from assets_core.graph.asset_graph import AssetNode
    from assets_core.keys import AssetKey

Why = tuple[Any, ...]

INFLIGHT: Why = ("inflight",)
UP_TO_DATE: Why = ("uptodate",)
LAST_FAILED: Why = ("lastfailed",)
NO_UPSTREAM: Why = ("noupstream",)
PRESENT: Why = ("present",)
FAILED_SELF: Why = ("failedself",)
MISSING: Why = ("missing",)
ZERO = (0,)
ZERO_SET = frozenset(ZERO)
NONE: frozenset[int] = frozenset()
ONE = PartitionSubset(((0, 0),))


@dataclass(slots=True)
class Parent:
    """A parent as one asset's conditions see it: its state, what of it is requested in
    this tick, and how the asset's indices map onto its indices."""

    name: str
    state: AssetState
    requested: Set[int]
    external: bool
    #: None: same index; 0: index 0; "all": every index, aggregated; else per index.
    mapper: Any


@dataclass(slots=True)
class Verdicts:
    """Per partition index: requested or not, and why (None: not considered)."""

    req: list[bool]
    why: list[Why | None]


@dataclass(frozen=True, slots=True)
class AssetDecision:
    """What a tick decided for one asset: groups of partition indices, each with its
    verdict and reason."""

    key: AssetKey
    groups: tuple[tuple[bool, Why, PartitionSubset], ...]

    @property
    def requested(self) -> PartitionSubset:
        """The indices requested."""
        out = PartitionSubset()
        for req, _, subset in self.groups:
            if req:
                out = out | subset
        return out


def upstream_of(mapper: Any, i: int, pstate: AssetState) -> Sequence[int]:
    if mapper is None:
        return (i,)
    if mapper == 0:
        return ZERO
    if mapper == "all":
        return range(pstate.n)
    seq: Sequence[int] = mapper[i]
    return seq


def blocked(i: int, parents: list[Parent], stale: Any) -> Why | None:
    """Why index ``i`` cannot run yet (an upstream missing, failed or in flight, or
    ``stale(parent, j)``), or None. An upstream requested in this tick never blocks."""
    for p in parents:
        ps = p.state
        if p.mapper == "all":
            if p.requested:
                continue
            if ps.inflight:
                return ("inflight_up", p.name)
            if ps.failed:
                return ("failed_up", p.name)
            if ps.latest_mat == 0.0 and not p.external:
                return ("missing_up", p.name)
            continue
        for j in upstream_of(p.mapper, i, ps):
            if j in p.requested:
                continue
            if ps.inflight and j in ps.inflight:
                return ("inflight_up", p.name)
            if j in ps.failed:
                return ("failed_up", p.name)
            if ps.mat[j] == 0.0:
                if p.external:
                    continue
                return ("missing_up", p.name)
            if stale(p, j):
                return ("cron_wait", p.name)
    return None


def eager(state: AssetState, parents: list[Parent]) -> Verdicts:
    n = state.n
    req = [False] * n
    why: list[Why | None] = [UP_TO_DATE] * n
    if not parents:
        return Verdicts(req, [NO_UPSTREAM] * n)
    inflight = state.inflight
    mat, attempt, failed = state.mat, state.attempt, state.failed
    for i in range(n):
        if inflight and i in inflight:
            why[i] = INFLIGHT
            continue
        att = attempt[i]
        block: Why | None = None
        trigger: Why | None = None
        for p in parents:
            ps = p.state
            if p.mapper == "all":
                if p.requested:
                    trigger = trigger or ("requested", p.name)
                elif ps.inflight:
                    block = block or ("inflight_up", p.name)
                elif ps.failed:
                    block = block or ("failed_up", p.name)
                elif ps.latest_mat == 0.0:
                    if not p.external:
                        block = block or ("missing_up", p.name)
                elif ps.latest_mat > att:
                    trigger = trigger or ("newer", p.name)
                continue
            pmat, preq, pfail, pin = ps.mat, p.requested, ps.failed, ps.inflight
            for j in upstream_of(p.mapper, i, ps):
                if preq and j in preq:
                    trigger = trigger or ("requested", p.name)
                elif pin and j in pin:
                    block = block or ("inflight_up", p.name)
                elif j in pfail:
                    block = block or ("failed_up", p.name)
                else:
                    m = pmat[j]
                    if m == 0.0:
                        if not p.external:
                            block = block or ("missing_up", p.name)
                    elif m > att:
                        trigger = trigger or ("newer", p.name)
        if block is not None:
            why[i] = block
        elif trigger is not None:
            req[i], why[i] = True, trigger
        elif i in failed and mat[i] < att:
            why[i] = LAST_FAILED
    return Verdicts(req, why)


def on_missing(
    node: AssetNode, state: AssetState, parents: list[Parent], lookback: int | None
) -> Verdicts:
    n = state.n
    req = [False] * n
    why: list[Why | None] = [None] * n
    if lookback is None:
        pdef = node.spec.partitions
        lookback = 1 if pdef is not None and hasattr(pdef, "keys_overlapping") else n
    for i in range(max(n - lookback, 0), n):
        if state.mat[i] > 0.0:
            why[i] = PRESENT
        elif i in state.failed:
            why[i] = FAILED_SELF
        elif state.inflight and i in state.inflight:
            why[i] = INFLIGHT
        else:
            block = blocked(i, parents, lambda p, j: False)
            if block is not None:
                why[i] = block
            else:
                req[i], why[i] = True, MISSING
    return Verdicts(req, why)


def on_cron(node: AssetNode, state: AssetState, parents: list[Parent], tick: float) -> Verdicts:
    n = state.n
    req = [False] * n
    why: list[Why | None] = [None] * n
    pdef = node.spec.partitions
    scope: Iterable[int] = (
        range(n - 1, n) if pdef is not None and hasattr(pdef, "keys_overlapping") else range(n)
    )

    def stale(p: Parent, j: int) -> bool:
        return p.state.mat[j] < tick

    for i in scope:
        if state.attempt[i] >= tick:
            why[i] = ("cron_done", tick)
        elif state.inflight and i in state.inflight:
            why[i] = INFLIGHT
        else:
            block = blocked(i, parents, stale)
            if block is not None:
                why[i] = (*block, tick) if block[0] == "cron_wait" else block
            else:
                req[i], why[i] = True, ("cron_due", tick)
    return Verdicts(req, why)


def any_of(parts: list[Verdicts]) -> Verdicts:
    first = parts[0]
    req, why = list(first.req), list(first.why)
    for other in parts[1:]:
        for i, r in enumerate(other.req):
            if r and not req[i]:
                req[i], why[i] = True, other.why[i]
            elif why[i] is None:
                why[i] = other.why[i]
    return Verdicts(req, why)


def all_of(parts: list[Verdicts]) -> Verdicts:
    first = parts[0]
    req, why = list(first.req), list(first.why)
    for other in parts[1:]:
        for i, r in enumerate(other.req):
            if req[i] and not r:
                req[i], why[i] = False, other.why[i] or ("notall",)
            elif req[i] and r:
                why[i] = ("and", why[i], other.why[i])
    return Verdicts(req, why)


def decide(key: AssetKey, verdicts: Verdicts) -> AssetDecision:
    req, why = verdicts.req, verdicts.why
    if len(req) == 1:
        w = why[0]
        groups = () if w is None else ((req[0], w, ONE),)
        return AssetDecision(key, groups)
    buckets: dict[tuple[bool, Why], list[int]] = {}
    for i, w in enumerate(why):
        if w is not None:
            buckets.setdefault((req[i], w), []).append(i)
    return AssetDecision(
        key,
        tuple(
            (r, w, PartitionSubset.from_indices(idx))
            for (r, w), idx in sorted(buckets.items(), key=lambda kv: (kv[0][0], kv[1][0]))
        ),
    )


__all__ = [
    "FAILED_SELF",
    "INFLIGHT",
    "LAST_FAILED",
    "MISSING",
    "NONE",
    "NO_UPSTREAM",
    "ONE",
    "PRESENT",
    "UP_TO_DATE",
    "ZERO",
    "ZERO_SET",
    "AssetDecision",
    "Parent",
    "Verdicts",
    "Why",
    "all_of",
    "any_of",
    "blocked",
    "decide",
    "eager",
    "on_cron",
    "on_missing",
    "upstream_of",
]
