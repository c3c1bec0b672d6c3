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

from collections.abc import Iterable, Sequence, Set
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from assets_core.automation.asset_state import AssetState, PartitionKeys
from assets_core.automation.conditions import Automation
from assets_core.automation.cron import CronSchedule
from assets_core.partitions.subset import PartitionSubset

if TYPE_CHECKING:
    from assets_core.catalog.evaluations import AssetEventRecord
    from assets_core.definitions.policies import Freshness
    from assets_core.graph.asset_graph import AssetGraph, AssetNode
    from assets_core.keys import AssetKey

#: A reason: (code, *details). Codes are rendered into words by ``reason_text``.
Why = tuple[Any, ...]

INFLIGHT: Why = ("inflight",)
UP_TO_DATE: Why = ("uptodate",)
LAST_FAILED: Why = ("lastfailed",)
NO_UPSTREAM: Why = ("noupstream",)
PRESENT: Why = ("present",)
FAILED_SELF: Why = ("failedself",)
MISSING: Why = ("missing",)
_ZERO = (0,)
_ZERO_SET = frozenset(_ZERO)
_NONE: frozenset[int] = frozenset()
_ONE = PartitionSubset(((0, 0),))
_MISSING = object()


@dataclass(slots=True)
class _Parent:
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
        self.decisions[key] = _decide(key, verdicts)
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
        nodes, simple = self._nodes, self._simple
        decisions = out.decisions
        for key in self.conditioned:
            state = states[key]
            if key in simple:
                req0, why0 = self._eager_one(state, self._parent_keys[key], states, requested)
                decisions[key] = AssetDecision(key, ((req0, why0, _ONE),))
                if req0:
                    requested[key] = _ZERO_SET
                continue
            node = nodes[key]
            parents = [
                _Parent(
                    name,
                    states[p],
                    requested.get(p, _NONE),
                    external,
                    self._mapper(node, nodes[p], state, states[p]),
                )
                for p, name, external in self._parent_keys[key]
            ]
            condition = node.spec.automation
            assert condition is not None
            verdicts = self._eval(condition, node, state, parents, now)
            policy = node.spec.freshness
            if policy is not None:
                overdue = self._overdue(node, state, parents, policy, now)
                if overdue is not None:
                    verdicts = _any([verdicts, overdue])
            decision = _decide(key, verdicts)
            out.decisions[key] = decision
            out.verdicts[key] = verdicts
            req = verdicts.req
            if len(req) == 1:
                if req[0]:
                    requested[key] = _ZERO_SET
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
        parents: list[_Parent],
        now: float,
    ) -> Verdicts:
        if cond.kind == "eager":
            return _eager(state, parents)
        if cond.kind == "on_missing":
            return _on_missing(node, state, parents, cond.lookback)
        if cond.kind == "on_cron":
            tick = self._cron(cond.cron or "", cond.timezone).latest_at_or_before(now)
            return _on_cron(node, state, parents, tick)
        parts = [self._eval(op, node, state, parents, now) for op in cond.operands]
        return _any(parts) if cond.kind == "any" else _all(parts)

    def _cron(self, expr: str, tz: str) -> CronSchedule:
        found = self._crons.get((expr, tz))
        if found is None:
            found = self._crons[(expr, tz)] = CronSchedule(expr, tz)
        return found

    def _overdue(
        self,
        node: AssetNode,
        state: AssetState,
        parents: list[_Parent],
        policy: Freshness,
        now: float,
    ) -> Verdicts | None:
        lag = overdue_lag(state, policy, now, self._cron)
        if lag is None:
            return None
        n = state.n
        if n == 0:
            return None
        req: list[bool] = [False] * n
        why: list[Why | None] = [None] * n
        i = n - 1
        became_overdue = state.latest_mat + policy.max_lag_s
        if i in state.inflight:
            why[i] = INFLIGHT
        elif state.attempt[i] > became_overdue:
            why[i] = ("overdue_tried", lag, policy.max_lag_s)
        else:
            block = _blocked(i, parents, lambda ps, j: False)
            if block is not None:
                why[i] = block
            else:
                req[i], why[i] = True, ("overdue", lag, policy.max_lag_s)
        return Verdicts(req, why)

    def _violations(
        self, states: dict[AssetKey, AssetState], now: float, since: dict[str, float]
    ) -> list[AssetEventRecord]:
        from assets_core.catalog.evaluations import AssetEventRecord

        out = []
        for key in self.fresh:
            policy = self.graph.get(key).spec.freshness
            assert policy is not None
            state = states[key]
            lag = overdue_lag(state, policy, now, self._cron)
            name = str(key)
            if lag is None or since.get(name, 0.0) >= state.latest_mat:
                continue
            out.append(
                AssetEventRecord(
                    name,
                    now,
                    "FRESHNESS_VIOLATION",
                    f"{name} is OVERDUE: last materialized {_ago(lag)} ago, over its "
                    f"freshness limit of {_ago(policy.max_lag_s)}",
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
        return _ups(self._mapper(node, pnode, state, pstate), i, pstate)


class _Interned(dict[tuple[str, str], "Why"]):
    """One reason tuple per (code, upstream), made on first use."""

    def __missing__(self, key: tuple[str, str]) -> Why:
        self[key] = key
        return key


def overdue_lag(
    state: AssetState, policy: Freshness, now: float, cron_of: Any = None
) -> float | None:
    """How old the asset's data is, when that violates ``policy`` (else None). With a
    cron, the data must be at most ``max_lag`` old at the latest cron tick."""
    latest = state.latest_mat
    if latest == 0.0:
        return None
    deadline = now
    if policy.cron is not None:
        cron = cron_of(policy.cron, "UTC") if cron_of else CronSchedule(policy.cron)
        deadline = cron.latest_at_or_before(now)
    lag = deadline - latest
    return now - latest if lag > policy.max_lag_s else None


def _ups(mapper: Any, i: int, pstate: AssetState) -> Sequence[int]:
    if mapper is None:
        return (i,)
    if mapper == 0:
        return _ZERO
    if mapper == "all":
        return range(pstate.n)
    seq: Sequence[int] = mapper[i]
    return seq


def _blocked(i: int, parents: list[_Parent], stale: Any) -> Why | None:
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
        for j in _ups(p.mapper, i, ps):
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


def _eager(state: AssetState, parents: list[_Parent]) -> Verdicts:
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
            for j in _ups(p.mapper, i, ps):
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


def _on_missing(
    node: AssetNode, state: AssetState, parents: list[_Parent], lookback: int | None
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
            block = _blocked(i, parents, lambda p, j: False)
            if block is not None:
                why[i] = block
            else:
                req[i], why[i] = True, MISSING
    return Verdicts(req, why)


def _on_cron(node: AssetNode, state: AssetState, parents: list[_Parent], tick: float) -> Verdicts:
    n = state.n
    req = [False] * n
    why: list[Why | None] = [None] * n
    pdef = node.spec.partitions
    scope: Iterable[int] = (
        range(n - 1, n) if pdef is not None and hasattr(pdef, "keys_overlapping") else range(n)
    )

    def stale(p: _Parent, j: int) -> bool:
        return p.state.mat[j] < tick

    for i in scope:
        if state.attempt[i] >= tick:
            why[i] = ("cron_done", tick)
        elif state.inflight and i in state.inflight:
            why[i] = INFLIGHT
        else:
            block = _blocked(i, parents, stale)
            if block is not None:
                why[i] = (*block, tick) if block[0] == "cron_wait" else block
            else:
                req[i], why[i] = True, ("cron_due", tick)
    return Verdicts(req, why)


def _any(parts: list[Verdicts]) -> Verdicts:
    first = parts[0]
    req, why = list(first.req), list(first.why)
    for other in parts[1:]:
        for i, r in enumerate(other.req):
            if r and not req[i]:
                req[i], why[i] = True, other.why[i]
            elif why[i] is None:
                why[i] = other.why[i]
    return Verdicts(req, why)


def _all(parts: list[Verdicts]) -> Verdicts:
    first = parts[0]
    req, why = list(first.req), list(first.why)
    for other in parts[1:]:
        for i, r in enumerate(other.req):
            if req[i] and not r:
                req[i], why[i] = False, other.why[i] or ("notall",)
            elif req[i] and r:
                why[i] = ("and", why[i], other.why[i])
    return Verdicts(req, why)


def _decide(key: AssetKey, verdicts: Verdicts) -> AssetDecision:
    req, why = verdicts.req, verdicts.why
    if len(req) == 1:
        w = why[0]
        groups = () if w is None else ((req[0], w, _ONE),)
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


def _ago(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f}s"
    if seconds < 7200:
        return f"{seconds / 60:.0f}m"
    if seconds < 172800:
        return f"{seconds / 3600:.1f}h"
    return f"{seconds / 86400:.1f}d"


def _when(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def reason_text(
    graph: AssetGraph,
    evaluator: ConditionEvaluator,
    key: AssetKey,
    why: Why,
    subset: PartitionSubset,
    states: dict[AssetKey, AssetState],
) -> str:
    """A reason in words; with the upstream partition and when, if it is about one
    partition."""
    code = why[0]
    fixed = _FIXED.get(code)
    if fixed is not None:
        return fixed
    state = states[key]
    one = subset is _ONE or len(subset) == 1
    i = subset.ranges[0][0] if subset.ranges else 0

    def upstream(name: str, pick: Any) -> str:
        """``upstream NAME [KEY]``, the key being the mapped partition ``pick`` chooses."""
        pkey = graph.resolve(name)
        ps = states.get(pkey)
        if not one or ps is None or ps.keys is None:
            return f"upstream {name}"
        ups = evaluator.upstream_indices(key, pkey, i, states)
        chosen = [j for j in ups if pick(ps, j)]
        return f"upstream {name} {ps.key(chosen[0])}" if chosen else f"upstream {name}"

    if code == "newer":
        name = why[1]
        pkey = graph.resolve(name)
        ps = states[pkey]
        if one:
            ups = evaluator.upstream_indices(key, pkey, i, states)
            at = max((ps.mat[j] for j in ups), default=ps.latest_mat)
            newest = [j for j in ups if ps.mat[j] == at]
            label = f" {ps.key(newest[0])}" if newest and ps.keys is not None else ""
            return f"upstream {name}{label} updated at {_when(at)}"
        return f"upstream {name} updated"
    if code == "requested":
        return f"upstream {why[1]} is requested in this tick"
    if code == "deferred":
        return (
            f"waiting: upstream {why[1]} is requested in this tick in another run; it follows "
            "once that run is done"
        )
    if code == "inflight_up":
        return f"waiting: upstream {why[1]} has a run queued or in progress"
    if code == "failed_up":
        return f"skipped: {upstream(why[1], lambda ps, j: j in ps.failed)} failed"
    if code == "missing_up":
        return f"skipped: {upstream(why[1], lambda ps, j: ps.mat[j] == 0.0)} is missing"
    if code == "cron_wait":
        return f"waiting: upstream {why[1]} has not updated since the cron tick at {_when(why[2])}"
    if code == "missing":
        pk = state.key(i)
        return f"partition {pk} is missing" if one and pk else "missing"
    if code == "cron_due":
        return f"cron tick at {_when(why[1])} passed and every upstream updated since"
    if code == "cron_done":
        return f"already attempted since the cron tick at {_when(why[1])}"
    if code == "overdue":
        return (
            f"OVERDUE: last materialized {_ago(why[1])} ago, over its freshness limit of "
            f"{_ago(why[2])}"
        )
    if code == "and":
        return " and ".join(reason_text(graph, evaluator, key, w, subset, states) for w in why[1:])
    return _FIXED.get(code, str(code))


_FIXED = {
    "inflight": "skipped: a run for it is already queued or running",
    "uptodate": "up to date with its upstreams",
    "lastfailed": "its last attempt failed after the latest upstream update; waiting for a new one",
    "noupstream": "eager: it has no upstream asset to follow",
    "present": "materialized",
    "failedself": "its last attempt failed; on_missing does not retry failures",
    "overdue_tried": "OVERDUE, but the run requested for it since has failed; waiting for an "
    "update",
    "notall": "not every condition is met",
}


__all__ = [
    "AssetDecision",
    "ConditionEvaluator",
    "TickDecisions",
    "Verdicts",
    "overdue_lag",
    "reason_text",
]
