"""Asset keys: one canonical form, ``a/b/c``."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assets_core.errors import InvalidKeyError

_COMPONENT = re.compile(r"[A-Za-z0-9_-]+\Z")


@dataclass(frozen=True, slots=True, order=True)
class AssetKey:
    """The identity of an asset: a tuple of components, written ``a/b/c``.

    Each component matches ``[A-Za-z0-9_-]+``, so a key can never escape a storage root.

    Attributes:
        path: The components, ``("sales", "daily_orders")``; build one from text with
            ``AssetKey.parse("sales/daily_orders")``.
    """

    path: tuple[str, ...]
    _hash: int = field(init=False, repr=False, compare=False, default=0)
    _str: str = field(init=False, repr=False, compare=False, default="")

    def __post_init__(self) -> None:
        if not self.path:
            raise InvalidKeyError("An asset key needs at least one component.")
        for part in self.path:
            if not isinstance(part, str) or not _COMPONENT.match(part):
                raise InvalidKeyError(
                    f"Invalid asset key {'/'.join(map(str, self.path))!r}: component "
                    f"{part!r} must match [A-Za-z0-9_-]+ (letters, digits, '_' and '-'). "
                    "Join components with '/', e.g. 'sales/daily_orders'."
                )
        # Keys are hashed constantly by graph traversals: compute it once.
        object.__setattr__(self, "_hash", hash(self.path))
        object.__setattr__(self, "_str", "/".join(self.path))

    def __hash__(self) -> int:
        return self._hash

    def __reduce__(self) -> tuple[type, tuple[tuple[str, ...]]]:
        return (AssetKey, (self.path,))

    @classmethod
    def parse(cls, value: CoercibleToKey) -> AssetKey:
        """Build a key from ``"a/b"``, ``("a", "b")`` or an existing key."""
        if isinstance(value, AssetKey):
            return value
        if isinstance(value, str):
            return cls(tuple(value.split("/")))
        if isinstance(value, (tuple, list)):
            return cls(tuple(value))
        key = getattr(value, "key", None)  # an asset definition
        if isinstance(key, AssetKey):
            return key
        raise InvalidKeyError(f"Cannot make an asset key from {value!r}; pass a string 'a/b'.")

    @property
    def name(self) -> str:
        """The last component."""
        return self.path[-1]

    def with_prefix(self, prefix: str | tuple[str, ...] | list[str]) -> AssetKey:
        parts = tuple(prefix.split("/")) if isinstance(prefix, str) else tuple(prefix)
        return AssetKey(parts + self.path)

    def __str__(self) -> str:
        return self._str

    def __repr__(self) -> str:
        return f"AssetKey({str(self)!r})"


CoercibleToKey = str | AssetKey | tuple[str, ...] | list[str] | object
