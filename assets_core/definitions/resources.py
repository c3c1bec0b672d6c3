"""Resources: plain objects passed to assets by name; secrets through ``EnvVar``."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields, is_dataclass, replace
from typing import Any

from assets_core.errors import ConfigError


@dataclass(frozen=True, slots=True)
class EnvVar:
    """A secret read from the environment at run time, never stored or shown.

    Attributes:
        name: The environment variable, e.g. ``"WAREHOUSE_PASSWORD"``.
    """

    name: str

    def resolve(self) -> str:
        try:
            return os.environ[self.name]
        except KeyError:
            raise ConfigError(
                f"Environment variable {self.name} is not set; a resource needs it. "
                f"Export it (export {self.name}=...) before running."
            ) from None

    def __repr__(self) -> str:
        return f"EnvVar({self.name!r})"


#: How deep ``EnvVar``s are looked for inside a resource (attributes of attributes...).
MAX_DEPTH = 6


def resolve_resource(value: Any, name: str = "") -> Any:
    """A copy of the resource ``value`` with every ``EnvVar`` in it resolved: the value
    itself, dict values, list/tuple items, dataclass fields and the attributes of any
    plain object (``__dict__`` or ``__slots__``), nested up to ``MAX_DEPTH`` levels.
    What holds no ``EnvVar`` is returned as is; what holds one is copied, never
    changed in place (the definitions keep the ``EnvVar``, not the secret).

    Args:
        value: The resource as given to ``Definitions(resources=...)``.
        name: Its name, for error messages.

    Raises:
        ConfigError: A variable is not set, or an object holding an ``EnvVar`` cannot
            be copied (the message names the resource, the attribute and the fix).
    """
    return _resolve(value, name or type(value).__name__, 0, set())


def _resolve(value: Any, path: str, depth: int, seen: set[int]) -> Any:
    if isinstance(value, EnvVar):
        return value.resolve()
    if depth >= MAX_DEPTH or id(value) in seen or not _has_envvar(value, depth, set()):
        return value
    seen = seen | {id(value)}
    if isinstance(value, dict):
        return {k: _resolve(v, f"{path}[{k!r}]", depth + 1, seen) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        items = [_resolve(v, f"{path}[{i}]", depth + 1, seen) for i, v in enumerate(value)]
        if isinstance(value, list):
            return items
        return type(value)(*items) if hasattr(value, "_fields") else type(value)(items)
    changes = {
        attr: _resolve(v, f"{path}.{attr}", depth + 1, seen)
        for attr, v in _attributes(value)
        if _has_envvar(v, depth + 1, set())
    }
    if is_dataclass(value) and not isinstance(value, type):
        init = {f.name for f in fields(value) if f.init}
        if set(changes) <= init:
            return replace(value, **changes)
    import copy

    try:
        out = copy.copy(value)
        for attr, v in changes.items():
            object.__setattr__(out, attr, v)
    except Exception as e:
        attrs = ", ".join(f"{path}.{a}" for a in changes)
        raise ConfigError(
            f"Cannot resolve the EnvVar in {attrs}: a {type(value).__name__} could not be "
            f"copied to hold the secret ({type(e).__name__}: {e}). EnvVar resolves in dicts, "
            "lists, tuples, dataclasses and plain objects that copy.copy() can copy; or read "
            "os.environ in the resource yourself."
        ) from None
    return out


def _attributes(value: Any) -> list[tuple[str, Any]]:
    """The instance attributes of a plain object: ``__dict__`` and ``__slots__``."""
    out = list(vars(value).items()) if hasattr(value, "__dict__") else []
    for cls in type(value).__mro__:
        for slot in getattr(cls, "__slots__", ()):
            skip = not isinstance(slot, str) or slot in ("__dict__", "__weakref__")
            if not skip and hasattr(value, slot):
                out.append((slot, getattr(value, slot)))
    return out


def _has_envvar(value: Any, depth: int, seen: set[int]) -> bool:
    return next(_envvars(value, depth, seen), None) is not None


def _envvars(value: Any, depth: int, seen: set[int]) -> Iterator[EnvVar]:
    """Every ``EnvVar`` inside ``value`` (up to ``MAX_DEPTH`` levels)."""
    if isinstance(value, EnvVar):
        yield value
        return
    if depth >= MAX_DEPTH or id(value) in seen or _opaque(value):
        return
    seen.add(id(value))
    if isinstance(value, dict):
        children: Iterable[Any] = value.values()
    elif isinstance(value, (list, tuple, set, frozenset)):
        children = value
    else:
        children = (v for _, v in _attributes(value))
    for child in children:
        yield from _envvars(child, depth + 1, seen)


def _opaque(value: Any) -> bool:
    """Values whose insides are not the user's settings: scalars, classes, functions,
    modules."""
    import types

    return (
        isinstance(
            value,
            (
                str,
                bytes,
                int,
                float,
                complex,
                type,
                types.ModuleType,
                types.FunctionType,
                types.BuiltinFunctionType,
                types.MethodType,
            ),
        )
        or value is None
    )


def secret_values(resources: dict[str, Any]) -> list[str]:
    """The resolved values of every ``EnvVar`` in ``resources``, for redaction."""
    found: list[str] = []
    for v in resources.values():
        for env in _envvars(v, 0, set()):
            resolved = os.environ.get(env.name)
            if resolved:
                found.append(resolved)
    return found


class Resources:
    """Attribute access to a run's resolved resources: ``context.resources.warehouse``."""

    __slots__ = ("_values",)

    def __init__(self, values: dict[str, Any]) -> None:
        object.__setattr__(self, "_values", values)

    def __getattr__(self, name: str) -> Any:
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(
                f"No resource named {name!r}; declare it in Definitions(resources={{...}}) "
                f"and in the asset's required_resources. Known: {sorted(self._values)}"
            ) from None

    def __getitem__(self, name: str) -> Any:
        return self._values[name]

    def __contains__(self, name: object) -> bool:
        return name in self._values

    def __repr__(self) -> str:
        return f"Resources({sorted(self._values)})"
