"""Asset status computed from the catalog (SPEC §4): MISSING, FRESH, STALE (with
reasons), FAILED, OVERDUE and CHECK_FAILED — for many assets with a bounded number
of queries."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from assets_core.catalog.records import MaterializationRecord
from assets_core.errors import UsageError

if TYPE_CHECKING:
    from assets_core.catalog.catalog import Catalog
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
    key: AssetKey
    status: str
    reasons: list[str] = field(default_factory=list)
    latest: MaterializationRecord | None = None
    partition_stats: PartitionStats | None = None
    failed_checks: list[str] = field(default_factory=list)
    lag_s: float | None = None


def asset_statuses(
    graph: AssetGraph,
    catalog: Catalog,
    keys: Iterable[AssetKey] | None = None,
    now: float | None = None,
) -> dict[AssetKey, AssetStatusInfo]:
    """Status of ``keys`` (default: every asset) and the parents they depend on."""
    now = now or time.time()
    wanted = list(keys) if keys is not None else list(graph.toposorted)
    scope = set(wanted)
    for k in wanted:
        scope.update(graph.parents(k))
    names = [str(k) for k in scope]
    rows = catalog.partition_rows(names, all_partitions=True)
    latest_row: dict[str, object] = {}
    counts: dict[str, list[int]] = {}
    failed_unpartitioned: set[str] = set()
    for r in rows:
        c = counts.setdefault(r.asset_key, [0, 0])
        if r.status == "FAILED":
            c[1] += 1
            if r.partition is None:
                failed_unpartitioned.add(r.asset_key)
        else:
            c[0] += 1
        if r.materialization_id is not None:
            cur = latest_row.get(r.asset_key)
            if cur is None or r.timestamp > cur.timestamp:  # type: ignore[attr-defined]
                latest_row[r.asset_key] = r
    mats = catalog.materializations_by_id(
        r.materialization_id
        for r in latest_row.values()  # type: ignore[attr-defined]
    )
    latest = {k: mats.get(r.materialization_id) for k, r in latest_row.items()}  # type: ignore[attr-defined]
    consumed = catalog.upstream_ids(
        [m.id for k, m in latest.items() if m is not None and graph.find(k) in set(wanted)]
    )
    checks = catalog.latest_check_results([str(k) for k in wanted if graph.checks_for(k)])

    out: dict[AssetKey, AssetStatusInfo] = {}
    for key in wanted:
        node = graph.get(key)
        name = str(key)
        mat = latest.get(name)
        info = AssetStatusInfo(key=key, status="FRESH", latest=mat)
        spec = node.spec
        if spec.partitions is not None:
            total = _partition_total(spec.partitions, catalog)
            mat_count, failed_count = counts.get(name, [0, 0])
            info.partition_stats = PartitionStats(total, mat_count, failed_count)
        failed_checks = [
            c.name
            for c in graph.checks_for(key)
            if (r := checks.get((name, c.name))) is not None
            and not r.passed
            and r.severity == "error"
            and (mat is None or r.timestamp >= mat.timestamp)
        ]
        info.failed_checks = failed_checks
        if mat is not None:
            info.lag_s = now - mat.timestamp
        info.reasons = _stale_reasons(graph, key, mat, latest, consumed)
        if node.is_external and mat is None:
            info.status = "FRESH"  # produced outside Assetline: nothing to materialize
        elif name in failed_unpartitioned or (
            info.partition_stats is not None and info.partition_stats.failed
        ):
            info.status = "FAILED"
        elif failed_checks:
            info.status = "CHECK_FAILED"
        elif mat is None:
            info.status = "MISSING"
        elif (
            spec.freshness is not None
            and info.lag_s is not None
            and (info.lag_s > spec.freshness.max_lag_s)
        ):
            info.status = "OVERDUE"
            info.reasons.insert(
                0,
                f"last materialized {_ago(info.lag_s)} ago, over the "
                f"freshness limit of {_ago(spec.freshness.max_lag_s)}",
            )
        elif info.reasons:
            info.status = "STALE"
        out[key] = info
    return out


def _stale_reasons(
    graph: AssetGraph,
    key: AssetKey,
    mat: MaterializationRecord | None,
    latest: dict[str, MaterializationRecord | None],
    consumed: dict[int, list[int]],
) -> list[str]:
    if mat is None:
        return []
    node = graph.get(key)
    reasons = []
    if node.spec.code_version is not None and mat.code_version != node.spec.code_version:
        reasons.append(
            f"code version changed: {mat.code_version or 'none'} -> {node.spec.code_version}"
        )
    used = set(consumed.get(mat.id, ()))
    for parent in node.parents:
        up = latest.get(str(parent))
        if graph.get(parent).is_external:
            continue
        if up is None:
            reasons.append(f"upstream {parent} is missing")
        elif up.id not in used and up.timestamp > mat.timestamp:
            reasons.append(f"upstream {parent} was materialized after this asset")
    return reasons


def _partition_total(partitions: object, catalog: Catalog) -> int:
    name = getattr(partitions, "name", None)
    dynamic = (
        catalog.dynamic_partitions(name)
        if getattr(partitions, "kind", "") == "dynamic" and isinstance(name, str)
        else None
    )
    try:
        return len(partitions.get_partition_keys(dynamic))  # type: ignore[attr-defined]
    except Exception:
        return 0


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
    from assets_core.execution.plan import dynamic_keys_for
    from assets_core.partitions.subset import PartitionStatus, PartitionSubset

    node = graph.get(key)
    pdef = node.spec.partitions
    if pdef is None:
        raise UsageError(f"Asset {key} is not partitioned.")
    dynamic = dynamic_keys_for(pdef, catalog.dynamic_partitions)
    index = {k: i for i, k in enumerate(pdef.get_partition_keys(dynamic))}
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
