"""Asset keys: one canonical form, ``a/b/c``."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assets_core.errors import InvalidKeyError

_COMPONENT = re.compile(r"[A-Za-z0-9_-]+\Z")
_KEY = re.compile(r"[A-Za-z0-9_-]+(?:/[A-Za-z0-9_-]+)*\Z")

#: The longest file or folder name of common filesystems (ext4, XFS, APFS, NTFS), in
#: bytes: every key component becomes one (asset keys and partition keys are folders of
#: the ``fs`` IO manager's storage).
MAX_COMPONENT_BYTES = 255
#: The longest whole key, in characters: the width of the catalog's key columns.
MAX_KEY_LENGTH = 500
#: Keys parsed from text, by text: a code location names each key several times
#: (its own and as the dependency of others), and keys are immutable.
_PARSED: dict[str, AssetKey] = {}
_PARSED_MAX = 200_000
#: How much of a rejected key an error message repeats.
_SHOWN = 60


def shown(value: object) -> str:
    """``value`` quoted for an error message (its ``repr``), a string cut to a readable
    length: a rejected key of 5,000 characters is not echoed whole."""
    if not isinstance(value, str):
        text = repr(value)
        return text if len(text) <= _SHOWN else f"{text[:_SHOWN]}..."
    if len(value) <= _SHOWN:
        return repr(value)
    return f"{value[:_SHOWN]!r}... ({len(value):,} characters)"


def component_problem(text: str) -> str | None:
    """Why ``text`` cannot be one component of a key (a folder name under a storage
    root), or None. The one rule set every entry applies (asset keys in definitions and
    the API, partition keys of definitions, ``assetline partitions add``, sensors and
    the API): not empty, not ``.`` or ``..``, no path separator, no NUL or control
    character, at most ``MAX_COMPONENT_BYTES`` bytes once encoded as UTF-8 (a key of
    130 'é' is 260 bytes).

    Args:
        text: One component: a part of an asset key, or one dimension of a partition key.
    """
    if not text:
        return "is empty"
    if text in (".", ".."):
        return f"is {text!r}, which names a folder relative to its parent"
    if "/" in text or "\\" in text:
        return "contains a path separator"
    if "\x00" in text:
        return "contains NUL"
    if any(ord(c) < 32 or ord(c) == 127 for c in text):
        return "contains a control character"
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError:
        return "is not valid Unicode text (it contains a lone surrogate)"
    if size > MAX_COMPONENT_BYTES:
        return (
            f"is {size:,} bytes long in UTF-8; the limit is {MAX_COMPONENT_BYTES} bytes "
            "(it becomes a file name)"
        )
    return None


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
        path = self.path
        # The common case in one regular expression: string components of the
        # allowed characters (which rules out every ``component_problem`` but length).
        text = "/".join(path) if all(type(part) is str for part in path) else None
        if (
            text is None
            or not _KEY.match(text)
            or text.count("/") != len(path) - 1  # a component held a "/"
            or len(text) > MAX_KEY_LENGTH
            or max(map(len, path)) > MAX_COMPONENT_BYTES
        ):
            self._reject()
            text = "/".join(path)
        # Keys are hashed constantly by graph traversals: compute it once.
        object.__setattr__(self, "_hash", hash(path))
        object.__setattr__(self, "_str", text)

    def _reject(self) -> None:
        """Raise ``InvalidKeyError`` saying what is wrong with this key's components."""
        if not self.path:
            raise InvalidKeyError("An asset key needs at least one component.")
        for part in self.path:
            if not isinstance(part, str) or not _COMPONENT.match(part):
                raise InvalidKeyError(
                    f"Invalid asset key {shown('/'.join(map(str, self.path)))}: component "
                    f"{shown(part)} must match [A-Za-z0-9_-]+ (letters, digits, '_' "
                    "and '-'). Join components with '/', e.g. 'sales/daily_orders'."
                )
            problem = component_problem(part)
            if problem is not None:
                raise InvalidKeyError(
                    f"Invalid asset key {shown('/'.join(self.path))}: component "
                    f"{shown(part)} {problem}. Use a shorter name."
                )
        length = sum(map(len, self.path)) + len(self.path) - 1
        if length > MAX_KEY_LENGTH:
            raise InvalidKeyError(
                f"Invalid asset key {shown('/'.join(self.path))}: it is {length:,} characters "
                f"long; the limit is {MAX_KEY_LENGTH} (the catalog's key column). Use fewer "
                "or shorter components."
            )

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
            key = _PARSED.get(value) if cls is AssetKey else None
            if key is None:
                key = cls(tuple(value.split("/")))
                if cls is AssetKey:
                    if len(_PARSED) >= _PARSED_MAX:  # text from the API is unbounded
                        _PARSED.clear()
                    _PARSED[value] = key
            return key
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
