"""Enums, scalars and small value types shared by the schema."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import Enum
from typing import Any, cast

import strawberry
from strawberry.scalars import JSON

__all__ = [
    "JSON",
    "STATUS",
    "AssetStatus",
    "Column",
    "ColumnLineage",
    "ColumnRef",
    "ColumnSource",
    "Freshness",
    "RunStatus",
    "StepStatus",
    "as_json",
    "to_datetime",
]


@strawberry.enum
class RunStatus(Enum):
    """Where a run is in its lifecycle."""

    QUEUED = "QUEUED"
    STARTED = "STARTED"
    SUCCESS = "SUCCESS"
    FAILURE = "FAILURE"
    CANCELING = "CANCELING"
    CANCELED = "CANCELED"


@strawberry.enum
class StepStatus(Enum):
    """How one step (an asset, or one partition of it) of a run went."""

    SUCCESS = "SUCCESS"
    FAILED = "FAILED"
    SKIPPED = "SKIPPED"
    CANCELED = "CANCELED"
    STARTED = "STARTED"
    WAITING = "WAITING"


@strawberry.enum
class AssetStatus(Enum):
    """An asset's status computed from the catalog (SPEC §4)."""

    MISSING = "MISSING"
    FRESH = "FRESH"
    STALE = "STALE"
    FAILED = "FAILED"
    OVERDUE = "OVERDUE"
    CHECK_FAILED = "CHECK_FAILED"


#: status string -> enum member (``AssetStatus(value)`` is slow in a hot loop)
STATUS = {s.value: s for s in AssetStatus}


@strawberry.type
class Freshness:
    """The asset's freshness policy and how it stands."""

    max_lag_s: float
    lag_s: float | None
    overdue: bool


@strawberry.type
class Column:
    """A column of an asset: declared with ``columns=`` or recorded from its data."""

    name: str
    type: str | None


@strawberry.type
class ColumnRef:
    """One column of one asset."""

    asset: str
    column: str


@strawberry.type
class ColumnSource:
    """A source of a column (OpenLineage's model): ``type`` DIRECT (``subtype``
    IDENTITY, TRANSFORMATION or AGGREGATION: its value flows in) or INDIRECT (FILTER,
    JOIN, GROUP_BY, SORT, WINDOW or CONDITIONAL: it decides which rows or how)."""

    asset: str
    column: str
    type: str
    subtype: str


@strawberry.type
class ColumnLineage:
    """Where a column comes from: ``sources`` are its DIRECT sources, ``indirect``
    the INDIRECT ones."""

    column: str
    sources: list[ColumnSource]
    indirect: list[ColumnSource]


def as_json(value: Any) -> JSON:
    """``value`` (JSON-able) as the ``JSON`` scalar."""
    return cast(JSON, value)


def to_datetime(ts: float | None) -> datetime | None:
    """Catalog epoch seconds as an aware UTC datetime (serialized ISO 8601)."""
    return None if ts is None else datetime.fromtimestamp(ts, tz=UTC)
