"""Dynamic partitions: keys added at run time (CLI, API, sensors) and kept in the catalog.

The definition only names the key set; every call that needs the keys takes them as
``dynamic_keys``, loaded from the catalog by the caller::

    customers = DynamicPartitions("customers")
    customers.get_partition_keys(catalog_keys)          # or {"customers": [...]}
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from assets_core.errors import DefinitionError, PartitionKeyError, did_you_mean
from assets_core.partitions.base import DynamicKeys, PartitionsDefinition
from assets_core.partitions.static import key_problem

_NAME_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,199}")


@dataclass(frozen=True, slots=True)
class DynamicPartitions(PartitionsDefinition):
    """Partitions whose keys are added at run time and stored in the catalog.

    Attributes:
        name: Names the key set in the catalog; assets sharing a name share keys.
            Letters, digits, ``_``, ``-`` and ``.`` (not first), up to 200 characters.
    """

    kind: ClassVar[str] = "dynamic"
    name: str

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not _NAME_RE.fullmatch(self.name):
            raise DefinitionError(
                f"DynamicPartitions({self.name!r}): the name must be 1-200 letters, digits, "
                "'_', '-' or '.' (not first), e.g. DynamicPartitions('customers')."
            )

    def keys_from(self, dynamic_keys: DynamicKeys) -> list[str]:
        """This definition's keys out of ``dynamic_keys`` (a list, or ``{name: keys}``;
        a name missing from the mapping has no keys yet).

        Raises:
            ValueError: ``dynamic_keys`` is None: the caller must load the keys from the
                catalog first.
        """
        if dynamic_keys is None:
            raise ValueError(
                f"DynamicPartitions({self.name!r}) takes its keys from the catalog: "
                "pass dynamic_keys (a list, or a {name: keys} mapping)."
            )
        if isinstance(dynamic_keys, Mapping):
            return list(dynamic_keys.get(self.name, ()))
        if isinstance(dynamic_keys, str):
            raise TypeError("dynamic_keys must be a sequence of keys, not one string")
        return list(dynamic_keys)

    def get_partition_keys(
        self, dynamic_keys: DynamicKeys = None, *, current_time: datetime | None = None
    ) -> list[str]:
        """The keys in ``dynamic_keys``, in the order the catalog added them."""
        return self.keys_from(dynamic_keys)

    def index_of(
        self, key: str, dynamic_keys: DynamicKeys = None, *, current_time: datetime | None = None
    ) -> int:
        """The position of ``key``; raises ``PartitionKeyError`` naming the known keys."""
        keys = self.keys_from(dynamic_keys)
        try:
            return keys.index(key)
        except ValueError:
            pass
        if not keys:
            known = "it has no keys yet"
        else:
            known = f"known keys: {', '.join(keys[:5])}{' ...' if len(keys) > 5 else ''}"
        raise PartitionKeyError(
            f"Partition key {key!r} is not a key of dynamic partitions {self.name!r} "
            f"({known}). Add it with: assetline partitions add {self.name} {key}"
            f"{did_you_mean(str(key), keys[:1000])}"
        )

    def validate_new_keys(self, keys: Iterable[str], existing: Sequence[str] = ()) -> list[str]:
        """Check keys about to be added; return those not in ``existing``, in order,
        without duplicates.

        Raises:
            PartitionKeyError: A key breaks the key rules (naming the key and the rule).
        """
        if isinstance(keys, str):
            keys = [keys]
        seen = set(existing)
        out = []
        for key in keys:
            problem = key_problem(key)
            if problem:
                raise PartitionKeyError(
                    f"Cannot add partition key {key!r} to dynamic partitions {self.name!r}: "
                    f"it {problem}."
                )
            if key not in seen:
                seen.add(key)
                out.append(key)
        return out

    def key_mismatch(self, other: PartitionsDefinition) -> str | None:
        """None for dynamic partitions of the same name."""
        if not isinstance(other, DynamicPartitions):
            return f"{self.kind} vs {other.kind}"
        return None if other.name == self.name else f"names {self.name!r} vs {other.name!r}"

    def describe(self) -> str:
        """``dynamic 'customers'``."""
        return f"dynamic {self.name!r}"

    def to_dict(self) -> dict[str, object]:
        """``kind``, ``description`` and ``name``."""
        return {"kind": self.kind, "description": self.describe(), "name": self.name}
