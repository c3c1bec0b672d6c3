"""The planner: (graph, selection, partitions) -> an ordered list of steps.

A step computes one definition (one asset, or the selected outputs of a multi_asset)
for one partition, or for a whole range when the asset opts into
``backfill="single_run"``. Executors only see steps and their dependencies, so every
executor reuses this planner unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeAlias

from assets_core.errors import PartitionKeyError, UsageError
from assets_core.partitions.dynamic import DynamicKeyCache
from assets_core.partitions.multi import MultiPartitions

if TYPE_CHECKING:
    from assets_core.definitions.asset import AssetsDefinition
    from assets_core.graph.asset_graph import AssetGraph, AssetNode
    from assets_core.keys import AssetKey
    from assets_core.partitions.base import DynamicKeyStore, PartitionsDefinition


@dataclass(frozen=True, slots=True)
class PartitionRequest:
    """The partitions a run asks for: one key, an inclusive range, or a list of keys
    (``keys``, any of them, in any order)."""

    key: str | None = None
    start: str | None = None
    end: str | None = None
    keys: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        return self.key is None and self.start is None and not self.keys

    def describe(self) -> list[str]:
        if self.key is not None:
            return [self.key]
        if self.start is not None:
            return [f"{self.start}...{self.end}"]
        return list(self.keys)


#: Per partition key of a step (None for an unpartitioned step), the partitions of one
#: parent it reads.
PartitionReads: TypeAlias = Mapping[str | None, tuple[str, ...]]
#: Shared by the steps with no partitioned parent (a dict, not a MappingProxyType: steps
#: are pickled when they cross process boundaries).
_NO_READS: Mapping[AssetKey, PartitionReads | None] = {}
_UNPARTITIONED: PartitionReads = {}


@dataclass(frozen=True, slots=True)
class Step:
    """One unit an executor runs: a definition's selected outputs for one partition,
    for a range of them (``backfill="single_run"``), or unpartitioned.

    Attributes:
        id: ``key``, ``key[partition]`` or ``key[first...last]``.
        keys: The output asset keys this step materializes.
        definition: The asset (or multi-asset) definition.
        partition_key: The one partition key, else None.
        partition_keys: Every partition key of the step; empty when unpartitioned.
        deps: The ids of the steps that must finish first.
        reads: The partition mapping, computed once when the plan is built: for each
            partitioned parent of the first key, the parent's partitions each of the
            step's partitions reads, or None when they are its own partition keys (the
            default identity mapping). Kept per partition so that a step narrowed to
            fewer partitions (a resumed single-run backfill) reads only what those need.
    """

    id: str
    keys: tuple[AssetKey, ...]
    definition: AssetsDefinition
    partition_key: str | None
    partition_keys: tuple[str, ...]
    deps: tuple[str, ...]
    reads: Mapping[AssetKey, PartitionReads | None]

    def upstream_partitions(self, parent: AssetKey) -> tuple[str, ...] | None:
        """The partitions of ``parent`` this step reads, in order and without repeats;
        None when the parent is unpartitioned.

        Args:
            parent: A parent of the step's (first) asset.
        """
        per_key = self.reads.get(parent, _UNPARTITIONED)
        if per_key is _UNPARTITIONED:
            return None
        if per_key is None:
            return self.partition_keys
        return _union(per_key, self.partition_keys)

    @property
    def key(self) -> AssetKey:
        return self.keys[0]


@dataclass(frozen=True, slots=True)
class ExecutionPlan:
    steps: tuple[Step, ...]
    selected: tuple[AssetKey, ...]

    def __len__(self) -> int:
        return len(self.steps)


def upstream_reads(
    node: AssetNode,
    parent: AssetNode,
    partition_keys: Sequence[str],
    dynamic: DynamicKeyStore | None = None,
) -> PartitionReads:
    """For each of ``partition_keys`` (of ``node``; the key None when it is
    unpartitioned), the partitions of the partitioned ``parent`` it reads through the
    input's partition mapping.

    Args:
        node: The reading asset.
        parent: One of its parents, partitioned.
        partition_keys: The partitions of ``node`` being planned.
        dynamic: Where the keys of dynamic partitions come from.

    Raises:
        ValueError: ``parent`` is not partitioned.
    """
    up_def = parent.spec.partitions
    if up_def is None:
        raise ValueError(f"{parent.key} is not partitioned: it has no partitions to read")
    down_def = node.spec.partitions
    mapping = node.mappings.get(parent.key)
    if mapping is None and down_def is not None:
        return {k: (k,) for k in partition_keys}
    if mapping is None:  # unpartitioned asset reads every partition
        return {None: tuple(up_def.get_partition_keys(dynamic))}
    if down_def is None or not partition_keys:
        return {None: tuple(mapping.upstream_keys(None, down_def, up_def, dynamic))}
    return {k: tuple(mapping.upstream_keys(k, down_def, up_def, dynamic)) for k in partition_keys}


def _union(per_key: PartitionReads, partition_keys: Sequence[str]) -> tuple[str, ...]:
    if not partition_keys:
        return per_key[None]
    if len(partition_keys) == 1:
        return per_key[partition_keys[0]]
    out: dict[str, None] = {}
    for key in partition_keys:
        out.update(dict.fromkeys(per_key[key]))
    return tuple(out)


def _step_id(key: AssetKey, partition_keys: Sequence[str]) -> str:
    if not partition_keys:
        return str(key)
    if len(partition_keys) == 1:
        return f"{key}[{partition_keys[0]}]"
    return f"{key}[{partition_keys[0]}...{partition_keys[-1]}]"


def _asset_partitions(
    node: AssetNode, request: PartitionRequest, dyn: DynamicKeyStore | None
) -> list[str]:
    pdef = node.spec.partitions
    assert pdef is not None
    try:
        if request.key is not None or request.keys:
            out: dict[str, None] = {}
            for key in request.keys or (request.key or "",):
                if "|" not in key and isinstance(pdef, MultiPartitions):
                    # one dimension's key (a day): every key with that value
                    out.update(dict.fromkeys(pdef.keys_between(key, key, dyn)))
                else:
                    pdef.validate_key(key, dyn)
                    out[key] = None
            return list(out)
        assert request.start is not None and request.end is not None
        return pdef.keys_between(request.start, request.end, dyn)
    except PartitionKeyError as e:
        raise PartitionKeyError(f"Asset {node.key}: {e.message}") from None


def _valid_range(pdef: PartitionsDefinition, dyn: DynamicKeyStore | None) -> str:
    keys = pdef.get_partition_keys(dyn)
    if not keys:
        return f"{pdef.describe()}, no partitions yet"
    return f"{pdef.describe()}: {keys[0]} ... {keys[-1]}" if len(keys) > 1 else keys[0]


def build_plan(
    graph: AssetGraph,
    keys: Sequence[AssetKey],
    request: PartitionRequest | None = None,
    dynamic: DynamicKeyStore | None = None,
) -> ExecutionPlan:
    """Plan ``keys`` (any order) for ``request``; raise usage errors for partition
    arguments that do not fit the selection.

    Args:
        graph: The asset graph.
        keys: The selected asset keys.
        request: The partitions asked for (none for unpartitioned assets).
        dynamic: Where the keys of dynamic partitions live (the catalog); read once per
            name for the whole plan.
    """
    request = request or PartitionRequest()
    if dynamic is not None and not isinstance(dynamic, DynamicKeyCache):
        dynamic = DynamicKeyCache(source=dynamic)
    ordered = [k for k in graph.sorted(keys) if not graph.get(k).is_external]
    partitioned = [k for k in ordered if graph.get(k).spec.partitions is not None]
    if partitioned and request.is_empty:
        listing = "; ".join(
            f"{k} ({_valid_range(graph.get(k).spec.partitions, dynamic)})"  # type: ignore[arg-type]
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
    nodes = graph.nodes
    for key in ordered:
        node = nodes[key]
        d = node.definition
        if id(d) in seen_defs:
            continue
        seen_defs.add(id(d))
        out_keys = tuple(k for k in d.keys if k in selected)
        if node.spec.partitions is None:
            groups: list[tuple[str, ...]] = [()]
        else:
            parts = _asset_partitions(node, request, dynamic)
            groups = [tuple(parts)] if d.backfill == "single_run" else [(p,) for p in parts]
        # The step loads the inputs of its first key (a multi_asset's outputs share one
        # function); the other keys' parents only order it. Per edge: (reads the inputs,
        # node, parent, parent node, parent in the plan, parent partitioned, same keys).
        edges = []
        for i, k in enumerate(out_keys):
            n = nodes[k]
            for p in n.parents:
                if i and p not in selected:
                    continue
                pn = nodes[p]
                up_partitioned = pn.spec.partitions is not None
                same = up_partitioned and n.spec.partitions is not None and p not in n.mappings
                edges.append((not i, n, p, pn, p in selected, up_partitioned, same))
        for part_keys in groups:
            deps: dict[str, None] = {}
            reads: dict[AssetKey, PartitionReads | None] = {}
            for first, n, p, pn, in_plan, up_partitioned, same in edges:
                if not up_partitioned:
                    if in_plan and (dep := step_of.get((p, None))) is not None:
                        deps[dep] = None
                    continue
                if same:  # the identity mapping: the step's own keys
                    if first:
                        reads[p] = None
                    ups: Sequence[str] = part_keys
                else:
                    per_key = upstream_reads(n, pn, part_keys, dynamic)
                    if first:
                        reads[p] = per_key
                    ups = (
                        per_key[part_keys[0]] if len(part_keys) == 1 else _union(per_key, part_keys)
                    )
                if in_plan:
                    for q in ups:
                        if (dep := step_of.get((p, q))) is not None:
                            deps[dep] = None
            for k in out_keys:  # the assets the checks of this step read come first
                for extra in graph.check_inputs(k):
                    alike: Sequence[str | None] = (
                        part_keys if nodes[extra].spec.partitions is not None else (None,)
                    )
                    for pq in alike:
                        if (dep := step_of.get((extra, pq))) is not None:
                            deps[dep] = None
            sid = _step_id(out_keys[0], part_keys)
            pk = part_keys[0] if len(part_keys) == 1 else None
            steps.append(Step(sid, out_keys, d, pk, part_keys, tuple(deps), reads or _NO_READS))
            for k in out_keys:
                for part in part_keys or (None,):
                    step_of[(k, part)] = sid
    return ExecutionPlan(tuple(steps), tuple(ordered))
