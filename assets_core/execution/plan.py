"""The planner: (graph, selection, partitions) -> an ordered list of steps.

A step computes one definition (one asset, or the selected outputs of a multi_asset)
for one partition, or for a whole range when the asset opts into
``backfill="single_run"``. Executors only see steps and their dependencies, so every
executor reuses this planner unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from assets_core.errors import PartitionKeyError, UsageError

if TYPE_CHECKING:
    from assets_core.definitions.asset import AssetsDefinition
    from assets_core.graph.asset_graph import AssetGraph, AssetNode
    from assets_core.keys import AssetKey
    from assets_core.partitions.base import PartitionsDefinition

DynamicKeys = Callable[[str], list[str]]


@dataclass(frozen=True, slots=True)
class PartitionRequest:
    """The partitions a run asks for: one key, or an inclusive range."""

    key: str | None = None
    start: str | None = None
    end: str | None = None

    @property
    def is_empty(self) -> bool:
        return self.key is None and self.start is None

    def describe(self) -> list[str]:
        if self.key is not None:
            return [self.key]
        if self.start is not None:
            return [f"{self.start}...{self.end}"]
        return []


@dataclass(frozen=True, slots=True)
class Step:
    id: str
    keys: tuple[AssetKey, ...]
    definition: AssetsDefinition
    partition_key: str | None
    partition_keys: tuple[str, ...]
    deps: tuple[str, ...]

    @property
    def key(self) -> AssetKey:
        return self.keys[0]


@dataclass(frozen=True, slots=True)
class ExecutionPlan:
    steps: tuple[Step, ...]
    selected: tuple[AssetKey, ...]

    def __len__(self) -> int:
        return len(self.steps)


def dynamic_keys_for(
    partitions: PartitionsDefinition | None, lookup: DynamicKeys | None
) -> list[str] | None:
    if partitions is None or lookup is None:
        return None
    name = getattr(partitions, "name", None)
    if partitions.kind == "dynamic" and isinstance(name, str):
        return lookup(name)
    dims = getattr(partitions, "dimensions", None)
    if isinstance(dims, dict):
        for d in dims.values():
            if getattr(d, "kind", "") == "dynamic":
                return lookup(d.name)
    return None


def upstream_partition_keys(
    node: AssetNode,
    parent: AssetNode,
    partition_key: str | None,
    partition_keys: Sequence[str],
    lookup: DynamicKeys | None = None,
) -> list[str] | None:
    """The parent's partitions that ``node`` reads for its partition(s); None when
    the parent is unpartitioned."""
    up_def = parent.spec.partitions
    if up_def is None:
        return None
    down_def = node.spec.partitions
    mapping = node.mappings.get(parent.key)
    dyn = dynamic_keys_for(up_def, lookup)
    if mapping is None and down_def is not None:
        return list(partition_keys) if partition_keys else [partition_key] if partition_key else []
    if mapping is None:  # unpartitioned asset reads every partition
        return up_def.get_partition_keys(dyn)
    if down_def is None or not partition_keys:
        return mapping.upstream_keys(None, down_def, up_def, dyn)
    out: dict[str, None] = {}
    for k in partition_keys:
        out.update(dict.fromkeys(mapping.upstream_keys(k, down_def, up_def, dyn)))
    return list(out)


def _step_id(key: AssetKey, partition_keys: Sequence[str]) -> str:
    if not partition_keys:
        return str(key)
    if len(partition_keys) == 1:
        return f"{key}[{partition_keys[0]}]"
    return f"{key}[{partition_keys[0]}...{partition_keys[-1]}]"


def _asset_partitions(
    node: AssetNode, request: PartitionRequest, lookup: DynamicKeys | None
) -> list[str]:
    pdef = node.spec.partitions
    assert pdef is not None
    dyn = dynamic_keys_for(pdef, lookup)
    try:
        if request.key is not None:
            if "|" not in request.key and pdef.kind == "multi":
                # one dimension's key (a day): every key with that value
                return pdef.keys_between(request.key, request.key, dyn)
            pdef.validate_key(request.key, dyn)
            return [request.key]
        assert request.start is not None and request.end is not None
        return pdef.keys_between(request.start, request.end, dyn)
    except PartitionKeyError as e:
        raise PartitionKeyError(f"Asset {node.key}: {e.message}") from None


def _valid_range(pdef: PartitionsDefinition, lookup: DynamicKeys | None) -> str:
    keys = pdef.get_partition_keys(dynamic_keys_for(pdef, lookup))
    if not keys:
        return f"{pdef.describe()}, no partitions yet"
    return f"{pdef.describe()}: {keys[0]} ... {keys[-1]}" if len(keys) > 1 else keys[0]


def build_plan(
    graph: AssetGraph,
    keys: Sequence[AssetKey],
    request: PartitionRequest | None = None,
    dynamic_lookup: DynamicKeys | None = None,
) -> ExecutionPlan:
    """Plan ``keys`` (any order) for ``request``; raise usage errors for partition
    arguments that do not fit the selection."""
    request = request or PartitionRequest()
    ordered = [k for k in graph.sorted(keys) if not graph.get(k).is_external]
    partitioned = [k for k in ordered if graph.get(k).spec.partitions is not None]
    if partitioned and request.is_empty:
        listing = "; ".join(
            f"{k} ({_valid_range(graph.get(k).spec.partitions, dynamic_lookup)})"  # type: ignore[arg-type]
            for k in partitioned[:5]
        )
        raise UsageError(
            f"The selection holds partitioned assets: {listing}. Pass --partition KEY or "
            "--from A --to B."
        )
    if not request.is_empty and not partitioned:
        raise PartitionKeyError(
            "A partition was given but no selected asset is partitioned; drop --partition / "
            "--from / --to."
        )
    steps: list[Step] = []
    step_of: dict[tuple[AssetKey, str | None], str] = {}
    seen_defs: set[int] = set()
    selected = set(ordered)
    for key in ordered:
        node = graph.get(key)
        d = node.definition
        if id(d) in seen_defs:
            continue
        seen_defs.add(id(d))
        out_keys = tuple(k for k in d.keys if k in selected)
        if node.spec.partitions is None:
            groups: list[tuple[str, ...]] = [()]
        else:
            parts = _asset_partitions(node, request, dynamic_lookup)
            groups = [tuple(parts)] if d.backfill == "single_run" else [(p,) for p in parts]
        for part_keys in groups:
            pk = part_keys[0] if len(part_keys) == 1 else None
            deps: dict[str, None] = {}
            for k in out_keys:
                n = graph.get(k)
                for parent_key in n.parents:
                    if parent_key not in selected:
                        continue
                    ups = upstream_partition_keys(
                        n, graph.get(parent_key), pk, part_keys, dynamic_lookup
                    )
                    for q in ups if ups is not None else [None]:
                        dep = step_of.get((parent_key, q))
                        if dep is not None:
                            deps[dep] = None
            sid = _step_id(out_keys[0], part_keys)
            steps.append(Step(sid, out_keys, d, pk, part_keys, tuple(deps)))
            for k in out_keys:
                for p in part_keys or (None,):
                    step_of[(k, p)] = sid
    return ExecutionPlan(tuple(steps), tuple(ordered))
