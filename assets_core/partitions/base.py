"""The interface every partitions definition and partition mapping implements."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class TimeWindow:
    """A half-open time range ``[start, end)`` of timezone-aware datetimes."""

    start: datetime
    end: datetime


class PartitionsDefinition(ABC):
    """How an asset is split into partitions, each named by a string key."""

    #: Shown in the catalog and the CLI, e.g. ``daily``, ``static``, ``multi``.
    kind: str = "partitions"

    @abstractmethod
    def get_partition_keys(self, dynamic_keys: Sequence[str] | None = None) -> list[str]:
        """Every key, in order. Time partitions stop at ``end`` or now."""

    def validate_key(self, key: str, dynamic_keys: Sequence[str] | None = None) -> None:
        """Raise ``PartitionKeyError`` naming the valid keys or range when ``key`` is bad."""
        from assets_core.errors import PartitionKeyError

        keys = self.get_partition_keys(dynamic_keys)
        if key not in set(keys):
            sample = ", ".join(keys[:5]) + (" ..." if len(keys) > 5 else "")
            raise PartitionKeyError(
                f"Unknown partition key {key!r} for {self.describe()}; valid keys: {sample}"
            )

    def keys_between(
        self, start: str, end: str, dynamic_keys: Sequence[str] | None = None
    ) -> list[str]:
        """The keys from ``start`` to ``end``, both inclusive."""
        from assets_core.errors import PartitionKeyError

        keys = self.get_partition_keys(dynamic_keys)
        index = {k: i for i, k in enumerate(keys)}
        for k in (start, end):
            if k not in index:
                self.validate_key(k, dynamic_keys)
        i, j = index[start], index[end]
        if i > j:
            raise PartitionKeyError(
                f"Partition range {start}..{end} is reversed: --from must not be after --to."
            )
        return keys[i : j + 1]

    def time_window_for(self, key: str) -> TimeWindow | None:
        """The time window of a time partition key, else None."""
        return None

    @abstractmethod
    def describe(self) -> str:
        """A short human description: ``daily from 2024-01-01``."""

    def to_dict(self) -> dict[str, object]:
        """A JSON-able description for the catalog and the API."""
        return {"kind": self.kind, "description": self.describe()}


class PartitionMapping(ABC):
    """Which upstream partitions a downstream partition reads."""

    @abstractmethod
    def upstream_keys(
        self,
        downstream_key: str | None,
        downstream: PartitionsDefinition | None,
        upstream: PartitionsDefinition,
        dynamic_keys: Sequence[str] | None = None,
    ) -> list[str]:
        """The upstream keys that ``downstream_key`` depends on."""

    def validate(
        self, upstream: PartitionsDefinition | None, downstream: PartitionsDefinition | None
    ) -> str | None:
        """A reason this mapping cannot map ``upstream`` to ``downstream``, or None."""
        return None
