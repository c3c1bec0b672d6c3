"""What an asset function may return besides its bare value."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class MaterializeResult:
    """An asset's value plus metadata to record and an optional data version.

    Attributes:
        value: The value stored by the IO manager (None stores nothing).
        metadata: Recorded with the materialization, e.g. ``{"rows": 3}``.
        data_version: Overrides the computed data version (downstream staleness).
    """

    value: Any = None
    metadata: dict[str, Any] = field(default_factory=dict)
    data_version: str | None = None


@dataclass(frozen=True, slots=True)
class Output:
    """One output of a ``@multi_asset`` (by output name) with optional metadata.

    Attributes:
        value: The output's value, stored by its IO manager.
        metadata: Recorded with that output's materialization.
        data_version: Overrides the computed data version of that output.
    """

    value: Any
    metadata: dict[str, Any] = field(default_factory=dict)
    data_version: str | None = None
