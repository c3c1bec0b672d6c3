"""Compact sets of partitions: sorted ranges of indices into one definition's keys.

The catalog keeps which partitions of an asset are materialized, failed or stale as a
``PartitionSubset``: 100,000 hourly partitions with a few gaps are a few ranges, and
counts, unions and differences cost a pass over the ranges, not over the keys. Indices
are positions in the definition's key order (``PartitionsDefinition.index_of``), which
stay put as time partitions grow at the end.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from heapq import merge

from assets_core.errors import CatalogError
from assets_core.partitions.base import DynamicKeyStore, PartitionsDefinition

_JSON_RE = re.compile(r"(?:[0-9]+(?:-[0-9]+)?(?:,[0-9]+(?:-[0-9]+)?)*)?")


def _is_canonical(ranges: Sequence[tuple[int, int]]) -> bool:
    last = -2
    for a, b in ranges:
        if a <= last + 1 or b < a:
            return False
        last = b
    return True


def _normalize(ranges: Iterable[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    """Sorted, disjoint, non-adjacent inclusive ranges covering the same indices."""
    ranges = tuple(ranges)
    if _is_canonical(ranges):  # the common case (stored subsets): one pass, no sort
        return ranges
    out: list[tuple[int, int]] = []
    for a, b in sorted(ranges):
        if b < a:
            raise ValueError(f"empty range {a}-{b}")
        if out and a <= out[-1][1] + 1:
            if b > out[-1][1]:
                out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return tuple(out)


@dataclass(frozen=True, slots=True)
class PartitionSubset:
    """An immutable set of partition indices, stored as sorted inclusive ranges.

    Example::

        done = PartitionSubset.from_keys(["2024-01-01", "2024-01-02"], daily)
        done.to_json()  # '0-1'
        len(done | PartitionSubset.from_ranges([(5, 9)]))  # 7

    Attributes:
        ranges: ``(first, last)`` index pairs, sorted, disjoint and not adjacent.
    """

    ranges: tuple[tuple[int, int], ...] = ()

    # --- building -------------------------------------------------------------------

    @classmethod
    def from_ranges(cls, ranges: Iterable[tuple[int, int]]) -> PartitionSubset:
        """A subset of inclusive ``(first, last)`` ranges, in any order, overlapping or not."""
        return cls(_normalize(ranges))

    @classmethod
    def from_indices(cls, indices: Iterable[int]) -> PartitionSubset:
        """A subset of the given indices."""
        out: list[tuple[int, int]] = []
        for i in sorted(set(indices)):
            if out and i == out[-1][1] + 1:
                out[-1] = (out[-1][0], i)
            else:
                out.append((i, i))
        return cls(tuple(out))

    @classmethod
    def from_keys(
        cls,
        keys: Iterable[str],
        definition: PartitionsDefinition,
        dynamic_keys: DynamicKeyStore | None = None,
        *,
        current_time: datetime | None = None,
    ) -> PartitionSubset:
        """The subset of ``keys``; raises ``PartitionKeyError`` for a key not in ``definition``."""
        return cls.from_indices(
            definition.indices_of(keys, dynamic_keys, current_time=current_time)
        )

    @classmethod
    def all(cls, n: int) -> PartitionSubset:
        """Every index of a definition with ``n`` partitions."""
        return cls(((0, n - 1),) if n > 0 else ())

    # --- set operations -------------------------------------------------------------

    def __len__(self) -> int:
        return sum(b - a + 1 for a, b in self.ranges)

    def __bool__(self) -> bool:
        return bool(self.ranges)

    def __contains__(self, index: object) -> bool:
        if not isinstance(index, int):
            return False
        i = bisect_right(self.ranges, index, key=lambda r: r[0])
        return i > 0 and self.ranges[i - 1][1] >= index

    def __iter__(self) -> Iterator[int]:
        for a, b in self.ranges:
            yield from range(a, b + 1)

    def union(self, other: PartitionSubset) -> PartitionSubset:
        """Indices in either."""
        if not self.ranges or not other.ranges:
            return self if other.ranges == () else other
        return PartitionSubset(_normalize(merge(self.ranges, other.ranges)))

    def difference(self, other: PartitionSubset) -> PartitionSubset:
        """Indices in this subset and not in ``other``."""
        if not self.ranges or not other.ranges:
            return self
        if len(other.ranges) == 1 and other.ranges[0][0] <= self.ranges[0][0]:
            return self.clamp(other.ranges[0][1] + 1, None)
        out: list[tuple[int, int]] = []
        theirs, j = other.ranges, 0
        for a, b in self.ranges:
            while j < len(theirs) and theirs[j][1] < a:
                j += 1
            k = j
            while k < len(theirs) and theirs[k][0] <= b:
                c, d = theirs[k]
                if c > a:
                    out.append((a, c - 1))
                a = max(a, d + 1)
                k += 1
            if a <= b:
                out.append((a, b))
        return PartitionSubset(tuple(out))

    def intersection(self, other: PartitionSubset) -> PartitionSubset:
        """Indices in both."""
        if len(other.ranges) == 1:
            return self.clamp(*other.ranges[0])
        if len(self.ranges) == 1:
            return other.clamp(*self.ranges[0])
        out: list[tuple[int, int]] = []
        mine, theirs, i, j = self.ranges, other.ranges, 0, 0
        while i < len(mine) and j < len(theirs):
            a, b = max(mine[i][0], theirs[j][0]), min(mine[i][1], theirs[j][1])
            if a <= b:
                out.append((a, b))
            if mine[i][1] < theirs[j][1]:
                i += 1
            else:
                j += 1
        return PartitionSubset(tuple(out))

    def clamp(self, first: int, last: int | None) -> PartitionSubset:
        """The indices from ``first`` to ``last`` (inclusive; None: no upper bound)."""
        ranges = self.ranges
        if not ranges or (ranges[0][0] >= first and (last is None or ranges[-1][1] <= last)):
            return self
        lo = bisect_left(ranges, first, key=lambda r: r[1]) if first > ranges[0][0] else 0
        hi = len(ranges) if last is None else bisect_right(ranges, last, key=lambda r: r[0])
        out = list(ranges[lo:hi])
        if out and out[0][0] < first:
            out[0] = (first, out[0][1])
        if out and last is not None and out[-1][1] > last:
            out[-1] = (out[-1][0], last)
        return PartitionSubset(tuple(out))

    __or__ = union
    __sub__ = difference
    __and__ = intersection

    def complement(self, n: int) -> PartitionSubset:
        """The indices ``0..n-1`` not in this subset."""
        return PartitionSubset.all(n) - self

    def add(self, *indices: int) -> PartitionSubset:
        """This subset plus ``indices``."""
        return self | PartitionSubset.from_indices(indices)

    def remove(self, *indices: int) -> PartitionSubset:
        """This subset without ``indices``."""
        return self - PartitionSubset.from_indices(indices)

    # --- keys -----------------------------------------------------------------------

    def contains_key(
        self,
        key: str,
        definition: PartitionsDefinition,
        dynamic_keys: DynamicKeyStore | None = None,
        *,
        current_time: datetime | None = None,
    ) -> bool:
        """Whether ``key`` of ``definition`` is in the subset (False for unknown keys)."""
        if not definition.has_key(key, dynamic_keys, current_time=current_time):
            return False
        return definition.index_of(key, dynamic_keys, current_time=current_time) in self

    def keys(
        self,
        definition: PartitionsDefinition,
        dynamic_keys: DynamicKeyStore | None = None,
        *,
        current_time: datetime | None = None,
    ) -> list[str]:
        """The keys of the subset, in order (indices past the end are left out)."""
        out: list[str] = []
        for a, b in self.ranges:
            out += definition.keys_in_index_range(a, b + 1, dynamic_keys, current_time=current_time)
        return out

    def key_ranges(
        self,
        definition: PartitionsDefinition,
        dynamic_keys: DynamicKeyStore | None = None,
        *,
        current_time: datetime | None = None,
    ) -> list[tuple[str, str]]:
        """``(first key, last key)`` per range, within the definition's current range."""
        n = definition.num_partitions(dynamic_keys, current_time=current_time)
        ranges = self.clamp(0, n - 1).ranges
        if len(ranges) > 256:  # listing every key once beats many single lookups
            keys = definition.get_partition_keys(dynamic_keys, current_time=current_time)
            return [(keys[a], keys[b]) for a, b in ranges]
        return [
            (
                definition.key_at(a, dynamic_keys, current_time=current_time),
                definition.key_at(b, dynamic_keys, current_time=current_time),
            )
            for a, b in ranges
        ]

    # --- storage --------------------------------------------------------------------

    def to_json(self) -> str:
        """The compact text form: ``'0-99,120-130,140'`` (``''`` when empty)."""
        return ",".join(f"{a}-{b}" if a != b else str(a) for a, b in self.ranges)

    @classmethod
    def from_json(cls, text: str) -> PartitionSubset:
        """Read ``to_json``'s form.

        Raises:
            CatalogError: The text is not in that form (a corrupt catalog row).
        """
        if not isinstance(text, str) or not _JSON_RE.fullmatch(text):
            raise CatalogError(f"Corrupt partition subset {str(text)[:80]!r} in the catalog.")
        ranges = []
        for part in text.split(",") if text else ():
            a, _, b = part.partition("-")
            ranges.append((int(a), int(b or a)))
        try:
            return cls.from_ranges(ranges)
        except ValueError as e:
            raise CatalogError(f"Corrupt partition subset in the catalog: {e}.") from None


@dataclass(frozen=True, slots=True)
class PartitionStatus:
    """The partitions of one asset by status; ``stale`` is a part of ``materialized``.

    Attributes:
        total: How many partitions the definition has now.
        materialized: Latest attempt succeeded (stale ones included).
        failed: Latest attempt failed.
        stale: Materialized, but out of date with an upstream or the code.
        missing: Never materialized and not failed.
    """

    total: int
    materialized: PartitionSubset
    failed: PartitionSubset
    stale: PartitionSubset
    missing: PartitionSubset

    @classmethod
    def compute(
        cls,
        total: int,
        materialized: PartitionSubset,
        failed: PartitionSubset | None = None,
        stale: PartitionSubset | None = None,
    ) -> PartitionStatus:
        """The status of ``total`` partitions; a partition in both ``materialized`` and
        ``failed`` counts as failed, and indices past ``total`` are ignored."""
        every = PartitionSubset.all(total)
        failed = (failed or PartitionSubset()) & every
        materialized = (materialized & every) - failed
        stale = (stale or PartitionSubset()) & materialized
        missing = every - materialized - failed
        return cls(total, materialized, failed, stale, missing)

    def counts(self) -> dict[str, int]:
        """``{"total", "materialized", "failed", "stale", "missing"}`` counts."""
        return {
            "total": self.total,
            "materialized": len(self.materialized),
            "failed": len(self.failed),
            "stale": len(self.stale),
            "missing": len(self.missing),
        }

    def to_dict(
        self,
        definition: PartitionsDefinition,
        dynamic_keys: DynamicKeyStore | None = None,
        *,
        current_time: datetime | None = None,
    ) -> dict[str, object]:
        """The counts plus each status's ``(first key, last key)`` ranges, for the API."""
        subsets = {
            "materialized": self.materialized,
            "failed": self.failed,
            "stale": self.stale,
            "missing": self.missing,
        }
        if sum(len(s.ranges) for s in subsets.values()) > 256:
            keys = definition.get_partition_keys(dynamic_keys, current_time=current_time)
            last = len(keys) - 1
            ranges = {
                name: [(keys[a], keys[b]) for a, b in s.clamp(0, last).ranges]
                for name, s in subsets.items()
            }
        else:
            ranges = {
                name: s.key_ranges(definition, dynamic_keys, current_time=current_time)
                for name, s in subsets.items()
            }
        return {**self.counts(), "ranges": ranges}
