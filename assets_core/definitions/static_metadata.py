"""What the catalog shows of an asset's definition besides its name and edges: the
static ``metadata=`` and, for a SQL asset, its query (SPEC §1: "shown in the
catalog"). ``assetline list --format json`` and GraphQL ``Asset.metadata`` use it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from assets_core.definitions.asset import AssetsDefinition
    from assets_core.keys import AssetKey


def static_metadata(definition: AssetsDefinition, key: AssetKey) -> dict[str, Any]:
    """The asset's ``metadata=`` made JSON-safe, plus ``"sql"`` (the query) for a SQL
    asset unless its metadata already has that key.

    Args:
        definition: The definition producing the asset.
        key: The asset (a multi_asset's outputs have metadata of their own).
    """
    from assets_core.execution.metadata import json_safe

    spec = next(s for s in definition.specs if s.key == key)
    out: dict[str, Any] = {str(k): json_safe(v) for k, v in spec.metadata.items()}
    if definition.sql is not None:
        out.setdefault("sql", definition.sql)
    return out
