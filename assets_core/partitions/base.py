"""The interface every partitions definition and partition mapping implements.

A partitions definition orders its keys; the position of a key in that order is its
*index*. Indices let the catalog keep the status of 100,000 partitions as a handful of
ranges (``PartitionSubset``), and let time definitions answer ``index_of`` and
``key_at`` with arithmetic instead of listing every key.

Two pieces of context are passed through every call that needs them:

- ``dynamic_keys``: a ``DynamicKeyStore``, where the keys of ``DynamicPartitions`` live
  (the ``Catalog``, or a ``DynamicKeyCache``). Definitions ask it for their own names
  (``dynamic_names()``), so one store serves an asset with several dynamic dimensions
  and every asset of a plan.
- ``current_time``: the "now" at which time partitions without an ``end`` stop (their
  last complete window). Default: the wall clock. Naive datetimes are read as UTC.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import ClassVar, Protocol


class DynamicKeyStore(Protocol):
    """Where the keys of ``DynamicPartitions`` live: the ``Catalog`` is one, and so is
    a ``DynamicKeyCache`` (keys held in memory, or read once per name from another
    store)."""

    def dynamic_partitions(self, name: str) -> Sequence[str]:
        """The keys of ``DynamicPartitions(name)`` in the order they were added; empty
        for a name that has none yet.

        Args:
            name: The name of the dynamic key set.
        """
        ...


@dataclass(frozen=True, slots=True)
class TimeWindow:
    """A half-open time range ``[start, end)`` of timezone-aware datetimes, in the
    timezone of the partitions definition.

    Python subtracts and compares two datetimes of the same ``ZoneInfo`` by their wall
    clocks, so across a daylight saving change ``end - start`` is off by the shift; use
    ``duration`` (or convert to UTC) for elapsed time.

    Attributes:
        start: The first instant of the window.
        end: The first instant after it.
    """

    start: datetime
    end: datetime

    @property
    def duration(self) -> timedelta:
        """The elapsed time from ``start`` to ``end``."""
        return self.end.astimezone(UTC) - self.start.astimezone(UTC)


class PartitionsDefinition(ABC):
    """How an asset is split into partitions, each named by a string key.

    Subclasses implement ``get_partition_keys`` and ``describe``; the index methods
    have generic implementations here that list the keys, which the time and multi
    definitions replace with arithmetic.
    """

    __slots__ = ()

    #: Shown in the catalog and the CLI, e.g. ``daily``, ``static``, ``multi``.
    kind: ClassVar[str] = "partitions"

    @abstractmethod
    def get_partition_keys(
        self, dynamic_keys: DynamicKeyStore | None = None, *, current_time: datetime | None = None
    ) -> list[str]:
        """Every key, in order. Time partitions stop at ``end`` or now."""

    @abstractmethod
    def describe(self) -> str:
        """A short human description: ``daily from 2024-01-01 (UTC)``."""

    def num_partitions(
        self, dynamic_keys: DynamicKeyStore | None = None, *, current_time: datetime | None = None
    ) -> int:
        """How many keys there are."""
        return len(self.get_partition_keys(dynamic_keys, current_time=current_time))

    def index_of(
        self,
        key: str,
        dynamic_keys: DynamicKeyStore | None = None,
        *,
        current_time: datetime | None = None,
    ) -> int:
        """The position of ``key``; raises ``PartitionKeyError`` when it is not a key."""
        keys = self.get_partition_keys(dynamic_keys, current_time=current_time)
        try:
            return keys.index(key)
        except ValueError:
            raise self._unknown_key(key, keys) from None

    def indices_of(
        self,
        keys: Iterable[str],
        dynamic_keys: DynamicKeyStore | None = None,
        *,
        current_time: datetime | None = None,
    ) -> list[int]:
        """The positions of many keys at once (lists the keys once, then looks them up)."""
        all_keys = self.get_partition_keys(dynamic_keys, current_time=current_time)
        lookup = {k: i for i, k in enumerate(all_keys)}
        out = []
        for key in keys:
            i = lookup.get(key)
            if i is None:
                self.validate_key(key, dynamic_keys, current_time=current_time)
                raise self._unknown_key(key, all_keys)  # pragma: no cover - validate raised
            out.append(i)
        return out

    def key_at(
        self,
        index: int,
        dynamic_keys: DynamicKeyStore | None = None,
        *,
        current_time: datetime | None = None,
    ) -> str:
        """The key at ``index``; raises ``IndexError`` outside ``0..num_partitions-1``."""
        keys = self.get_partition_keys(dynamic_keys, current_time=current_time)
        if not 0 <= index < len(keys):
            raise IndexError(f"partition index {index} out of range 0..{len(keys) - 1}")
        return keys[index]

    def keys_in_index_range(
        self,
        start: int,
        stop: int,
        dynamic_keys: DynamicKeyStore | None = None,
        *,
        current_time: datetime | None = None,
    ) -> list[str]:
        """The keys at indices ``start`` (inclusive) to ``stop`` (exclusive), clamped."""
        keys = self.get_partition_keys(dynamic_keys, current_time=current_time)
        return keys[max(start, 0) : max(stop, 0)]

    def has_key(
        self,
        key: str,
        dynamic_keys: DynamicKeyStore | None = None,
        *,
        current_time: datetime | None = None,
    ) -> bool:
        """Whether ``key`` is one of the keys."""
        from assets_core.errors import PartitionKeyError

        try:
            self.index_of(key, dynamic_keys, current_time=current_time)
        except PartitionKeyError:
            return False
        return True

    def validate_key(
        self,
        key: str,
        dynamic_keys: DynamicKeyStore | None = None,
        *,
        current_time: datetime | None = None,
    ) -> None:
        """Raise ``PartitionKeyError`` naming the valid keys or range when ``key`` is bad."""
        self.index_of(key, dynamic_keys, current_time=current_time)

    def keys_between(
        self,
        start: str,
        end: str,
        dynamic_keys: DynamicKeyStore | None = None,
        *,
        current_time: datetime | None = None,
    ) -> list[str]:
        """The keys from ``start`` to ``end``, both inclusive, in order."""
        from assets_core.errors import PartitionKeyError

        i = self.index_of(start, dynamic_keys, current_time=current_time)
        j = self.index_of(end, dynamic_keys, current_time=current_time)
        if i > j:
            raise PartitionKeyError(
                f"Partition range {start}..{end} is reversed: --from must not be after --to."
            )
        return self.keys_in_index_range(i, j + 1, dynamic_keys, current_time=current_time)

    def time_window_for(
        self, key: str, *, current_time: datetime | None = None
    ) -> TimeWindow | None:
        """The time window of a time partition key, else None."""
        return None

    def dynamic_names(self) -> tuple[str, ...]:
        """The names of the ``DynamicPartitions`` whose keys this definition needs from
        a ``DynamicKeyStore`` (none for time and static partitions)."""
        return ()

    def to_dict(self) -> dict[str, object]:
        """A JSON-able description for the catalog and the API."""
        return {"kind": self.kind, "description": self.describe()}

    def key_mismatch(self, other: PartitionsDefinition) -> str | None:
        """Why a key of ``other`` might not name the same partition here, or None when
        every key of ``other`` does (what the identity mapping needs)."""
        if type(other) is not type(self):
            return f"{self.kind} vs {other.kind}"
        return None if other == self else "different definitions"

    def _unknown_key(self, key: str, keys: Sequence[str]) -> Exception:
        from assets_core.errors import PartitionKeyError, did_you_mean

        sample = ", ".join(keys[:5]) + (" ..." if len(keys) > 5 else "")
        from assets_core.keys import shown

        hint = did_you_mean(key, list(keys[:1000]))
        return PartitionKeyError(
            f"Unknown partition key {shown(key)} for {self.describe()}; valid keys: "
            f"{sample or '(none yet)'}.{hint}"
        )


class PartitionMapping(ABC):
    """Which upstream partitions a downstream partition reads.

    Both methods take the two definitions in the same order, downstream first.
    """

    __slots__ = ()

    @abstractmethod
    def upstream_keys(
        self,
        downstream_key: str | None,
        downstream: PartitionsDefinition | None,
        upstream: PartitionsDefinition,
        dynamic_keys: DynamicKeyStore | None = None,
        *,
        current_time: datetime | None = None,
    ) -> list[str]:
        """The upstream keys that ``downstream_key`` reads, in upstream order.

        ``downstream_key`` None (an unpartitioned downstream asset) reads every upstream
        partition the mapping allows.
        """

    def downstream_keys(
        self,
        upstream_key: str,
        downstream: PartitionsDefinition,
        upstream: PartitionsDefinition,
        dynamic_keys: DynamicKeyStore | None = None,
        *,
        current_time: datetime | None = None,
    ) -> list[str]:
        """The downstream keys that read ``upstream_key`` (e.g. to find stale ones).

        This generic version asks ``upstream_keys`` for every downstream key; mappings
        with a direct answer override it.
        """
        return [
            d
            for d in downstream.get_partition_keys(dynamic_keys, current_time=current_time)
            if upstream_key
            in self.upstream_keys(d, downstream, upstream, dynamic_keys, current_time=current_time)
        ]

    def validate(
        self, upstream: PartitionsDefinition | None, downstream: PartitionsDefinition | None
    ) -> str | None:
        """A reason this mapping cannot map ``upstream`` to ``downstream``, or None."""
        return None
