"""Build and validate the asset graph from a code location's definitions.

Every problem is reported with the asset, its file and line, and a fix. All problems
are collected, so `assetline validate` shows them at once.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import TYPE_CHECKING

from assets_core.definitions.asset import AssetsDefinition
from assets_core.definitions.spec import AssetInput
from assets_core.errors import (
    AmbiguousInputError,
    CycleError,
    DefinitionError,
    DefinitionErrors,
    DuplicateKeyError,
    PartitionMappingError,
    UnknownAssetError,
    UnknownIOManagerError,
    UnknownResourceError,
    did_you_mean,
)
from assets_core.graph.asset_graph import AssetGraph, AssetNode
from assets_core.io.registry import known_io_managers
from assets_core.keys import AssetKey

if TYPE_CHECKING:
    from assets_core.definitions.repository import Definitions
    from assets_core.partitions.base import PartitionMapping


def _suggest(*parts: str) -> str:
    """A suggestion from its parts (``did_you_mean`` gives one with a leading space)."""
    return " ".join(p.strip() for p in parts if p.strip())


def _asset_key(d: AssetsDefinition) -> str | None:
    return str(d.keys[0]) if len(d.keys) == 1 else None


def build_graph(defs: Definitions) -> AssetGraph:
    """Validate ``defs`` and return its immutable graph; raise the definition errors."""
    errors: list[DefinitionError] = []
    owner: dict[AssetKey, AssetsDefinition] = {}
    for d in defs.assets:
        for spec in d.specs:
            first = owner.get(spec.key)
            if first is not None:
                errors.append(
                    DuplicateKeyError(
                        f"Asset key {spec.key} is defined twice: at {first.location} and at "
                        f"{d.location}.",
                        "Rename one (key=...) or give it a key_prefix=.",
                        location=d.location,
                        asset_key=str(spec.key),
                    )
                )
                continue
            owner[spec.key] = d
    by_str = {str(k): k for k in owner}
    by_name: dict[str, list[AssetKey]] = {}
    for k in owner:
        by_name.setdefault(k.name, []).append(k)

    known_io = known_io_managers(defs.io_managers)
    resource_names = set(defs.resources)
    nodes: list[AssetNode] = []
    done: set[int] = set()
    for d in defs.assets:
        if id(d) in done:
            continue
        done.add(id(d))
        resolved = _resolve_inputs(d, by_str, by_name, errors)
        missing = sorted(d.required_resources - resource_names) if d.required_resources else ()
        for r in missing:
            errors.append(
                UnknownResourceError(
                    f"Asset {d.name} requires resource {r!r}, which is not defined.",
                    _suggest(
                        did_you_mean(r, list(defs.resources)),
                        f"Add it to Definitions(resources={{{r!r}: ...}}).",
                    ),
                    location=d.location,
                    asset_key=_asset_key(d),
                    highlight=r,
                )
            )
        for spec in d.specs:
            if owner.get(spec.key) is not d:
                continue
            if spec.io_manager is not None and spec.io_manager not in known_io:
                errors.append(
                    UnknownIOManagerError(
                        f"Asset {spec.key} uses io_manager={spec.io_manager!r}, which is not "
                        "defined.",
                        _suggest(
                            did_you_mean(spec.io_manager, known_io),
                            f"Known: {', '.join(sorted(known_io))}; register others in "
                            "Definitions(io_managers={...}).",
                        ),
                        location=d.location,
                        asset_key=str(spec.key),
                        highlight=spec.io_manager,
                    )
                )
            input_keys = {i.param: k for i, k in resolved if i.param is not None}
            parents = tuple(dict.fromkeys(k for _, k in resolved))
            mappings: dict[AssetKey, PartitionMapping | None] = {}
            for i, k in resolved:
                mappings[k] = i.partition_mapping or mappings.get(k)
            sql_tables = (
                {i.name.replace("/", "."): k for i, k in resolved if i.param is None}
                if d.sql is not None
                else {}
            )
            nodes.append(
                AssetNode(
                    spec=spec,
                    definition=d,
                    input_keys=MappingProxyType(input_keys),
                    parents=parents,
                    mappings=MappingProxyType(mappings),
                    sql_tables=MappingProxyType(sql_tables),
                )
            )

    graph_nodes = {n.key: n for n in nodes}
    _check_mappings(graph_nodes, errors)
    for c in defs.checks:
        if c.asset_key not in owner:
            name = str(c.asset_key)
            alt = by_name.get(name, [])
            if len(alt) == 1:
                continue  # resolved below by name
            errors.append(
                UnknownAssetError(
                    f"Check {c.name} is on unknown asset {name!r}.",
                    _suggest(did_you_mean(name, list(by_str)), "Point asset= at a defined asset."),
                    location=c.location,
                    highlight=name,
                )
            )
    _check_cycles(graph_nodes, errors)
    checks = []
    if not errors:
        from assets_core.graph.check_inputs import resolve_checks

        checks = resolve_checks(list(defs.checks), graph_nodes, by_name, errors)
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise DefinitionErrors(errors)
    graph = AssetGraph(nodes, checks, defs.resources, defs.io_managers, defs.default_io_manager)
    if len(graph.toposorted) != len(nodes):  # only checks reading each other's assets
        stuck = sorted(str(k) for k in set(graph_nodes) - set(graph.toposorted))
        raise CycleError(
            f"Checks read assets in a cycle: {', '.join(stuck)} each wait for another's "
            "asset (additional_ins=).",
            "Remove one of these additional_ins.",
            location=None,
        )
    return graph


def _resolve_inputs(
    d: AssetsDefinition,
    by_str: dict[str, AssetKey],
    by_name: dict[str, list[AssetKey]],
    errors: list[DefinitionError],
) -> list[tuple[AssetInput, AssetKey]]:
    out: list[tuple[AssetInput, AssetKey]] = []

    def what(i: AssetInput) -> str:
        return f"parameter {i.param!r}" if i.param else f"dependency {i.name!r}"

    def error(kind: type[DefinitionError], problem: str, fix: str, i: AssetInput) -> None:
        errors.append(
            kind(
                f"Asset {d.name}{problem}",
                fix,
                location=d.location,
                asset_key=_asset_key(d),
                highlight=i.param or i.name,
            )
        )

    own = d.keys
    for i in d.inputs:
        if i.key is not None:
            if i.key in own:
                error(
                    CycleError,
                    f" depends on itself: {i.key} -> {i.key}.",
                    "Remove that dependency.",
                    i,
                )
            elif (canonical := by_str.get(str(i.key))) is not None:
                # The defining spec's own key object: lookups by a parent key then
                # match by identity, without calling AssetKey.__eq__.
                out.append((i, canonical))
            else:
                error(
                    UnknownAssetError,
                    f": {what(i)} names unknown upstream asset {str(i.key)!r}.",
                    _suggest(
                        did_you_mean(str(i.key), list(by_str)), "Define that asset or fix the key."
                    ),
                    i,
                )
            continue
        name = i.name
        key = by_str.get(name)
        candidates = [key] if key is not None else by_name.get(name, [])
        candidates = [k for k in candidates if k not in own] or candidates
        if len(candidates) == 1:
            if candidates[0] in own:
                loop = f"{candidates[0]} -> {candidates[0]}"
                error(CycleError, f" depends on itself: {loop}.", "Remove that dependency.", i)
            else:
                out.append((i, candidates[0]))
        elif len(candidates) > 1:
            options = ", ".join(sorted(str(c) for c in candidates))
            fix = (
                f"Name one explicitly with ins={{{i.param!r}: AssetIn({str(candidates[0])!r})}}."
                if i.param
                else "Use the full key path."
            )
            error(AmbiguousInputError, f": {what(i)} could be any of {options}.", fix, i)
        else:
            error(
                UnknownAssetError,
                f": {what(i)} does not name an upstream asset; no asset is called {name!r}.",
                _suggest(
                    did_you_mean(name, list(by_str)),
                    "Define that asset, rename the parameter, or map it with "
                    "ins={...: AssetIn('key')}.",
                ),
                i,
            )
    return out


def _check_mappings(nodes: dict[AssetKey, AssetNode], errors: list[DefinitionError]) -> None:
    from assets_core.partitions.mappings import validate_mapping

    for node in nodes.values():
        for up_key, mapping in node.mappings.items():
            up = nodes.get(up_key)
            if up is None:
                continue
            reason = validate_mapping(mapping, up.spec.partitions, node.spec.partitions)
            if reason:
                errors.append(
                    PartitionMappingError(
                        f"Asset {node.key} reads {up_key} ({_describe(up)} -> "
                        f"{_describe(node)}): {reason}",
                        location=node.definition.location,
                        asset_key=str(node.key),
                        highlight=_param_of(node, up_key),
                    )
                )


def _param_of(node: AssetNode, up_key: AssetKey) -> str:
    """The name under which ``node`` reads ``up_key`` in its source."""
    return next((p for p, k in node.input_keys.items() if k == up_key), up_key.name)


def _describe(node: AssetNode) -> str:
    p = node.spec.partitions
    return p.describe() if p is not None else "unpartitioned"


def _has_cycle(nodes: dict[AssetKey, AssetNode]) -> bool:
    """Kahn's algorithm over integer indices: one key lookup per edge, where the
    search that names a cycle (``_check_cycles``) needs several."""
    index = {k: n for n, k in enumerate(nodes)}
    children: list[list[int]] = [[] for _ in index]
    pending = [0] * len(index)
    for n, node in enumerate(nodes.values()):
        for p in node.parents:
            children[index[p]].append(n)
        pending[n] = len(node.parents)
    ready = [n for n, count in enumerate(pending) if count == 0]
    seen = 0
    while ready:
        n = ready.pop()
        seen += 1
        for c in children[n]:
            pending[c] -= 1
            if pending[c] == 0:
                ready.append(c)
    return seen != len(index)


def _check_cycles(nodes: dict[AssetKey, AssetNode], errors: list[DefinitionError]) -> None:
    if not _has_cycle(nodes):
        return
    white, grey, black = 0, 1, 2
    color = dict.fromkeys(nodes, white)
    for root in nodes:
        if color[root] != white:
            continue
        stack: list[tuple[AssetKey, int]] = [(root, 0)]
        path: list[AssetKey] = []
        while stack:
            key, idx = stack.pop()
            if idx == 0:
                color[key] = grey
                path.append(key)
            parents = nodes[key].parents
            if idx < len(parents):
                stack.append((key, idx + 1))
                p = parents[idx]
                if color[p] == grey:
                    cycle = path[path.index(p) :]
                    # path runs child -> parent; print data flow order upstream first
                    flow = [*reversed(cycle)]
                    order = {k: n for n, k in enumerate(nodes)}
                    start = min(range(len(flow)), key=lambda n: order[flow[n]])
                    flow = flow[start:] + flow[:start]
                    flow.append(flow[0])
                    locs = "; ".join(f"{k} at {nodes[k].definition.location}" for k in flow[:-1])
                    first = nodes[flow[0]]
                    errors.append(
                        CycleError(
                            f"Dependency cycle: {' -> '.join(str(k) for k in flow)} ({locs}).",
                            "Remove one of these dependencies.",
                            location=first.definition.location,
                            asset_key=str(first.key),
                            highlight=_param_of(first, flow[-2]),
                        )
                    )
                    return
                if color[p] == white:
                    stack.append((p, 0))
            else:
                color[key] = black
                path.pop()
