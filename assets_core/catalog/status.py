"""Asset status computed from the catalog (SPEC §4): MISSING, FRESH, STALE (with
reasons), FAILED, OVERDUE and CHECK_FAILED — for many assets with a bounded number
of queries."""

from __future__ import annotations

import os
import time
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from assets_core.catalog.records import MaterializationRecord
from assets_core.errors import UsageError
from assets_core.partitions.dynamic import DynamicKeyCache

if TYPE_CHECKING:
    from assets_core.catalog.catalog import Catalog
    from assets_core.definitions.policies import Freshness
    from assets_core.graph.asset_graph import AssetGraph
    from assets_core.keys import AssetKey


@dataclass(frozen=True, slots=True)
class PartitionStats:
    total: int
    materialized: int
    failed: int

    @property
    def missing(self) -> int:
        return max(self.total - self.materialized - self.failed, 0)


@dataclass(slots=True)
class AssetStatusInfo:
    """An asset's status, why, and its latest materialization (id, time, code
    version; the full record when asked for with ``with_records=True``)."""

    key: AssetKey
    status: str
    reasons: list[str] = field(default_factory=list)
    latest_id: int | None = None
    latest_at: float | None = None
    latest_code_version: str | None = None
    latest: MaterializationRecord | None = None
    partition_stats: PartitionStats | None = None
    failed_checks: list[str] = field(default_factory=list)
    lag_s: float | None = None
    #: When it was computed (epoch seconds): ``lag_s`` and OVERDUE are as of then.
    computed_at: float = 0.0


def asset_statuses(
    graph: AssetGraph,
    catalog: Catalog,
    keys: Iterable[AssetKey] | None = None,
    now: float | None = None,
    with_records: bool = True,
) -> dict[AssetKey, AssetStatusInfo]:
    """Status of ``keys`` (default: every asset), in that order, with a bounded number
    of queries: per-asset aggregates, the provenance of the latest materializations,
    and the latest check results. Staleness is transitive: an asset whose upstream is
    stale is stale too ("upstream X is stale")."""
    now = now or time.time()
    if keys is None:  # every asset: no upstream to add, already in order
        wanted = list(graph.toposorted)
        ordered = wanted
    else:
        wanted = list(keys)
        ordered = graph.sorted(set(wanted) | graph.upstream(wanted))
    outcomes = catalog.asset_outcomes([str(k) for k in ordered])
    latest_ids = [o[3] for o in outcomes.values() if o[3] is not None]
    consumed = catalog.upstream_ids(latest_ids)
    unchanged = _unchanged_upstreams(graph, ordered, outcomes, consumed, catalog)
    reasons = _all_stale_reasons(graph, ordered, outcomes, consumed, unchanged)
    checks = catalog.latest_check_results([str(k) for k in wanted if graph.checks_for(k)])
    records = catalog.materializations_by_id(latest_ids) if with_records else {}

    out: dict[AssetKey, AssetStatusInfo] = {}
    nodes = graph.nodes
    dynamic = DynamicKeyCache(source=catalog)  # one query per dynamic key set
    for key in wanted:
        node = nodes[key]
        name = str(key)
        done, failed, failed_root, mat_id, mat_at, code_version = outcomes.get(
            name, (0, 0, False, None, None, None)
        )
        info = AssetStatusInfo(
            key=key,
            status="FRESH",
            latest_id=mat_id,
            latest_at=mat_at,
            latest_code_version=code_version,
            latest=records.get(mat_id) if mat_id is not None else None,
            computed_at=now,
        )
        spec = node.spec
        if spec.partitions is not None:
            info.partition_stats = PartitionStats(
                spec.partitions.num_partitions(dynamic), done, failed
            )
        info.failed_checks = [
            c.name
            for c in graph.checks_for(key)
            if (r := checks.get((name, c.name))) is not None
            and not r.passed
            and r.severity == "error"
            and (mat_at is None or r.timestamp >= mat_at)
        ]
        if mat_at is not None:
            info.lag_s = now - mat_at
            info.reasons = list(reasons[key])
            problem = stored_value_problem(info.latest) if info.latest is not None else None
            if problem is not None:
                info.reasons.insert(0, problem)
        if failed_root or failed:
            info.status = "FAILED"
        elif node.is_external and mat_id is None:
            info.status = "MISSING"  # produced outside Assetline and never observed
            how = (
                "run `assetline observe`"
                if node.definition.observe is not None
                else "its producer reports it with the GraphQL mutation reportMaterialization"
            )
            info.reasons = [f"never observed: {how}"]
        elif info.failed_checks:
            info.status = "CHECK_FAILED"
        elif mat_id is None:
            info.status = "MISSING"
        elif (
            spec.freshness is not None
            and mat_at is not None
            and now > spec.freshness.overdue_at(mat_at)
        ):
            info.status = "OVERDUE"
            info.reasons.insert(0, overdue_reason(spec.freshness, mat_at, now))
        elif info.reasons:
            info.status = "STALE"
        out[key] = info
    return out


def stored_value_problem(record: MaterializationRecord) -> str | None:
    """Why the file ``record`` stored is no longer the value it recorded: ``stored value
    missing: PATH`` or ``stored value changed outside Assetline: PATH`` (its size or
    modification time differ), else None. One ``stat``, never a read; None for values
    that are not files or were recorded without a size."""
    if record.stored_size is None or not record.location:
        return None
    try:
        st = os.stat(record.location)
    except FileNotFoundError:
        return f"stored value missing: {record.location}"
    except OSError:
        return None
    if st.st_size != record.stored_size or st.st_mtime_ns != record.stored_mtime_ns:
        return f"stored value changed outside Assetline: {record.location}"
    return None


def _all_stale_reasons(
    graph: AssetGraph,
    ordered: list[AssetKey],
    outcomes: dict[str, tuple[Any, ...]],
    consumed: dict[int, list[int]],
    unchanged: set[tuple[AssetKey, AssetKey]],
) -> dict[AssetKey, list[str]]:
    """Why each materialized asset of ``ordered`` (parents first) is stale, including
    stale upstreams."""
    out: dict[AssetKey, list[str]] = {}
    for key in ordered:
        outcome = outcomes.get(str(key))
        if outcome is None or outcome[3] is None:
            out[key] = []
            continue
        own = _stale_reasons(graph, key, outcome, outcomes, consumed, unchanged)
        named = " ".join(own)
        for parent in graph.parents(key):
            if out.get(parent) and str(parent) not in named:
                own.append(f"upstream {parent} is stale")
        out[key] = own
    return out


def _stale_reasons(
    graph: AssetGraph,
    key: AssetKey,
    outcome: tuple[Any, ...],
    outcomes: dict[str, tuple[Any, ...]],
    consumed: dict[int, list[int]],
    unchanged: set[tuple[AssetKey, AssetKey]],
) -> list[str]:
    nodes = graph.nodes
    node = nodes[key]
    mat_id, mat_at, code_version = outcome[3], outcome[4], outcome[5]
    reasons = []
    if node.spec.code_version is not None and code_version != node.spec.code_version:
        reasons.append(
            f"code version changed: {code_version or 'none'} -> {node.spec.code_version}"
        )
    used = set(consumed.get(mat_id, ()))
    for parent in node.parents:
        up = outcomes.get(str(parent))
        if up is None or up[3] is None:
            if nodes[parent].spec.kind != "external":  # never observed: nothing to compare
                reasons.append(f"upstream {parent} is missing")
        elif up[3] not in used and up[4] > mat_at and (key, parent) not in unchanged:
            if nodes[parent].spec.kind == "external":
                reasons.append(f"upstream {parent} was observed with new data after this asset")
            else:
                reasons.append(f"upstream {parent} was materialized after this asset")
    return reasons


def _unchanged_upstreams(
    graph: AssetGraph,
    ordered: list[AssetKey],
    outcomes: dict[str, tuple[Any, ...]],
    consumed: dict[int, list[int]],
    catalog: Catalog,
) -> set[tuple[AssetKey, AssetKey]]:
    """The (asset, upstream) pairs where the upstream was materialized again after the
    asset but produced the data version the asset consumed: not a reason to be stale.
    One query, only when some upstream is newer."""
    newer: list[tuple[AssetKey, AssetKey, int, set[int]]] = []
    nodes = graph.nodes
    for key in ordered:
        outcome = outcomes.get(str(key))
        if outcome is None or outcome[3] is None:
            continue
        used = set(consumed.get(outcome[3], ()))
        for parent in nodes[key].parents:
            up = outcomes.get(str(parent))
            fresher = up is not None and up[3] is not None and up[4] > outcome[4]
            if used and fresher and up is not None and up[3] not in used:
                newer.append((key, parent, up[3], used))
    if not newer:
        return set()
    ids = {latest for _, _, latest, _ in newer} | {i for *_, used in newer for i in used}
    versions = catalog.data_versions(ids)
    out = set()
    for key, parent, latest, used in newer:
        name, version = versions.get(latest, (str(parent), None))
        if version is not None and any(versions.get(i) == (name, version) for i in used):
            out.add((key, parent))
    return out


def overdue_reason(policy: Freshness, materialized_at: float, now: float) -> str:
    """Why data materialized at ``materialized_at`` violates ``policy`` at ``now``."""
    lag = now - materialized_at
    if policy.cron is None:
        return (
            f"last materialized {_ago(lag)} ago, over the freshness limit of "
            f"{_ago(policy.max_lag_s)}"
        )
    from assets_core.automation.cron import iso_utc

    tick = policy.overdue_at(materialized_at) - policy.max_lag_s
    return (
        f"no materialization since the cron tick at {iso_utc(tick)} (freshness: "
        f"{policy.describe()}); last materialized {_ago(lag)} ago"
    )


def _ago(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f}s"
    if seconds < 7200:
        return f"{seconds / 60:.0f}m"
    if seconds < 172800:
        return f"{seconds / 3600:.1f}h"
    return f"{seconds / 86400:.1f}d"


def partition_status(graph: AssetGraph, catalog: Catalog, key: AssetKey) -> Any:
    """Every partition of a partitioned asset by status (a ``PartitionStatus`` of
    compact index ranges): materialized, failed, missing, and stale — materialized with
    an older code version, or before the same partition of an upstream asset partitioned
    the same way."""
    from assets_core.partitions.subset import PartitionStatus, PartitionSubset

    node = graph.get(key)
    pdef = node.spec.partitions
    if pdef is None:
        raise UsageError(f"Asset {key} is not partitioned.")
    index = {k: i for i, k in enumerate(pdef.get_partition_keys(catalog))}
    identity_parents = [
        p
        for p in node.parents
        if node.mappings.get(p) is None and graph.get(p).spec.partitions == pdef
    ]
    rows = catalog.partition_outcomes(
        str(key), node.spec.code_version, with_times=bool(identity_parents)
    )
    materialized: list[int] = []
    failed: list[int] = []
    stale: list[int] = []
    for row in rows:
        i = index.get(row[0])
        if i is None:
            continue  # a key of an older definition
        if row[1] == 0:
            failed.append(i)
            continue
        materialized.append(i)
        if row[1] == 2:
            stale.append(i)
    if identity_parents:
        stamps = {row[0]: row[2] for row in rows if row[1]}
        for parent_key in identity_parents:
            for partition, outcome, ts in catalog.partition_outcomes(
                str(parent_key), with_times=True
            ):
                if outcome and ts > stamps.get(partition, ts):
                    stale.append(index[partition])
    return PartitionStatus.compute(
        len(index),
        PartitionSubset.from_indices(materialized),
        PartitionSubset.from_indices(failed),
        PartitionSubset.from_indices(stale),
    )


class StatusCache:
    """Statuses of all of a graph's assets, recomputed only when the catalog changed
    (its change marker) or ``max_age_s`` passed (freshness depends on the clock).
    A server keeps one per loaded graph: a UI polling 10,000 statuses every few
    seconds then costs one cheap query per poll while nothing runs."""

    #: Below this many keys, computing directly is cheaper than all assets at once.
    DIRECT_BELOW = 256

    def __init__(self, graph: AssetGraph, max_age_s: float = 15.0) -> None:
        import threading

        self.graph = graph
        self.max_age_s = max_age_s
        self._lock = threading.Lock()
        self._commits: Hashable = None
        self._marker: tuple[Any, ...] | None = None
        self._at = 0.0
        self._all: dict[AssetKey, AssetStatusInfo] = {}

    def statuses(
        self, catalog: Catalog, keys: Iterable[AssetKey]
    ) -> dict[AssetKey, AssetStatusInfo]:
        """Statuses of ``keys``: few keys are computed directly, many come from the
        statuses of all assets, recomputed only when needed."""
        wanted = list(keys)
        if len(wanted) < self.DIRECT_BELOW:
            return asset_statuses(self.graph, catalog, wanted, with_records=False)
        found = self.all(catalog)
        return {k: found[k] for k in wanted}

    def all(self, catalog: Catalog) -> dict[AssetKey, AssetStatusInfo]:
        """Statuses of every asset, in topological order. Nothing committed since the
        last computation (the catalog's commit marker, read first, costs microseconds)
        or nothing that changes a status (``change_marker``): the same dict again."""
        commits = catalog.commit_marker()
        with self._lock:
            now = time.time()
            fresh = now - self._at <= self.max_age_s
            if commits != self._commits or not fresh:
                marker = catalog.change_marker()
                if marker != self._marker or not fresh:
                    self._all = asset_statuses(self.graph, catalog, None, now, with_records=False)
                    self._marker, self._at = marker, now
                self._commits = commits
            return self._all
