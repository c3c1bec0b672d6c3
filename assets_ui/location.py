"""The loaded code location as the server sees it: its definitions, and static data
about its assets computed once per load (keys, groups, kinds, edges) so that a
request over 10,000 assets only adds what comes from the catalog."""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assets_core.catalog.status import StatusCache

if TYPE_CHECKING:
    from assets_core.definitions.repository import Definitions
    from assets_core.graph.asset_graph import AssetGraph
    from assets_core.keys import AssetKey


@dataclass(frozen=True, slots=True)
class NodeInfo:
    """What every lineage node shows, as strings ready to serve."""

    key: str
    group: str
    kind: str


@dataclass(eq=False)
class LoadedLocation:
    """One load of the code location. Replaced as a whole on reload, so a request
    that holds it sees one consistent version of the definitions.

    Attributes:
        defs: The definitions.
        generation: 1 for the first load, one more per successful reload.
        loaded_at: When it was loaded (epoch seconds).
        memo: Per-load caches of the API layer (e.g. GraphQL views of assets).
    """

    defs: Definitions
    generation: int = 1
    loaded_at: float = field(default_factory=time.time)
    memo: dict[Any, Any] = field(default_factory=dict)

    @cached_property
    def graph(self) -> AssetGraph:
        """The validated asset graph."""
        return self.defs.graph

    @cached_property
    def statuses(self) -> StatusCache:
        """Asset statuses, recomputed only when the catalog changed."""
        return StatusCache(self.graph)

    @cached_property
    def info(self) -> dict[AssetKey, NodeInfo]:
        """Key string, group and kind of every asset, in topological order."""
        graph = self.graph
        return {
            k: NodeInfo(str(k), graph.get(k).group, graph.get(k).kind) for k in graph.toposorted
        }

    @cached_property
    def clock_dependent(self) -> frozenset[AssetKey]:
        """Assets whose status changes with the clock alone: a freshness policy
        (lag, OVERDUE) or time partitions (a window closes, the count grows)."""
        graph = self.graph
        out = []
        for key in graph.toposorted:
            spec = graph.get(key).spec
            kind = spec.partitions.kind if spec.partitions is not None else None
            if spec.freshness is not None or kind not in (None, "static", "dynamic"):
                out.append(key)
        return frozenset(out)

    @cached_property
    def edges(self) -> list[tuple[AssetKey, AssetKey]]:
        """Every edge ``(upstream, downstream)``, downstream ends in topological order."""
        graph = self.graph
        return [(p, k) for k in graph.toposorted for p in graph.parents(k)]

    def __len__(self) -> int:
        return len(self.graph)


def load_location(
    module: str | None, file: str | None, cwd: Path | None = None, fresh: bool = False
) -> Definitions:
    """Import the code location and build its graph.

    Args:
        module: ``-m MODULE``.
        file: ``-f FILE.py``.
        cwd: Where ``module`` is found (default: the working directory).
        fresh: Forget previously imported modules of the location first, so a reload
            sees the code as it is now on disk.

    Raises:
        DefinitionError: The code location does not import or its definitions are
            invalid.
    """
    from assets_core.definitions.loader import load_definitions

    if fresh:
        forget_modules(module, file)
    defs = load_definitions(module=module, file=file, cwd=cwd)
    _ = defs.graph
    return defs


def forget_modules(module: str | None, file: str | None) -> list[str]:
    """Drop the location's modules from ``sys.modules``: the package of ``module``
    and its submodules, or the modules that live beside ``file``. Returns their names."""
    if module:
        root = module.split(".")[0]
        names = [n for n in sys.modules if n == root or n.startswith(root + ".")]
    elif file:
        folder = Path(file).resolve().parent
        names = []
        for name, mod in list(sys.modules.items()):
            origin = getattr(mod, "__file__", None)
            if origin and _inside(Path(origin), folder) and "site-packages" not in origin:
                names.append(name)
    else:
        return []
    protected = ("assets_core", "assets_ui", "__main__")
    names = [n for n in names if n.split(".")[0] not in protected]
    for name in names:
        sys.modules.pop(name, None)
    return names


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder)
    except (ValueError, OSError):
        return False
    return True
