"""The reasons of the automation verdicts (``verdicts.py``) in words: "upstream
raw/orders 2024-03-01 updated at 2024-03-02 06:02:13 UTC", "skipped: upstream
stg_orders failed" — with the upstream partition and time when a reason is about one
partition."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from assets_core.automation.verdicts import ONE

if TYPE_CHECKING:
    from assets_core.automation.asset_state import AssetState
    from assets_core.automation.evaluation import ConditionEvaluator
    from assets_core.automation.verdicts import Why
    from assets_core.graph.asset_graph import AssetGraph
    from assets_core.keys import AssetKey
    from assets_core.partitions.subset import PartitionSubset


def ago(seconds: float) -> str:
    """A duration for people: ``45s``, ``12m``, ``2.0h``, ``3.5d``."""
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
    if code == "requested":  # most of a big tick: before any lookup
        return f"upstream {why[1]} is requested in this tick"
    state = states[key]
    one = subset is ONE or len(subset) == 1
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
        policy = graph.get(key).spec.freshness
        if policy is not None and policy.cron is not None and key in states:
            tick = policy.overdue_at(states[key].latest_mat) - policy.max_lag_s
            return (
                f"OVERDUE: no materialization since the cron tick at {_when(tick)} "
                f"({policy.describe()}); last materialized {ago(why[1])} ago"
            )
        return (
            f"OVERDUE: last materialized {ago(why[1])} ago, over its freshness limit of "
            f"{ago(why[2])}"
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


__all__ = ["ago", "reason_text"]
