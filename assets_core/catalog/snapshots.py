"""Definition snapshots: what the asset graph looked like when it was loaded, so the
lineage of removed assets stays queryable and ``changed`` can be selected in CI."""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from assets_core.graph.asset_graph import AssetGraph, AssetNode
    from assets_core.keys import AssetKey
    from assets_core.lineage.columns import ColumnLineage


def definition_hash(node: AssetNode) -> str:
    """A fingerprint of everything that defines how an asset is computed: its code
    version, upstream keys, SQL or function bytecode, and partitioning."""
    d = node.definition
    h = hashlib.sha256()
    h.update(
        repr(
            (
                node.spec.code_version,
                node.kind,
                [str(p) for p in node.parents],
                d.sql,
                node.spec.partitions.describe() if node.spec.partitions else None,
                node.spec.io_manager,
            )
        ).encode()
    )
    code = getattr(d.fn, "__code__", None)
    if code is not None:
        h.update(code.co_code)
        h.update(repr([c for c in code.co_consts if not hasattr(c, "co_code")]).encode())
        h.update(repr(code.co_names).encode())
    return h.hexdigest()[:16]


def snapshot_of(graph: AssetGraph) -> tuple[str, dict[str, Any]]:
    """The snapshot of ``graph`` and its digest: each asset's definition, upstream
    keys and column lineage as the definitions tell it (``lineage_entry``), so an
    asset's lineage stays queryable after it is removed from the code."""
    from assets_core.lineage.columns import ColumnLineage

    columns = ColumnLineage(graph)
    assets = []
    for key in graph.toposorted:
        node = graph.get(key)
        spec = node.spec
        assets.append(
            {
                "key": str(key),
                "group": spec.group,
                "kind": spec.kind,
                "code_version": spec.code_version,
                "definition_hash": definition_hash(node),
                "upstream": [str(p) for p in node.parents],
                "description": spec.description,
                "owners": list(spec.owners),
                "tags": dict(spec.tags),
                "partitions": spec.partitions.describe() if spec.partitions else None,
                "columns": dict(spec.columns),
                "column_lineage": lineage_entry(columns, key),
            }
        )
    data = {"version": 2, "assets": assets}
    digest = hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()
    return digest, data


def lineage_entry(columns: ColumnLineage, key: AssetKey) -> dict[str, Any]:
    """``{column: {"direct": [[asset, column, subtype]], "indirect": [...]}}`` for each
    column of ``key`` known from the definitions, in column order."""
    lineage = columns.lineage(key)
    out: dict[str, Any] = {}
    for name in columns.columns(key) or tuple(lineage):
        origin = lineage.get(name)
        out[name] = {
            "direct": [[s.asset, s.column, s.subtype] for s in origin.direct] if origin else [],
            "indirect": [[s.asset, s.column, s.subtype] for s in origin.indirect] if origin else [],
        }
    return out


def changed_keys(graph: AssetGraph, baseline: dict[str, Any] | None) -> set[AssetKey]:
    """Assets whose definition or code version differs from ``baseline`` (a stored
    snapshot), plus new ones. Everything is changed when there is no baseline."""
    if not baseline:
        return set(graph.toposorted)
    before = {a["key"]: a for a in baseline.get("assets", [])}
    out = set()
    for key in graph.toposorted:
        old = before.get(str(key))
        node = graph.get(key)
        if (
            old is None
            or old.get("definition_hash") != definition_hash(node)
            or old.get("code_version") != node.spec.code_version
        ):
            out.add(key)
    return out
