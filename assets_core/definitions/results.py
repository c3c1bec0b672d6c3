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


@dataclass(frozen=True, slots=True)
class Observation:
    """What an ``external_asset``'s ``observe`` function saw of data produced outside
    Assetline: its data version (a checksum, an ETag, a modification time...) and
    metadata to record. A new data version makes downstream assets stale; the same
    one leaves them fresh.

    Attributes:
        data_version: Identifies the current content of the external data.
        metadata: Recorded with the observation, e.g. ``{"rows": 3, "path": ...}``.
    """

    data_version: str
    metadata: dict[str, Any] = field(default_factory=dict)
