"""Evaluating the automation conditions (``conditions.py``) over the asset graph.

One tick reads the state of the assets involved (``asset_state.py``), then walks the
assets with a condition parents first, partition index by partition index. Each index
gets a verdict, requested or not, and a *reason* — a small tuple such as
``("newer", "raw/orders")`` — so that indices with the same verdict and reason group
into one range of partitions, recorded once ("upstream raw/orders updated", 2,000
partitions) and put into one run. An asset requested in this tick counts as updated
for its children, which are requested in the same run (a chain follows in one tick).

What is written is what changed: the evaluations of an asset are recorded when its
verdicts or reasons differ from the previous tick's, or when it requests a run.
"""

from __future__ import annotations

from collections.abc import Sequence, Set
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from assets_core.automation.asset_state import AssetState, PartitionKeys
from assets_core.automation.conditions import Automation
from assets_core.automation.cron import CronSchedule
from assets_core.automation.reasons import ago
from assets_core.automation.verdicts import (
    INFLIGHT,
    LAST_FAILED,
    NO_UPSTREAM,
    NONE,
    ONE,
    UP_TO_DATE,
    ZERO_SET,
    AssetDecision,
    Parent,
    Verdicts,
    Why,
    all_of,
    any_of,
    blocked,
    decide,
    eager,
    on_cron,
    on_missing,
    upstream_of,
)

if TYPE_CHECKING:
    from assets_core.catalog.evaluations import AssetEventRecord
    from assets_core.definitions.policies import Freshness
    from assets_core.graph.asset_graph import AssetGraph, AssetNode
    from assets_core.keys import AssetKey
    from assets_core.partitions.subset import PartitionSubset

#: A reason: (code, *details). Codes are rendered into words by ``reason_text``.

_MISSING = object()


@dataclass(slots=True)
class TickDecisions:
    """Everything one evaluation decided."""

    decisions: dict[AssetKey, AssetDecision] = field(default_factory=dict)
    states: dict[AssetKey, AssetState] = field(default_factory=dict)
    violations: list[AssetEventRecord] = field(default_factory=list)
    verdicts: dict[AssetKey, Verdicts] = field(default_factory=dict)
    #: asset -> the partition indices requested (before runs are grouped).
    requested_indices: dict[AssetKey, Set[int]] = field(default_factory=dict)

    def defer(self, key: AssetKey, deferred: dict[int, Why]) -> None:
        """Turn requested indices of ``key`` into not requested, each with its reason."""
        verdicts = self.verdicts.get(key)
        if verdicts is None:  # decided on the short path: one partition index
            ((req, why, _),) = self.decisions[key].groups
            verdicts = self.verdicts[key] = Verdicts([req], [why])
        for i, why in deferred.items():
            verdicts.req[i], verdicts.why[i] = False, why
        self.decisions[key] = decide(key, verdicts)
        left = {i for i, r in enumerate(verdicts.req) if r}
        if left:
            self.requested_indices[key] = left
        else:
            self.requested_indices.pop(key, None)

    def requested(self) -> dict[AssetKey, PartitionSubset]:
        """asset -> the partition indices requested (non-empty only)."""
        out = {}
        for key, d in self.decisions.items():
            r = d.requested
            if r:
                out[key] = r
        return out


class ConditionEvaluator:
    """Evaluates the conditions of one graph tick after tick (it keeps partition
    mappings between ticks).

    Args:
        graph: The asset graph.
        partition_keys: Lists partition keys (shared with the caller).
    """

    def __init__(self, graph: AssetGraph, partition_keys: PartitionKeys) -> None:
        self.graph = graph
        self.partition_keys = partition_keys
        self.conditioned = [k for k in graph.toposorted if graph.get(k).spec.automation is not None]
        self.fresh = [k for k in graph.toposorted if graph.get(k).spec.freshness is not None]
        wanted = set(self.conditioned) | set(self.fresh)
        for k in self.conditioned:
            wanted.update(graph.parents(k))
        self.involved = [k for k in graph.toposorted if k in wanted]
        self._nodes = {k: graph.get(k) for k in self.involved}
        self._parent_keys = {
            k: [(p, str(p), self._nodes[p].is_external) for p in graph.parents(k)]
            for k in self.conditioned
        }
        self._crons: dict[tuple[str, str], CronSchedule] = {}
        self._mappers: dict[tuple[AssetKey, AssetKey, int, int], Any] = {}
        # Unpartitioned eager assets with unpartitioned parents take a short path.
        self._simple = {
            k
            for k in self.conditioned
            if (spec := self._nodes[k].spec).partitions is None
            and spec.freshness is None
            and spec.automation is not None
            and spec.automation.kind == "eager"
            and all(self._nodes[p].spec.partitions is None for p, _, _ in self._parent_keys[k])
        }
        self._whys: dict[tuple[str, str], Why] = _Interned()
        #: What ``evaluate`` walks: each conditioned asset (parents first), whether it
        #: takes the short path, and its parents (looked up once, not every tick).
        self._order = [(k, k in self._simple, self._parent_keys[k]) for k in self.conditioned]

    def evaluate(
        self,
        states: dict[AssetKey, AssetState],
        now: float,
        violations_since: dict[str, float] | None = None,
    ) -> TickDecisions:
        """Decide every conditioned asset, parents first; ``violations_since`` maps an
        asset to its latest recorded freshness violation."""
        out = TickDecisions(states=states)
        requested: dict[AssetKey, Set[int]] = out.requested_indices
        nodes = self._nodes
        decisions = out.decisions
        for key, is_simple, parent_keys in self._order:
            state = states[key]
            if is_simple:
                req0, why0 = self._eager_one(state, parent_keys, states, requested)
                decisions[key] = AssetDecision(key, ((req0, why0, ONE),))
                if req0:
                    requested[key] = ZERO_SET
                continue
            node = nodes[key]
            parents = [
                Parent(
                    name,
                    states[p],
                    requested.get(p, NONE),
                    external,
                    self._mapper(node, nodes[p], state, states[p]),
                )
                for p, name, external in parent_keys
            ]
            condition = node.spec.automation
            assert condition is not None
            verdicts = self._eval(condition, node, state, parents, now)
            policy = node.spec.freshness
            if policy is not None:
                overdue = self._overdue(node, state, parents, policy, now)
                if overdue is not None:
                    verdicts = any_of([verdicts, overdue])
            decision = decide(key, verdicts)
            out.decisions[key] = decision
            out.verdicts[key] = verdicts
            req = verdicts.req
            if len(req) == 1:
                if req[0]:
                    requested[key] = ZERO_SET
            elif any(req):
                requested[key] = {i for i, r in enumerate(req) if r}
        out.violations = self._violations(states, now, violations_since or {})
        return out

    def _eager_one(
        self,
        state: AssetState,
        parents: list[tuple[AssetKey, str, bool]],
        states: dict[AssetKey, AssetState],
        requested: dict[AssetKey, Set[int]],
    ) -> tuple[bool, Why]:
        """``eager`` for an unpartitioned asset with unpartitioned parents: the common
        case, without the per-partition machinery (``_eager`` decides the same)."""
        if state.inflight:
            return False, INFLIGHT
        att = state.attempt[0]
        block: Why | None = None
        trigger: Why | None = None
        whys = self._whys
        for p, name, external in parents:
            if p in requested:
                trigger = trigger or whys[("requested", name)]
                continue
            ps = states[p]
            if ps.inflight:
                block = block or whys[("inflight_up", name)]
            elif ps.failed:
                block = block or whys[("failed_up", name)]
            else:
                m = ps.mat[0]
                if m == 0.0:
                    if not external:
                        block = block or whys[("missing_up", name)]
                elif m > att:
                    trigger = trigger or whys[("newer", name)]
        if block is not None:
            return False, block
        if trigger is not None:
            return True, trigger
        if not parents:
            return False, NO_UPSTREAM
        if state.failed and state.mat[0] < att:
            return False, LAST_FAILED
        return False, UP_TO_DATE

    # -- the conditions ---------------------------------------------------------------
    def _eval(
        self,
        cond: Automation,
        node: AssetNode,
        state: AssetState,
        parents: list[Parent],
        now: float,
    ) -> Verdicts:
        if cond.kind == "eager":
            return eager(state, parents)
        if cond.kind == "on_missing":
            return on_missing(node, state, parents, cond.lookback)
        if cond.kind == "on_cron":
            tick = self._cron(cond.cron or "", cond.timezone).latest_at_or_before(now)
            return on_cron(node, state, parents, tick)
        parts = [self._eval(op, node, state, parents, now) for op in cond.operands]
        return any_of(parts) if cond.kind == "any" else all_of(parts)

    def _cron(self, expr: str, tz: str) -> CronSchedule:
        found = self._crons.get((expr, tz))
        if found is None:
            found = self._crons[(expr, tz)] = CronSchedule(expr, tz)
        return found

    def _overdue(
        self,
        node: AssetNode,
        state: AssetState,
        parents: list[Parent],
        policy: Freshness,
        now: float,
    ) -> Verdicts | None:
        lag = overdue_lag(state, policy, now)
        if lag is None:
            return None
        n = state.n
        if n == 0:
            return None
        req: list[bool] = [False] * n
        why: list[Why | None] = [None] * n
        i = n - 1
        became_overdue = policy.overdue_at(state.latest_mat)
        if i in state.inflight:
            why[i] = INFLIGHT
        elif state.attempt[i] > became_overdue:
            why[i] = ("overdue_tried", lag, policy.max_lag_s)
        else:
            block = blocked(i, parents, lambda ps, j: False)
            if block is not None:
                why[i] = block
            else:
                req[i], why[i] = True, ("overdue", lag, policy.max_lag_s)
        return Verdicts(req, why)

    def _violations(
        self, states: dict[AssetKey, AssetState], now: float, since: dict[str, float]
    ) -> list[AssetEventRecord]:
        from assets_core.catalog.evaluations import AssetEventRecord
        from assets_core.catalog.status import overdue_reason

        out = []
        for key in self.fresh:
            policy = self.graph.get(key).spec.freshness
            assert policy is not None
            state = states[key]
            lag = overdue_lag(state, policy, now)
            name = str(key)
            if lag is None or since.get(name, 0.0) >= state.latest_mat:
                continue
            out.append(
                AssetEventRecord(
                    name,
                    now,
                    "FRESHNESS_VIOLATION",
                    f"{name} is OVERDUE: last materialized {ago(lag)} ago, over its "
                    f"freshness limit of {ago(policy.max_lag_s)}"
                    if policy.cron is None
                    else f"{name} is OVERDUE: " + overdue_reason(policy, state.latest_mat, now),
                    data={"lag_s": round(lag, 3), "max_lag_s": policy.max_lag_s},
                )
            )
        return out

    # -- parents and partition mappings ----------------------------------------------------
    def _mapper(
        self, node: AssetNode, parent: AssetNode, state: AssetState, pstate: AssetState
    ) -> Any:
        if pstate.keys is None:
            return 0
        cache_key = (node.key, parent.key, state.n, pstate.n)
        found = self._mappers.get(cache_key, _MISSING)
        if found is not _MISSING:
            return found
        mapping = node.mappings.get(parent.key)
        down, up = node.spec.partitions, parent.spec.partitions
        assert up is not None
        mapper: Any
        if mapping is None and down is None:
            mapper = "all"
        elif mapping is None and down == up:
            mapper = None
        else:
            index = pstate.index
            dyn = self.partition_keys.dynamic(up)
            if mapping is None:  # identity by key between two compatible definitions
                mapper = [(index[k],) if k in index else () for k in (state.keys or ())]
            elif down is None:
                keys = mapping.upstream_keys(None, None, up, dyn)
                mapper = [tuple(index[k] for k in keys if k in index)]
            else:
                mapper = [
                    tuple(index[k] for k in mapping.upstream_keys(d, down, up, dyn) if k in index)
                    for d in state.keys or ()
                ]
        self._mappers[cache_key] = mapper
        return mapper

    def upstream_indices(
        self, key: AssetKey, parent: AssetKey, i: int, states: dict[AssetKey, AssetState]
    ) -> Sequence[int]:
        """The indices of ``parent`` that index ``i`` of ``key`` reads."""
        node, pnode = self.graph.get(key), self.graph.get(parent)
        state, pstate = states[key], states[parent]
        return upstream_of(self._mapper(node, pnode, state, pstate), i, pstate)


class _Interned(dict[tuple[str, str], "Why"]):
    """One reason tuple per (code, upstream), made on first use."""

    def __missing__(self, key: tuple[str, str]) -> Why:
        self[key] = key
        return key


def overdue_lag(state: AssetState, policy: Freshness, now: float) -> float | None:
    """How old the asset's data is, when that violates ``policy`` (else None); see
    ``Freshness.overdue_at`` for what a cron changes."""
    latest = state.latest_mat
    if latest == 0.0 or now <= policy.overdue_at(latest):
        return None
    return now - latest


__all__ = ["ConditionEvaluator", "TickDecisions", "overdue_lag"]
