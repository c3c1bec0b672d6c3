"""Dynamic partitions: keys added at run time (CLI, API, sensors) and kept in the catalog.

The definition only names the key set; every call that needs the keys takes a
``DynamicKeyStore`` that holds them (the ``Catalog``, or a ``DynamicKeyCache``)::

    customers = DynamicPartitions("customers")
    customers.get_partition_keys(catalog)
    customers.get_partition_keys(DynamicKeyCache({"customers": ["acme", "globex"]}))
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from assets_core.errors import DefinitionError, PartitionKeyError, did_you_mean
from assets_core.keys import shown
from assets_core.partitions.base import DynamicKeyStore, PartitionsDefinition
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

    def keys_from(self, dynamic_keys: DynamicKeyStore | None) -> list[str]:
        """This definition's keys, asked of ``dynamic_keys``.

        Args:
            dynamic_keys: The store of dynamic keys (the ``Catalog``, a
                ``DynamicKeyCache``).

        Raises:
            ValueError: ``dynamic_keys`` is None: the keys live in the catalog, which
                the caller must hand over.
            TypeError: ``dynamic_keys`` is not a ``DynamicKeyStore``.
        """
        if dynamic_keys is None:
            raise ValueError(
                f"DynamicPartitions({self.name!r}) takes its keys from the catalog: pass "
                "dynamic_keys, a DynamicKeyStore such as the Catalog or "
                f"DynamicKeyCache({{{self.name!r}: [...]}})."
            )
        if not hasattr(dynamic_keys, "dynamic_partitions"):
            raise TypeError(
                f"dynamic_keys must be a DynamicKeyStore (the Catalog, or "
                f"DynamicKeyCache({{{self.name!r}: [...]}})), not {type(dynamic_keys).__name__}."
            )
        return list(dynamic_keys.dynamic_partitions(self.name))

    def get_partition_keys(
        self, dynamic_keys: DynamicKeyStore | None = None, *, current_time: datetime | None = None
    ) -> list[str]:
        """The keys in ``dynamic_keys``, in the order the catalog added them."""
        return self.keys_from(dynamic_keys)

    def index_of(
        self,
        key: str,
        dynamic_keys: DynamicKeyStore | None = None,
        *,
        current_time: datetime | None = None,
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
        add = (
            "" if key_problem(key) else f" Add it with: assetline partitions add {self.name} {key}"
        )
        raise PartitionKeyError(
            f"Partition key {shown(key)} is not a key of dynamic partitions {self.name!r} "
            f"({known}).{add}"
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
                    f"Cannot add partition key {shown(key)} to dynamic partitions "
                    f"{self.name!r}: "
                    f"it {problem}."
                )
            if key not in seen:
                seen.add(key)
                out.append(key)
        return out

    def dynamic_names(self) -> tuple[str, ...]:
        """``(name,)``."""
        return (self.name,)

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


class DynamicKeyCache:
    """A ``DynamicKeyStore`` in memory: keys given up front, or read from another store
    (the catalog) once per name and kept.

    Planning a backfill asks for the same key set once per step; a cache over the
    catalog makes that one query per name. Example::

        DynamicKeyCache({"customers": ["acme", "globex"]})  # keys known up front
        DynamicKeyCache(source=catalog)  # one catalog query per name

    Args:
        keys: ``{name: keys}`` known up front.
        source: The store asked for a name not in ``keys``; without one such a name has
            no keys.
    """

    __slots__ = ("_keys", "_source")

    def __init__(
        self,
        keys: Mapping[str, Iterable[str]] | None = None,
        *,
        source: DynamicKeyStore | None = None,
    ) -> None:
        self._keys: dict[str, list[str]] = {}
        for name, values in (keys or {}).items():
            if isinstance(values, str):
                raise TypeError(
                    f"DynamicKeyCache: the keys of {name!r} must be a list of keys, not one "
                    f"string: {{{name!r}: [{values!r}]}}."
                )
            self._keys[name] = list(values)
        self._source = source

    def dynamic_partitions(self, name: str) -> Sequence[str]:
        """The keys of ``DynamicPartitions(name)``.

        Args:
            name: The name of the dynamic key set.
        """
        keys = self._keys.get(name)
        if keys is None:
            source = self._source
            keys = list(source.dynamic_partitions(name)) if source is not None else []
            self._keys[name] = keys
        return keys


def dynamic_partition_names(definitions: Iterable[PartitionsDefinition | None]) -> list[str]:
    """The names of every ``DynamicPartitions`` the definitions use, sorted.

    Args:
        definitions: Partitions definitions (None for an unpartitioned asset), e.g. of
            every asset of a graph.
    """
    return sorted({n for d in definitions if d is not None for n in d.dynamic_names()})


def unknown_dynamic_name(name: str, known: Sequence[str]) -> str | None:
    """Why ``name`` cannot take keys (no ``DynamicPartitions`` of the code location is
    called that), with the close matches; None when it is known.

    Args:
        name: The name a user gave (``assetline partitions add NAME``).
        known: The names the code location uses (``dynamic_partition_names``).
    """
    if name in known:
        return None
    return (
        f"No DynamicPartitions named {name!r} in the code location (known: "
        f"{', '.join(known) or 'none'}).{did_you_mean(name, list(known))}"
    )
