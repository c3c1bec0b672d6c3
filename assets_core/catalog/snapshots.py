"""Definition snapshots: what the asset graph looked like when it was loaded, so the
lineage of removed assets stays queryable and ``changed`` can be selected in CI; and
the catalog's small key/value state (cursors and the like).

The functions that read or write the catalog take an open SQLAlchemy ``Connection``.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, select, update

from assets_core.catalog import tables as t
from assets_core.catalog.dialect import insert_ignore, upsert

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


def save_snapshot(conn: Connection, digest: str, data: dict[str, Any]) -> bool:
    """Record that the definitions with this digest were loaded now; store the snapshot
    itself once. Return whether it was new.

    Args:
        conn: A connection in a write transaction.
        digest: The snapshot's digest (from ``snapshot_of``).
        data: The snapshot.
    """
    now = time.time()
    s = t.snapshots
    seen = conn.execute(update(s).where(s.c.hash == digest).values(created_at=now)).rowcount
    if seen:
        return False
    return insert_ignore(conn, s, [{"hash": digest, "created_at": now, "data": data}]) > 0


def latest_snapshot(conn: Connection) -> dict[str, Any] | None:
    """The definitions most recently loaded (by a run or the server).

    Args:
        conn: An open connection.
    """
    s = t.snapshots
    q = select(s.c.data).order_by(s.c.created_at.desc(), s.c.id.desc()).limit(1)
    data: dict[str, Any] | None = conn.execute(q).scalar()
    return data


def all_snapshots(conn: Connection) -> Iterator[dict[str, Any]]:
    """Every stored snapshot, the most recently loaded first, one row at a time.

    Args:
        conn: An open connection.
    """
    s = t.snapshots
    q = select(s.c.data).order_by(s.c.created_at.desc(), s.c.id.desc())
    for row in conn.execute(q):
        yield row[0]


def get_kv(conn: Connection, key: str) -> Any:
    """The value stored under ``key``, or None.

    Args:
        conn: An open connection.
        key: The key.
    """
    return conn.execute(select(t.kv.c.value).where(t.kv.c.key == key)).scalar()


def set_kv(conn: Connection, key: str, value: Any) -> None:
    """Store ``value`` (JSON) under ``key``, replacing what was there.

    Args:
        conn: A connection in a write transaction.
        key: The key.
        value: A JSON-serialisable value.
    """
    row = {"key": key, "value": value, "updated_at": time.time()}
    upsert(conn, t.kv, [row], keys=("key",), update=("value", "updated_at"))
