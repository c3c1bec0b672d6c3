"""Assets removed from the code, as the definitions snapshots remember them (SPEC §4,
§11): ``asset(key)`` answers with ``removed: true`` and the lineage (upstream,
downstream, columns, column lineage) of the latest snapshot that had the asset."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from assets_ui.graphql.context import Context

#: names looked up in the snapshots remembered per loaded location
_MAX_REMEMBERED = 1024


@dataclass(frozen=True, slots=True)
class Remembered:
    """One asset in a stored snapshot.

    Attributes:
        entry: Its entry in the snapshot (see ``assets_core.catalog.snapshots``).
        assets: Every asset entry of that snapshot, by key.
    """

    entry: dict[str, Any]
    assets: dict[str, dict[str, Any]]

    @property
    def key(self) -> str:
        return str(self.entry["key"])

    def upstream(self) -> list[str]:
        """Keys of its upstream assets, as the snapshot has them."""
        return [str(k) for k in self.entry.get("upstream", [])]

    def downstream(self) -> list[str]:
        """Keys of the assets that read it in that snapshot."""
        return [k for k, a in self.assets.items() if self.key in a.get("upstream", [])]

    def other(self, key: str) -> Remembered | None:
        """Another asset of the same snapshot."""
        entry = self.assets.get(key)
        return Remembered(entry, self.assets) if entry is not None else None


def _find(context: Context, name: str) -> Remembered | None:
    for data in context.catalog.snapshots():
        assets = {str(a["key"]): a for a in data.get("assets", [])}
        entry = assets.get(name)
        if entry is None:
            named = [a for k, a in assets.items() if k.rsplit("/", 1)[-1] == name]
            entry = named[0] if len(named) == 1 else None
        if entry is not None:
            return Remembered(entry, assets)
    return None


async def remembered(context: Context, name: str) -> Remembered | None:
    """The latest snapshot's memory of asset ``name`` (a key path or a unique last
    component), None when no snapshot has it. Looked up once per loaded location."""
    known: dict[str, Remembered | None] = context.location.memo.setdefault("removed", {})
    if name not in known:
        if len(known) >= _MAX_REMEMBERED:
            known.clear()  # names asked for at random must not grow the memo forever
        known[name] = await asyncio.to_thread(_find, context, name)
    return known[name]
