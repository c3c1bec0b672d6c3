"""Multi-dimensional partitions: the product of any number of definitions.

A key joins one key per dimension with ``|``, in dimension order: with
``MultiPartitions({"date": DailyPartitions(...), "region": StaticPartitions([...]),
"channel": StaticPartitions([...])})`` the keys are ``2024-01-01|eu|web``, ... The first
dimension varies slowest, so a day's regions and channels are next to each other.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import product
from math import prod
from typing import ClassVar

from assets_core.errors import DefinitionError, PartitionKeyError, did_you_mean
from assets_core.keys import shown
from assets_core.partitions.base import DynamicKeyStore, PartitionsDefinition, TimeWindow
from assets_core.partitions.time import TimePartitions

SEPARATOR = "|"
_DIMENSION_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")


@dataclass(frozen=True, slots=True)
class MultiPartitionKey:
    """A multi-partition key split into its dimensions.

    Example::

        key = MultiPartitionKey.parse("2024-01-01|eu", ["date", "region"])
        key["region"]  # 'eu'
        str(key)  # '2024-01-01|eu'

    Attributes:
        dimensions: The dimension names, in order.
        values: One key per dimension.
    """

    dimensions: tuple[str, ...]
    values: tuple[str, ...]

    @classmethod
    def from_dict(cls, values: Mapping[str, str]) -> MultiPartitionKey:
        """A key from ``{dimension: key}``, in the mapping's order."""
        return cls(tuple(values), tuple(values.values()))

    @classmethod
    def parse(cls, key: str, dimensions: Sequence[str]) -> MultiPartitionKey:
        """Split ``key`` into one part per dimension.

        Raises:
            PartitionKeyError: The key does not have one part per dimension.
        """
        parts = key.split(SEPARATOR) if isinstance(key, str) else []
        if len(parts) != len(dimensions):
            raise PartitionKeyError(
                f"Partition key {shown(key)} is not a valid multi-partition key: expected "
                f"{len(dimensions)} parts joined by '|' ({SEPARATOR.join(dimensions)})."
            )
        return cls(tuple(dimensions), tuple(parts))

    @staticmethod
    def split(key: str) -> list[str]:
        """The parts of ``key``: ``'2024-01-01|eu'`` -> ``['2024-01-01', 'eu']``."""
        return key.split(SEPARATOR)

    @staticmethod
    def join(values: Iterable[str]) -> str:
        """One key from parts: ``['2024-01-01', 'eu']`` -> ``'2024-01-01|eu'``."""
        return SEPARATOR.join(values)

    def __str__(self) -> str:
        return SEPARATOR.join(self.values)

    def __getitem__(self, dimension: str) -> str:
        return self.values[self.dimensions.index(dimension)]

    def as_dict(self) -> dict[str, str]:
        """``{dimension: key}``."""
        return dict(zip(self.dimensions, self.values, strict=True))


@dataclass(frozen=True, slots=True, init=False)
class MultiPartitions(PartitionsDefinition):
    """The product of one or more partitions definitions, keyed ``a|b|c``.

    Attributes:
        dimensions: ``(name, definition)`` pairs, in key order.
    """

    kind: ClassVar[str] = "multi"
    dimensions: tuple[tuple[str, PartitionsDefinition], ...]

    def __init__(
        self,
        dimensions: Mapping[str, PartitionsDefinition] | Iterable[tuple[str, PartitionsDefinition]],
    ) -> None:
        """Validate the dimensions.

        Raises:
            DefinitionError: No dimensions, a bad or repeated name, a value that is not
                a partitions definition, or a nested ``MultiPartitions``.
        """
        pairs = tuple(dimensions.items() if isinstance(dimensions, Mapping) else dimensions)
        if not pairs:
            raise DefinitionError("MultiPartitions({}) needs at least one dimension.")
        seen: set[str] = set()
        for name, definition in pairs:
            if not isinstance(name, str) or not _DIMENSION_RE.fullmatch(name):
                raise DefinitionError(
                    f"MultiPartitions dimension name {name!r} must be a word of letters, "
                    "digits and '_' such as 'date' or 'region'."
                )
            if name in seen:
                raise DefinitionError(f"MultiPartitions has the dimension {name!r} twice.")
            seen.add(name)
            if isinstance(definition, MultiPartitions):
                raise DefinitionError(
                    f"MultiPartitions dimension {name!r} is itself a MultiPartitions; "
                    "list its dimensions in the outer one instead."
                )
            if not isinstance(definition, PartitionsDefinition):
                raise DefinitionError(
                    f"MultiPartitions dimension {name!r} must be a partitions definition "
                    f"such as StaticPartitions([...]), got {definition!r}."
                )
        object.__setattr__(self, "dimensions", pairs)

    @property
    def names(self) -> tuple[str, ...]:
        """The dimension names, in key order."""
        return tuple(name for name, _ in self.dimensions)

    def dimension(self, name: str) -> PartitionsDefinition:
        """The definition of dimension ``name``; raises ``KeyError`` naming the others."""
        for n, definition in self.dimensions:
            if n == name:
                return definition
        raise KeyError(f"no dimension {name!r}; dimensions: {', '.join(self.names)}")

    @property
    def time_dimension(self) -> str | None:
        """The name of the one time-window dimension, or None (none, or several)."""
        found = [n for n, d in self.dimensions if isinstance(d, TimePartitions)]
        return found[0] if len(found) == 1 else None

    def split(self, key: str) -> MultiPartitionKey:
        """``key`` as a ``MultiPartitionKey`` (checks the number of parts only)."""
        return MultiPartitionKey.parse(key, self.names)

    def join(self, values: Mapping[str, str]) -> str:
        """The key of ``{dimension: key}``; raises ``KeyError`` for a missing dimension."""
        return SEPARATOR.join(values[name] for name in self.names)

    def _lists(
        self, dynamic_keys: DynamicKeyStore | None, current_time: datetime | None
    ) -> list[list[str]]:
        return [
            d.get_partition_keys(dynamic_keys, current_time=current_time)
            for _, d in self.dimensions
        ]

    def get_partition_keys(
        self, dynamic_keys: DynamicKeyStore | None = None, *, current_time: datetime | None = None
    ) -> list[str]:
        """Every key; the first dimension varies slowest."""
        return [SEPARATOR.join(p) for p in product(*self._lists(dynamic_keys, current_time))]

    def num_partitions(
        self, dynamic_keys: DynamicKeyStore | None = None, *, current_time: datetime | None = None
    ) -> int:
        """The product of the dimensions' sizes."""
        return prod(
            d.num_partitions(dynamic_keys, current_time=current_time) for _, d in self.dimensions
        )

    def index_of(
        self,
        key: str,
        dynamic_keys: DynamicKeyStore | None = None,
        *,
        current_time: datetime | None = None,
    ) -> int:
        """The position of ``key``; the error names the dimension that is wrong."""
        parts = self.split(key).values
        index = 0
        for (name, d), part in zip(self.dimensions, parts, strict=True):
            try:
                i = d.index_of(part, dynamic_keys, current_time=current_time)
            except PartitionKeyError as e:
                why = e.message.removeprefix(f"Partition key {shown(part)} ")
                raise PartitionKeyError(
                    f"Partition key {shown(key)} has a bad {name!r} part: {shown(part)} {why}"
                ) from None
            index = index * d.num_partitions(dynamic_keys, current_time=current_time) + i
        return index

    def key_at(
        self,
        index: int,
        dynamic_keys: DynamicKeyStore | None = None,
        *,
        current_time: datetime | None = None,
    ) -> str:
        """The key at ``index`` (mixed-radix arithmetic over the dimensions)."""
        sizes = [
            d.num_partitions(dynamic_keys, current_time=current_time) for _, d in self.dimensions
        ]
        if not 0 <= index < prod(sizes):
            raise IndexError(f"partition index {index} out of range 0..{prod(sizes) - 1}")
        parts = []
        for (_, d), size in zip(reversed(self.dimensions), reversed(sizes), strict=True):
            index, i = divmod(index, size)
            parts.append(d.key_at(i, dynamic_keys, current_time=current_time))
        return SEPARATOR.join(reversed(parts))

    def keys_in_index_range(
        self,
        start: int,
        stop: int,
        dynamic_keys: DynamicKeyStore | None = None,
        *,
        current_time: datetime | None = None,
    ) -> list[str]:
        """The keys at indices ``start`` (inclusive) to ``stop`` (exclusive), clamped."""
        lists = self._lists(dynamic_keys, current_time)
        sizes = [len(k) for k in lists]
        out = []
        for index in range(max(start, 0), min(stop, prod(sizes))):
            parts = []
            for keys, size in zip(reversed(lists), reversed(sizes), strict=True):
                index, i = divmod(index, size)
                parts.append(keys[i])
            out.append(SEPARATOR.join(reversed(parts)))
        return out

    def keys_between(
        self,
        start: str,
        end: str,
        dynamic_keys: DynamicKeyStore | None = None,
        *,
        current_time: datetime | None = None,
    ) -> list[str]:
        """The keys from ``start`` to ``end``, inclusive.

        With full keys (``2024-01-01|eu`` .. ``2024-01-03|us``) this is a range in key
        order. With keys of one dimension (``2024-01-01`` .. ``2024-01-31``) it is that
        dimension's range across every key of the others (``keys_between_in``).
        """
        if SEPARATOR in start or SEPARATOR in end:
            return PartitionsDefinition.keys_between(
                self, start, end, dynamic_keys, current_time=current_time
            )
        accepts = {}
        for name, d in self.dimensions:
            both = [self._has(d, k, dynamic_keys, current_time) for k in (start, end)]
            if any(both):
                accepts[name] = all(both)
        full = [name for name, ok in accepts.items() if ok]
        if len(full) > 1:
            raise PartitionKeyError(
                f"Partition range {start}..{end} fits several dimensions ({', '.join(full)}); "
                f"give full keys ({SEPARATOR.join(self.names)}) instead."
            )
        if full or len(accepts) == 1:
            name = full[0] if full else next(iter(accepts))
            return self.keys_between_in(name, start, end, dynamic_keys, current_time=current_time)
        raise PartitionKeyError(
            f"Partition range {start}..{end} is neither a range of full keys "
            f"({SEPARATOR.join(self.names)}) nor a range of one dimension's keys of "
            f"{self.describe()}."
        )

    @staticmethod
    def _has(
        d: PartitionsDefinition, k: str, dk: DynamicKeyStore | None, now: datetime | None
    ) -> bool:
        try:
            return d.has_key(k, dk, current_time=now)
        except ValueError:  # a dynamic dimension without its keys cannot hold the range
            return False

    def keys_between_in(
        self,
        dimension: str,
        start: str,
        end: str,
        dynamic_keys: DynamicKeyStore | None = None,
        *,
        current_time: datetime | None = None,
    ) -> list[str]:
        """Every key whose ``dimension`` part is in ``start..end`` (inclusive), in order."""
        d = self._dimension_or_error(dimension)
        try:
            values = d.keys_between(start, end, dynamic_keys, current_time=current_time)
        except PartitionKeyError as e:
            raise PartitionKeyError(f"In dimension {dimension!r}: {e.message}") from None
        return self.keys_for(dimension, values, dynamic_keys, current_time=current_time)

    def keys_for(
        self,
        dimension: str,
        values: Iterable[str],
        dynamic_keys: DynamicKeyStore | None = None,
        *,
        current_time: datetime | None = None,
    ) -> list[str]:
        """Every key whose ``dimension`` part is one of ``values``, in key order."""
        return self.keys_matching({dimension: values}, dynamic_keys, current_time=current_time)

    def keys_matching(
        self,
        choices: Mapping[str, Iterable[str]],
        dynamic_keys: DynamicKeyStore | None = None,
        *,
        current_time: datetime | None = None,
    ) -> list[str]:
        """Every key whose part in each dimension of ``choices`` is one of the values
        given for it (any value in the other dimensions), in key order.

        Raises:
            PartitionKeyError: An unknown dimension, or a value that is not a key of its
                dimension.
        """
        for dimension in choices:
            self._dimension_or_error(dimension)
        lists = []
        for name, d in self.dimensions:
            keys = d.get_partition_keys(dynamic_keys, current_time=current_time)
            if name in choices:
                try:
                    chosen = d.indices_of(choices[name], dynamic_keys, current_time=current_time)
                except PartitionKeyError as e:
                    raise PartitionKeyError(f"In dimension {name!r}: {e.message}") from None
                keys = [keys[i] for i in sorted(set(chosen))]
            lists.append(keys)
        return [SEPARATOR.join(p) for p in product(*lists)]

    def _dimension_or_error(self, dimension: str) -> PartitionsDefinition:
        try:
            return self.dimension(dimension)
        except KeyError:
            raise PartitionKeyError(
                f"{self.describe()} has no dimension {dimension!r}; dimensions: "
                f"{', '.join(self.names)}.{did_you_mean(dimension, self.names)}"
            ) from None

    def time_window_for(
        self, key: str, *, current_time: datetime | None = None
    ) -> TimeWindow | None:
        """The window of the key's time part when there is one time dimension."""
        name = self.time_dimension
        if name is None:
            return None
        d = self.dimension(name)
        return d.time_window_for(self.split(key)[name], current_time=current_time)

    def dynamic_names(self) -> tuple[str, ...]:
        """The dynamic key sets of the dimensions, in dimension order."""
        return tuple(dict.fromkeys(n for _, d in self.dimensions for n in d.dynamic_names()))

    def key_mismatch(self, other: PartitionsDefinition) -> str | None:
        """None for the same dimensions whose keys match one by one."""
        if not isinstance(other, MultiPartitions):
            return f"{self.kind} vs {other.kind}"
        if other.names != self.names:
            return f"dimensions {SEPARATOR.join(self.names)} vs {SEPARATOR.join(other.names)}"
        for (name, mine), (_, theirs) in zip(self.dimensions, other.dimensions, strict=True):
            why = mine.key_mismatch(theirs)
            if why:
                return f"dimension {name!r}: {why}"
        return None

    def describe(self) -> str:
        """``multi (date: daily from 2024-01-01 (UTC); region: static (eu, us))``."""
        return "multi (" + "; ".join(f"{n}: {d.describe()}" for n, d in self.dimensions) + ")"

    def to_dict(self) -> dict[str, object]:
        """``kind``, ``description`` and each dimension's ``to_dict()``."""
        dims = {name: d.to_dict() for name, d in self.dimensions}
        return {"kind": self.kind, "description": self.describe(), "dimensions": dims}
