"""``memory``: values kept in a dict, for tests and notebooks."""

from __future__ import annotations

import threading
from typing import Any

from assets_core.io.base import (
    InputContext,
    IOManager,
    OutputContext,
    combine_values,
    missing_partitions_error,
    missing_value_error,
    split_value,
)
from assets_core.keys import AssetKey


class MemoryIOManager(IOManager):
    """Keeps values in memory, by asset key and partition. Values are stored as given
    (not copied). Not shared between processes.

    Example::

        io = MemoryIOManager()
        materialize(defs, io_managers={"fs": io})
        io.values[(AssetKey.parse("orders"), None)]
    """

    def __init__(self) -> None:
        self.values: dict[tuple[AssetKey, str | None], Any] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"<MemoryIOManager {len(self.values)} values>"

    def store(self, context: OutputContext, value: Any) -> None:
        """Keep ``value`` (each partition of a range separately)."""
        if context.is_range:
            parts = split_value(context, value)
            with self._lock:
                for key, part in parts.items():
                    self.values[(context.asset_key, key)] = part
        else:
            self.values[(context.asset_key, context.partition_key)] = value

    def load(self, context: InputContext) -> Any:
        """The kept value; a range is concatenated (tables) or a dict.

        Raises:
            MissingValueError: Nothing is kept for the asset (partition).
        """
        if context.is_range:
            found: dict[str, Any] = {}
            missing: list[str] = []
            for key in context.partition_keys or ():
                slot = (context.asset_key, key)
                if slot in self.values:
                    found[key] = self.values[slot]
                else:
                    missing.append(key)
            if missing:
                raise missing_partitions_error(context, missing, "memory")
            return combine_values(found)
        try:
            return self.values[(context.asset_key, context.partition_key)]
        except KeyError:
            raise missing_value_error(context, "memory") from None

    def location(self, context: OutputContext) -> str | None:
        """``memory://a/b[/partition]``."""
        suffix = f"/{context.partition_key}" if context.partition_key is not None else ""
        return f"memory://{context.asset_key}{suffix}"

    def exists(self, context: OutputContext | InputContext) -> bool:
        """Whether every addressed partition (or the unpartitioned value) is kept."""
        keys = context.partition_keys if context.is_range else (context.partition_key,)
        return all((context.asset_key, k) in self.values for k in keys or ())

    def delete(self, context: OutputContext | InputContext) -> None:
        """Forget the addressed value or partitions."""
        keys = context.partition_keys if context.is_range else (context.partition_key,)
        with self._lock:
            for k in keys or ():
                self.values.pop((context.asset_key, k), None)

    def __getstate__(self) -> dict[str, Any]:
        return {"values": self.values}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.values = state["values"]
        self._lock = threading.Lock()
