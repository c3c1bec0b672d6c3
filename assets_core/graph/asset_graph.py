"""The immutable asset graph: nodes, edges, topological order and traversal."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from assets_core.errors import UnknownAssetError, did_you_mean
from assets_core.keys import AssetKey

if TYPE_CHECKING:
    from assets_core.checks.check import AssetCheckDefinition
    from assets_core.definitions.asset import AssetsDefinition
    from assets_core.definitions.spec import AssetSpec
    from assets_core.partitions.base import PartitionMapping


@dataclass(frozen=True, slots=True, eq=False)
class AssetNode:
    """One asset in the graph, with its resolved upstream keys.

    Attributes:
        spec: The asset's spec (key, group, partitions...).
        definition: The definition producing it (shared by a multi_asset's nodes).
        input_keys: Parameter name -> upstream key, for inputs whose value the
            function receives.
        parents: Every upstream key (data inputs, SQL tables and ordering-only deps),
            in order.
        mappings: Upstream key -> its partition mapping (None: the default mapping).
        sql_tables: SQL assets: table name in the query -> upstream key.
    """

    spec: AssetSpec
    definition: AssetsDefinition
    input_keys: Mapping[str, AssetKey]
    parents: tuple[AssetKey, ...]
    mappings: Mapping[AssetKey, PartitionMapping | None]
    sql_tables: Mapping[str, AssetKey]

    @property
    def key(self) -> AssetKey:
        return self.spec.key

    @property
    def kind(self) -> str:
        return self.spec.kind

    @property
    def group(self) -> str:
        return self.spec.group

    @property
    def is_external(self) -> bool:
        return self.spec.kind == "external"

    def __repr__(self) -> str:
        return f"<AssetNode {self.key}>"


class AssetGraph:
    """A read-only view of a code location's assets and their dependencies.

    Build it with ``Definitions(...).graph``; it never changes afterwards.

    Args:
        nodes: The assets, resolved.
        checks: The checks, by the asset they check.
        resources: Resources by name.
        io_managers: Extra or replacement IO managers by name.
        default_io_manager: The IO manager of assets that name none.
    """

    def __init__(
        self,
        nodes: Iterable[AssetNode],
        checks: Iterable[AssetCheckDefinition] = (),
        resources: Mapping[str, Any] | None = None,
        io_managers: Mapping[str, Any] | None = None,
        default_io_manager: str = "fs",
    ) -> None:
        self._nodes: dict[AssetKey, AssetNode] = {n.key: n for n in nodes}
        children: dict[AssetKey, list[AssetKey]] = {k: [] for k in self._nodes}
        for node in self._nodes.values():
            for p in node.parents:
                children[p].append(node.key)
        self._children = {k: tuple(v) for k, v in children.items()}
        self._by_str = {str(k): k for k in self._nodes}
        checks_by: dict[AssetKey, list[AssetCheckDefinition]] = {}
        for c in checks:
            checks_by.setdefault(c.asset_key, []).append(c)
        self._checks = {k: tuple(v) for k, v in checks_by.items()}
        self._check_inputs = {
            k: tuple(dict.fromkeys(key for c in cs for _, key in c.additional_ins))
            for k, cs in self._checks.items()
            if any(c.additional_ins for c in cs)
        }
        self.resources: Mapping[str, Any] = MappingProxyType(dict(resources or {}))
        self.io_managers: Mapping[str, Any] = MappingProxyType(dict(io_managers or {}))
        self.default_io_manager = default_io_manager

    # -- lookup ------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._nodes)

    def __contains__(self, key: object) -> bool:
        return key in self._nodes

    def __iter__(self) -> Iterator[AssetKey]:
        return iter(self.toposorted)

    def get(self, key: AssetKey | str) -> AssetNode:
        """The node of ``key`` (an ``AssetKey``, a key path or a unique asset name)."""
        return self._nodes[self.resolve(key) if isinstance(key, str) else key]

    @property
    def nodes(self) -> Mapping[AssetKey, AssetNode]:
        return MappingProxyType(self._nodes)

    @cached_property
    def _by_name(self) -> dict[str, list[AssetKey]]:
        out: dict[str, list[AssetKey]] = {}
        for k in self._nodes:
            out.setdefault(k.name, []).append(k)
        return out

    def find(self, name: str) -> AssetKey | None:
        """The key named by a key path or a unique last component, else None."""
        key = self._by_str.get(name)
        if key is not None:
            return key
        matches = self._by_name.get(name, [])
        return matches[0] if len(matches) == 1 else None

    def resolve(self, name: str | AssetKey) -> AssetKey:
        """Like ``find`` but raises ``UnknownAssetError`` with close matches."""
        if isinstance(name, AssetKey):
            if name in self._nodes:
                return name
            name = str(name)
        key = self.find(name)
        if key is not None:
            return key
        matches = self._by_name.get(name, [])
        if len(matches) > 1:
            options = ", ".join(sorted(str(m) for m in matches))
            raise UnknownAssetError(
                f"Asset name {name!r} is ambiguous: it matches {options}.",
                "Use the full key.",
                location=None,  # a lookup: no place in the definitions is wrong
            )
        raise UnknownAssetError(
            f"Unknown asset {name!r}.{did_you_mean(name, list(self._by_str))}", location=None
        )

    def key_strings(self) -> list[str]:
        return list(self._by_str)

    # -- edges ---------------------------------------------------------------------
    def parents(self, key: AssetKey) -> tuple[AssetKey, ...]:
        return self._nodes[key].parents

    def children(self, key: AssetKey) -> tuple[AssetKey, ...]:
        return self._children[key]

    def checks_for(self, key: AssetKey) -> tuple[AssetCheckDefinition, ...]:
        return self._checks.get(key, ()) if self._checks else ()

    def check_inputs(self, key: AssetKey) -> tuple[AssetKey, ...]:
        """The other assets the checks of ``key`` read (``additional_ins``): ``key``
        runs after them, though they are not its lineage parents."""
        return self._check_inputs.get(key, ())

    @property
    def checks(self) -> list[AssetCheckDefinition]:
        return [c for cs in self._checks.values() for c in cs]

    def upstream(self, keys: Iterable[AssetKey], depth: int | None = None) -> set[AssetKey]:
        """Every ancestor of ``keys`` within ``depth`` levels (None: all), without them."""
        return self._walk(keys, depth, lambda k: self._nodes[k].parents)

    def downstream(self, keys: Iterable[AssetKey], depth: int | None = None) -> set[AssetKey]:
        """Every descendant of ``keys`` within ``depth`` levels (None: all), without them."""
        return self._walk(keys, depth, self._children.__getitem__)

    def depths(
        self, root: AssetKey, direction: str, depth: int | None = None
    ) -> dict[AssetKey, int]:
        """Shortest distance from ``root`` to each reachable node (``upstream`` or
        ``downstream``), the root at 0."""
        step = (
            (lambda k: self._nodes[k].parents)
            if direction == "upstream"
            else (self._children.__getitem__)
        )
        seen = {root: 0}
        queue = deque([root])
        while queue:
            k = queue.popleft()
            d = seen[k]
            if depth is not None and d >= depth:
                continue
            for n in step(k):
                if n not in seen:
                    seen[n] = d + 1
                    queue.append(n)
        return seen

    @staticmethod
    def _walk(keys: Iterable[AssetKey], depth: int | None, step: Any) -> set[AssetKey]:
        start = list(keys)
        seen: set[AssetKey] = set()
        frontier = start
        level = 0
        while frontier and (depth is None or level < depth):
            nxt = []
            for k in frontier:
                for n in step(k):
                    if n not in seen:
                        seen.add(n)
                        nxt.append(n)
            frontier = nxt
            level += 1
        seen.difference_update(start)
        return seen

    # -- order ---------------------------------------------------------------------
    @cached_property
    def levels(self) -> tuple[tuple[AssetKey, ...], ...]:
        """Keys grouped by level: a key's level is one more than its highest parent's."""
        level: dict[AssetKey, int] = {}
        for k in self.toposorted:
            ps = self._nodes[k].parents
            level[k] = 1 + max(level[p] for p in ps) if ps else 0
        out: list[list[AssetKey]] = []
        for k, lv in level.items():
            while len(out) <= lv:
                out.append([])
            out[lv].append(k)
        return tuple(tuple(x) for x in out)

    @cached_property
    def toposorted(self) -> tuple[AssetKey, ...]:
        """Every key, parents before children, and the assets a key's checks read
        (``check_inputs``) before it; ties keep definition order."""
        after: dict[AssetKey, list[AssetKey]] = {k: list(v) for k, v in self._children.items()}
        indegree = {k: len(n.parents) for k, n in self._nodes.items()}
        for k, extra in self._check_inputs.items():
            for e in extra:
                after[e].append(k)
                indegree[k] += 1
        queue = deque(k for k, d in indegree.items() if d == 0)
        order: list[AssetKey] = []
        while queue:
            k = queue.popleft()
            order.append(k)
            for c in after[k]:
                indegree[c] -= 1
                if indegree[c] == 0:
                    queue.append(c)
        return tuple(order)

    def sorted(self, keys: Iterable[AssetKey]) -> list[AssetKey]:
        """``keys`` in topological order."""
        wanted = set(keys)
        return [k for k in self.toposorted if k in wanted]

    @cached_property
    def groups(self) -> dict[str, tuple[AssetKey, ...]]:
        out: dict[str, list[AssetKey]] = {}
        for k in self.toposorted:
            out.setdefault(self._nodes[k].group, []).append(k)
        return {g: tuple(ks) for g, ks in sorted(out.items())}

    def __repr__(self) -> str:
        return f"<AssetGraph {len(self)} assets>"
