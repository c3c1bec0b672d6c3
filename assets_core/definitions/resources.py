"""Resources: plain objects passed to assets by name; secrets through ``EnvVar``."""

from __future__ import annotations

import os
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


def resolve_resource(value: Any) -> Any:
    """Replace ``EnvVar``s in a resource (itself, dataclass fields, dict values)."""
    if isinstance(value, EnvVar):
        return value.resolve()
    if is_dataclass(value) and not isinstance(value, type):
        changes = {
            f.name: resolve_resource(getattr(value, f.name))
            for f in fields(value)
            if isinstance(getattr(value, f.name), EnvVar)
        }
        return replace(value, **changes) if changes else value
    if isinstance(value, dict):
        return {k: resolve_resource(v) for k, v in value.items()}
    return value


def secret_values(resources: dict[str, Any]) -> list[str]:
    """The resolved values of every ``EnvVar`` in ``resources``, for redaction."""
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, EnvVar):
            resolved = os.environ.get(value.name)
            if resolved:
                found.append(resolved)
        elif is_dataclass(value) and not isinstance(value, type):
            for f in fields(value):
                walk(getattr(value, f.name))
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)

    for v in resources.values():
        walk(v)
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
