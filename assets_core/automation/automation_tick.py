"""One tick of the automation conditions: evaluate, turn what was requested into as few
runs as possible (``grouping.py``), and describe it all for the catalog (the tick, its
runs, the evaluations that changed, freshness violations), to commit in one
transaction."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from assets_core.automation.asset_state import (
    InflightRuns,
    PartitionKeys,
    StateLoader,
    unfinished_runs,
)
from assets_core.automation.evaluation import ConditionEvaluator, TickDecisions
from assets_core.automation.grouping import defer_split_chains
from assets_core.automation.reasons import reason_text
from assets_core.catalog.evaluations import AssetEventRecord, EvaluationRecord
from assets_core.catalog.ticks import TickCommit

if TYPE_CHECKING:
    from assets_core.catalog.catalog import Catalog
    from assets_core.catalog.records import RunRecord
    from assets_core.graph.asset_graph import AssetGraph
    from assets_core.keys import AssetKey
    from assets_core.partitions.subset import PartitionSubset

TRIGGER_TAG = "assetline/trigger"


@dataclass(slots=True)
class AutomationOutcome:
    """What one tick decided, ready to commit."""

    commit: TickCommit
    evaluations: list[EvaluationRecord] = field(default_factory=list)
    events: list[AssetEventRecord] = field(default_factory=list)
    covered: dict[str, dict[AssetKey, tuple[str, ...] | None]] = field(default_factory=dict)
    decisions: TickDecisions | None = None


class AutomationTicker:
    """Evaluates a graph's automation conditions tick after tick.

    Args:
        graph: The asset graph.
        catalog: Where the state is read.
    """

    def __init__(self, graph: AssetGraph, catalog: Catalog) -> None:
        self.graph = graph
        self.catalog = catalog
        self.partition_keys = PartitionKeys(catalog)
        self.evaluator = ConditionEvaluator(graph, self.partition_keys)
        self.loader = StateLoader(graph, self.evaluator.involved, self.partition_keys)
        self.inflight = InflightRuns()
        self._signatures: dict[AssetKey, tuple[Any, ...]] = {}

    @property
    def active(self) -> bool:
        """Whether any asset has a condition or a freshness policy."""
        return bool(self.evaluator.involved)

    def tick(self, now: float) -> AutomationOutcome:
        """Evaluate every condition at ``now``."""
        started = time.perf_counter()
        self.partition_keys.new_tick()
        states = self.loader.load(now)
        when = _utc(now)
        self.inflight.apply(
            self.graph,
            unfinished_runs(self.catalog),
            states,
            lambda pdef: self.partition_keys.keys(pdef, when)[0],
        )
        since = (
            self.catalog.latest_asset_events("FRESHNESS_VIOLATION") if self.evaluator.fresh else {}
        )
        decisions = self.evaluator.evaluate(states, now, since)
        runs, covered, run_of = self._runs(decisions, now)

        records: list[EvaluationRecord] = []
        asked = decisions.requested_indices
        previous = self._signatures
        graph, evaluator = self.graph, self.evaluator
        for key, decision in decisions.decisions.items():
            # Groups compare as their verdicts, reasons and index ranges (the subsets
            # are frozen dataclasses of their ranges): the signature of a decision.
            groups = decision.groups
            if key not in asked and previous.get(key) == groups:
                continue
            previous[key] = groups
            keys = states[key].keys
            name = str(key)
            for req, why, subset in groups:
                text = reason_text(graph, evaluator, key, why, subset, states)
                if keys is None:
                    ranges, count = None, 1
                else:
                    ranges, count = _key_ranges(keys, subset), len(subset)
                run_id = None
                if req:
                    run_id = run_of.get((key, subset.ranges[0][0] if subset.ranges else 0))
                records.append(EvaluationRecord(name, now, req, text, ranges, count, run_id))
        n_assets = len(asked)
        if runs:
            status, reason = "SUCCESS", f"requested {n_assets} asset(s) in {len(runs)} run(s)"
        else:
            status, reason = "SKIPPED", "no condition requested a run"
        commit = TickCommit(
            "automation",
            "automation",
            now,
            status,
            reason=reason,
            runs=runs,
            duration_s=time.perf_counter() - started,
        )
        return AutomationOutcome(commit, records, decisions.violations, covered, decisions)

    def committed(self, outcome: AutomationOutcome) -> None:
        """Remember what the committed runs cover (they are in flight from now on)."""
        for run_id, parts in outcome.covered.items():
            self.inflight.remember(run_id, parts)

    def forget(self) -> None:
        """Forget the previous verdicts (the next tick records every asset again)."""
        self._signatures.clear()

    def _runs(
        self, decisions: TickDecisions, now: float
    ) -> tuple[
        list[RunRecord],
        dict[str, dict[AssetKey, tuple[str, ...] | None]],
        dict[tuple[AssetKey, int], str],
    ]:
        requested = decisions.requested_indices
        groups, deferred = defer_split_chains(
            self.graph,
            self.evaluator,
            requested,
            decisions.states,
            lambda key, i: why_at(decisions, key, i),
        )
        for key, found in deferred.items():
            decisions.defer(key, found)
        runs: list[RunRecord] = []
        covered: dict[str, dict[AssetKey, tuple[str, ...] | None]] = {}
        run_of: dict[tuple[AssetKey, int], str] = {}
        for group in groups:
            run_id = uuid.uuid4().hex
            parts: tuple[str, ...] | None = None
            if group.sample is not None:
                pkeys = decisions.states[group.sample].keys
                assert pkeys is not None
                parts = tuple(pkeys[group.first : group.last + 1])
            runs.append(_run_record(run_id, list(group.members), parts, now))
            covered[run_id] = {
                k: parts if decisions.states[k].keys is not None else None for k in group.members
            }
            for k in group.members:
                if decisions.states[k].keys is None:
                    run_of[(k, 0)] = run_id
                else:
                    for i in range(group.first, group.last + 1):
                        run_of.setdefault((k, i), run_id)
        return runs, covered, run_of


def why_at(decisions: TickDecisions, key: AssetKey, i: int) -> Any:
    """The reason index ``i`` of ``key`` was decided."""
    verdicts = decisions.verdicts.get(key)
    if verdicts is not None:
        return verdicts.why[i]
    return decisions.decisions[key].groups[0][1]  # the short path's one index


def _run_record(
    run_id: str, keys: list[AssetKey], parts: tuple[str, ...] | None, now: float
) -> RunRecord:
    from assets_core.execution.plan import PartitionRequest
    from assets_core.execution.request import RunSpec
    from assets_core.execution.run import run_record

    if not parts:
        request = PartitionRequest()
    elif len(parts) == 1:
        request = PartitionRequest(key=parts[0])
    else:
        request = PartitionRequest(start=parts[0], end=parts[-1])
    spec = RunSpec(
        selection=", ".join(str(k) for k in keys),
        partitions=request,
        tags={TRIGGER_TAG: "automation"},
        launched_by="automation",
    )
    return run_record(spec, run_id, "QUEUED", now)


def _key_ranges(keys: list[str], subset: PartitionSubset) -> list[tuple[str, str]]:
    last = len(keys) - 1
    return [(keys[a], keys[min(b, last)]) for a, b in subset.ranges if a <= last]


def _utc(t: float) -> Any:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(t, UTC)


__all__ = ["TRIGGER_TAG", "AutomationOutcome", "AutomationTicker"]
