"""What an asset function may return besides its bare value."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class MaterializeResult:
    """An asset's value plus metadata to record and an optional data version."""

    value: Any = None
    metadata: dict[str, Any] = field(default_factory=dict)
    data_version: str | None = None


@dataclass(frozen=True, slots=True)
class Output:
    """One output of a ``@multi_asset`` (by output name) with optional metadata."""

    value: Any
    metadata: dict[str, Any] = field(default_factory=dict)
    data_version: str | None = None
