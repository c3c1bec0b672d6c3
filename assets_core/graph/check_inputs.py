"""The other assets a check reads (``@asset_check(additional_ins=...)``): resolved
like asset inputs, validated (they exist, their partitions fit, no cycle), and ordered
before the checked asset."""

from __future__ import annotations

from collections import deque
from dataclasses import replace
from typing import TYPE_CHECKING

from assets_core.errors import CycleError, DefinitionError, UnknownAssetError, did_you_mean
from assets_core.keys import AssetKey

if TYPE_CHECKING:
    from assets_core.checks.check import AssetCheckDefinition
    from assets_core.graph.asset_graph import AssetNode


def resolve_checks(
    checks: list[AssetCheckDefinition],
    nodes: dict[AssetKey, AssetNode],
    by_name: dict[str, list[AssetKey]],
    errors: list[DefinitionError],
) -> list[AssetCheckDefinition]:
    """``checks`` with their asset and their ``additional_ins`` resolved to keys of
    ``nodes`` (a one-component name matches a unique last component); what does not
    resolve or fit is appended to ``errors``.

    Args:
        checks: The checks as defined (the checked asset already known to exist).
        nodes: The graph's nodes by key.
        by_name: Keys by their last component.
        errors: Where definition errors go.
    """
    out = []
    for c in checks:
        target = _find(c.asset_key, nodes, by_name)
        assert target is not None  # build_graph reported unknown checked assets
        extra = []
        for param, key in c.additional_ins:
            found = _find(key, nodes, by_name)
            if found is None:
                errors.append(
                    UnknownAssetError(
                        f"Check {c.name}: additional_ins[{param!r}] names unknown asset "
                        f"{str(key)!r}.",
                        (
                            did_you_mean(str(key), [str(k) for k in nodes]) + " Point AssetIn "
                            "at a defined asset."
                        ).strip(),
                        location=c.location,
                        highlight=str(key),
                    )
                )
                continue
            problem = _misfit(c, target, found, nodes)
            if problem is not None:
                errors.append(problem)
                continue
            extra.append((param, found))
        out.append(replace(c, asset_key=target, additional_ins=tuple(extra)))
    return out


def _find(
    key: AssetKey, nodes: dict[AssetKey, AssetNode], by_name: dict[str, list[AssetKey]]
) -> AssetKey | None:
    if key in nodes:
        return key
    same = by_name.get(str(key), []) if len(key.path) == 1 else []
    return same[0] if len(same) == 1 else None


def _misfit(
    check: AssetCheckDefinition,
    target: AssetKey,
    other: AssetKey,
    nodes: dict[AssetKey, AssetNode],
) -> DefinitionError | None:
    """Why ``check`` on ``target`` cannot read ``other``, or None."""
    if other == target or other in _downstream(target, nodes):
        return CycleError(
            f"Check {check.name} on {target} reads {other}, which is {target} itself or "
            f"downstream of it: the check runs right after {target}, before {other} exists.",
            f"Check {other} with a check of its own, or read an asset upstream of {target}.",
            location=check.location,
            highlight=str(other),
        )
    theirs = nodes[other].spec.partitions
    ours = nodes[target].spec.partitions
    if theirs is not None and (ours is None or theirs.describe() != ours.describe()):
        mine = ours.describe() if ours is not None else "unpartitioned"
        return DefinitionError(
            f"Check {check.name} on {target} ({mine}) reads {other}, partitioned as "
            f"{theirs.describe()}: a check reads the same partition of a partitioned asset, "
            "so both must be partitioned alike.",
            f"Read an unpartitioned asset, or one partitioned like {target}.",
            location=check.location,
            highlight=str(other),
        )
    return None


def _downstream(key: AssetKey, nodes: dict[AssetKey, AssetNode]) -> set[AssetKey]:
    children: dict[AssetKey, list[AssetKey]] = {}
    for n in nodes.values():
        for p in n.parents:
            children.setdefault(p, []).append(n.key)
    seen: set[AssetKey] = set()
    queue = deque([key])
    while queue:
        for c in children.get(queue.popleft(), ()):
            if c not in seen:
                seen.add(c)
                queue.append(c)
    return seen
