"""Static partitions: a fixed list of keys (regions, customers, sources), and the rules
every partition key follows."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import ClassVar

from assets_core.errors import DefinitionError, PartitionKeyError, did_you_mean
from assets_core.keys import component_problem, shown
from assets_core.partitions.base import DynamicKeyStore, PartitionsDefinition


def key_problem(key: object) -> str | None:
    """Why ``key`` cannot be a partition key, or None.

    Keys become folder names (the ``fs`` IO manager stores one folder per partition) and
    parts of multi-partition keys, which are joined by ``|``: the rules of every key
    component (``keys.component_problem``: at most 255 bytes in UTF-8, no NUL...) and no
    ``|``, no leading ``.``, no surrounding whitespace.
    """
    if not isinstance(key, str):
        return f"is a {type(key).__name__}, not a string"
    if "|" in key:
        return "contains '|', which joins the parts of multi-partition keys"
    if "/" in key or "\\" in key:
        return "contains a path separator; partitions are stored one folder per key"
    if key.startswith("."):
        return "starts with '.', which would make its folder hidden"
    if key != key.strip():
        return "starts or ends with whitespace"
    return component_problem(key)


@dataclass(frozen=True, slots=True, init=False)
class StaticPartitions(PartitionsDefinition):
    """A fixed, ordered list of partition keys.

    Example::

        StaticPartitions(["eu", "us", "apac"])

    Attributes:
        keys: The keys, in order.
    """

    kind: ClassVar[str] = "static"
    keys: tuple[str, ...]
    _index: dict[str, int] = field(repr=False, compare=False)

    def __init__(self, keys: Iterable[str]) -> None:
        """Validate and keep ``keys``.

        Raises:
            DefinitionError: No keys, a duplicate, or a key that breaks the key rules.
        """
        if isinstance(keys, str):
            raise DefinitionError(
                f"StaticPartitions({keys!r}) needs a list of keys, not one string: "
                f"StaticPartitions([{keys!r}])."
            )
        keys = tuple(keys)
        if not keys:
            raise DefinitionError("StaticPartitions([]) needs at least one key.")
        for key in keys:
            problem = key_problem(key)
            if problem:
                raise DefinitionError(f"StaticPartitions key {shown(key)} {problem}.")
        index: dict[str, int] = {}
        for i, key in enumerate(keys):
            if key in index:
                raise DefinitionError(
                    f"StaticPartitions has the key {key!r} twice (positions {index[key]} "
                    f"and {i}); keys must be unique."
                )
            index[key] = i
        object.__setattr__(self, "keys", keys)
        object.__setattr__(self, "_index", index)

    def get_partition_keys(
        self, dynamic_keys: DynamicKeyStore | None = None, *, current_time: datetime | None = None
    ) -> list[str]:
        """The keys, in the order given."""
        return list(self.keys)

    def num_partitions(
        self, dynamic_keys: DynamicKeyStore | None = None, *, current_time: datetime | None = None
    ) -> int:
        """How many keys there are."""
        return len(self.keys)

    def index_of(
        self,
        key: str,
        dynamic_keys: DynamicKeyStore | None = None,
        *,
        current_time: datetime | None = None,
    ) -> int:
        """The position of ``key``; raises ``PartitionKeyError`` naming the valid keys."""
        i = self._index.get(key) if isinstance(key, str) else None
        if i is None:
            raise PartitionKeyError(
                f"Partition key {shown(key)} is not one of the static partitions: "
                f"{_sample(self.keys)}.{did_you_mean(str(key), list(self.keys))}"
            )
        return i

    def indices_of(
        self,
        keys: Iterable[str],
        dynamic_keys: DynamicKeyStore | None = None,
        *,
        current_time: datetime | None = None,
    ) -> list[int]:
        """The positions of many keys at once."""
        return [self.index_of(k) for k in keys]

    def key_at(
        self,
        index: int,
        dynamic_keys: DynamicKeyStore | None = None,
        *,
        current_time: datetime | None = None,
    ) -> str:
        """The key at ``index``; raises ``IndexError`` outside ``0..len(keys)-1``."""
        if not 0 <= index < len(self.keys):
            raise IndexError(f"partition index {index} out of range 0..{len(self.keys) - 1}")
        return self.keys[index]

    def key_mismatch(self, other: PartitionsDefinition) -> str | None:
        """None when every key of ``other`` is a key here."""
        if not isinstance(other, StaticPartitions):
            return f"{self.kind} vs {other.kind}"
        missing = [k for k in other.keys if k not in self._index]
        return f"{', '.join(map(repr, missing[:5]))} not on both sides" if missing else None

    def describe(self) -> str:
        """``static (eu, us, apac)``; long lists are cut after 5 keys."""
        return f"static ({_sample(self.keys)})"

    def to_dict(self) -> dict[str, object]:
        """``kind``, ``description`` and the keys."""
        return {"kind": self.kind, "description": self.describe(), "keys": list(self.keys)}


def _sample(keys: Sequence[str], n: int = 5) -> str:
    shown = ", ".join(keys[:n])
    return shown + (f", ... ({len(keys)} keys)" if len(keys) > n else "")
