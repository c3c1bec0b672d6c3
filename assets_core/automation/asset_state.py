"""What the automation conditions read, loaded in a few statements per tick: for each
asset involved, per partition index, when it was last materialized and last attempted
and whether its latest attempt failed; and which partitions runs already queued or
running will materialize.

Partitions are addressed by index into the definition's keys (as in
``PartitionSubset``); an unpartitioned asset has the one index 0.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from assets_core.catalog.dialect import CHUNK
from assets_core.partitions.subset import PartitionSubset

if TYPE_CHECKING:
    from assets_core.catalog.catalog import Catalog
    from assets_core.catalog.records import RunRecord
    from assets_core.graph.asset_graph import AssetGraph
    from assets_core.keys import AssetKey
    from assets_core.partitions.base import DynamicKeyStore, PartitionsDefinition

_UNFINISHED = ("QUEUED", "STARTED", "CANCELING")
_EMPTY = PartitionSubset()


@dataclass(slots=True)
class AssetState:
    """One asset's partitions as the conditions see them.

    Attributes:
        keys: The partition keys (None: unpartitioned, one index 0).
        mat: Per index, when it was last materialized (0.0: never).
        attempt: Per index, its last attempt: materialization or failure (0.0: never).
        failed: Indices whose latest attempt failed.
        inflight: Indices a queued or running run will materialize.
    """

    keys: list[str] | None
    mat: list[float]
    attempt: list[float]
    failed: set[int] = field(default_factory=set)
    inflight: PartitionSubset = field(default_factory=PartitionSubset)
    index: dict[str, int] = field(default_factory=dict)

    @property
    def n(self) -> int:
        """How many partition indices (1 when unpartitioned)."""
        return len(self.mat)

    def key(self, i: int) -> str | None:
        """The partition key at index ``i`` (None when unpartitioned)."""
        return self.keys[i] if self.keys is not None else None

    @property
    def latest_mat(self) -> float:
        """When any partition was last materialized (0.0: never)."""
        return max(self.mat, default=0.0)


class PartitionKeys:
    """Partition keys of definitions at a given time, listed once per definition and
    number of keys (time partitions grow as time passes)."""

    def __init__(self, catalog: Catalog) -> None:
        from assets_core.partitions.dynamic import DynamicKeyCache

        self.catalog = catalog
        self._cache: dict[tuple[int, int], tuple[list[str], dict[str, int]]] = {}
        self._store = DynamicKeyCache(source=catalog)

    def dynamic(self, pdef: PartitionsDefinition) -> DynamicKeyStore:
        """What ``pdef``'s methods take as ``dynamic_keys``: the catalog's keys, read
        once per name and tick."""
        return self._store

    def keys(self, pdef: PartitionsDefinition, now: datetime) -> tuple[list[str], dict[str, int]]:
        """The keys of ``pdef`` at ``now`` and their indices."""
        dyn = self.dynamic(pdef)
        n = pdef.num_partitions(dyn, current_time=now)
        entry = self._cache.get((id(pdef), n))
        if entry is None:
            keys = pdef.get_partition_keys(dyn, current_time=now)
            entry = (keys, {k: i for i, k in enumerate(keys)})
            self._cache[(id(pdef), n)] = entry
        return entry

    def new_tick(self) -> None:
        """Forget dynamic keys (they may have changed since the last tick)."""
        from assets_core.partitions.dynamic import DynamicKeyCache

        self._store = DynamicKeyCache(source=self.catalog)


class StateLoader:
    """Loads the state of a fixed list of assets tick after tick, reusing the state
    objects of unpartitioned assets (10,000 of them are read every tick).

    Args:
        graph: The asset graph.
        keys: The assets to load.
        partition_keys: Lists partition keys.
    """

    def __init__(
        self, graph: AssetGraph, keys: Iterable[AssetKey], partition_keys: PartitionKeys
    ) -> None:
        self.catalog = partition_keys.catalog
        self.partition_keys = partition_keys
        self.assets = [(k, str(k), graph.get(k).spec.partitions) for k in keys]
        self.by_name = {name: k for k, name, _ in self.assets}
        self._plain: dict[AssetKey, AssetState] = {}
        # Most of the graph: one read of the whole latest-outcome table beats IN lists.
        self._scan = len(self.assets) > CHUNK and 2 * len(self.assets) >= len(graph)

    def load(self, now: float) -> dict[AssetKey, AssetState]:
        """The state of every asset at ``now``."""
        when = datetime.fromtimestamp(now, UTC)
        states: dict[AssetKey, AssetState] = {}
        plain = self._plain
        for key, _, pdef in self.assets:
            if pdef is None:
                state = plain.get(key)
                if state is None:
                    state = plain[key] = AssetState(None, [0.0], [0.0])
                else:
                    state.mat[0] = state.attempt[0] = 0.0
                    if state.failed:
                        state.failed = set()
                    if state.inflight:
                        state.inflight = _EMPTY
                states[key] = state
            else:
                pkeys, index = self.partition_keys.keys(pdef, when)
                n = len(pkeys)
                states[key] = AssetState(pkeys, [0.0] * n, [0.0] * n, index=index)
        by_name = self.by_name
        for name, partition, failed, has_mat, ts, failed_at in self.catalog.latest_attempts(
            list(by_name), scan=self._scan
        ):
            state = states[by_name[name]]
            if state.keys is None:
                if partition:
                    continue  # recorded when the asset was partitioned
                i = 0
            else:
                found = state.index.get(partition)
                if found is None:
                    continue  # a key of an older definition, or past the range
                i = found
            mat = ts if has_mat else 0.0
            state.mat[i] = mat
            state.attempt[i] = failed_at if failed_at is not None and failed_at > mat else mat
            if failed:
                state.failed.add(i)
        return states


def load_states(
    graph: AssetGraph,
    catalog: Catalog,
    keys: Iterable[AssetKey],
    now: float,
    partition_keys: PartitionKeys,
) -> dict[AssetKey, AssetState]:
    """The state of ``keys`` from the catalog's latest outcome per (asset, partition)."""
    return StateLoader(graph, keys, partition_keys).load(now)


class InflightRuns:
    """Which (asset, partition indices) the unfinished runs will materialize. A run's
    selection is evaluated once and remembered while the run is unfinished."""

    def __init__(self) -> None:
        self._by_run: dict[str, dict[AssetKey, tuple[str, ...] | None]] = {}

    def remember(self, run_id: str, parts: dict[AssetKey, tuple[str, ...] | None]) -> None:
        """Record what a run queued by this process covers (no need to evaluate its
        selection again)."""
        self._by_run[run_id] = parts

    def apply(
        self,
        graph: AssetGraph,
        runs: Sequence[RunRecord],
        states: dict[AssetKey, AssetState],
        keys_of: Callable[[PartitionsDefinition], list[str]],
    ) -> None:
        """Mark in ``states`` the partitions that ``runs`` (unfinished) cover."""
        live = {r.id for r in runs}
        for stale in [rid for rid in self._by_run if rid not in live]:
            del self._by_run[stale]
        for run in runs:
            covered = self._by_run.get(run.id)
            if covered is None:
                covered = self._by_run[run.id] = _covered(graph, run, keys_of)
            for key, parts in covered.items():
                state = states.get(key)
                if state is None:
                    continue
                if state.keys is None or parts is None:
                    state.inflight = PartitionSubset.all(state.n)
                    continue
                idx = [state.index[p] for p in parts if p in state.index]
                state.inflight = state.inflight | PartitionSubset.from_indices(idx)


def _covered(
    graph: AssetGraph, run: RunRecord, keys_of: Callable[[PartitionsDefinition], list[str]]
) -> dict[AssetKey, tuple[str, ...] | None]:
    """asset -> the partition keys ``run`` materializes (None: all it has / unpartitioned)."""
    from assets_core.execution.request import stored_partitions
    from assets_core.graph.select import select

    try:
        selected = select(graph, run.selection)
        request = stored_partitions(run.partitions)
    except Exception:  # a run of another code location, or of older definitions
        return {}
    out: dict[AssetKey, tuple[str, ...] | None] = {}
    for key in selected:
        pdef = graph.get(key).spec.partitions
        if pdef is None or request.is_empty:
            out[key] = None
        elif request.key is not None:
            out[key] = (request.key,)
        elif request.keys:
            out[key] = request.keys
        else:
            keys = keys_of(pdef)
            try:
                a, b = keys.index(request.start or ""), keys.index(request.end or "")
            except ValueError:
                out[key] = None
                continue
            out[key] = tuple(keys[a : b + 1])
    return out


def unfinished_runs(catalog: Catalog) -> list[RunRecord]:
    """Runs queued or running (their partitions are in flight)."""
    return catalog.runs_in_status(_UNFINISHED)


__all__ = [
    "AssetState",
    "InflightRuns",
    "PartitionKeys",
    "StateLoader",
    "load_states",
    "unfinished_runs",
]
