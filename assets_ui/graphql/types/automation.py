"""Schedules, sensors, their ticks, and an asset's automation condition with its
latest evaluations (SPEC §9)."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Any

import strawberry
from strawberry.types import Info

from assets_core.keys import AssetKey
from assets_ui.graphql.context import ctx, page_size
from assets_ui.graphql.types.common import to_datetime
from assets_ui.graphql.types.run import Run

if TYPE_CHECKING:
    from assets_core.automation.listing import ScheduleInfo, SensorInfo
    from assets_core.catalog.evaluations import EvaluationRecord
    from assets_core.catalog.ticks import TickRecord

#: ticks one ``lastTicks`` / ``ticks`` page may return
MAX_TICKS = 500
MAX_EVALUATIONS = 200


@strawberry.enum
class InstigatorStatus(Enum):
    """Whether the daemon ticks a schedule or sensor (``start``/``stop``, else its
    ``default_status``)."""

    RUNNING = "RUNNING"
    STOPPED = "STOPPED"


@strawberry.enum
class TickStatus(Enum):
    """How a tick went: it queued runs, skipped (with a reason) or failed (with an
    error)."""

    SUCCESS = "SUCCESS"
    SKIPPED = "SKIPPED"
    FAILURE = "FAILURE"


@strawberry.type
class Tick:
    """One evaluation of a schedule, a sensor or the automation conditions."""

    id: int
    name: str
    kind: str = strawberry.field(description="schedule, sensor or automation.")
    timestamp: datetime
    status: TickStatus
    reason: str | None = strawberry.field(description="Why it skipped (or a note).")
    error: str | None
    run_ids: list[str]
    cursor_before: str | None
    cursor_after: str | None
    duration_s: float | None

    @classmethod
    def of(cls, t: TickRecord) -> Tick:
        """From a catalog record."""
        ts = to_datetime(t.timestamp)
        assert ts is not None
        return cls(
            id=t.id,
            name=t.name,
            kind=t.kind,
            timestamp=ts,
            status=TickStatus(t.status),
            reason=t.reason,
            error=t.error,
            run_ids=list(t.run_ids),
            cursor_before=t.cursor_before,
            cursor_after=t.cursor_after,
            duration_s=t.duration_s,
        )

    @strawberry.field
    async def runs(self, info: Info) -> list[Run]:
        """The runs it queued (those still in the catalog)."""
        loader = ctx(info).loaders.run_by_id  # one query for every tick of the page
        found = await asyncio.gather(*(loader.load(r) for r in self.run_ids))
        return [Run.of(r) for r in found if r is not None]


@strawberry.type
class TickConnection:
    """A page of ticks, newest first; pass ``nextCursor`` as ``cursor`` for the next."""

    ticks: list[Tick]
    next_cursor: str | None


async def _last_ticks(info: Info, name: str, limit: int | None) -> list[Tick]:
    n = page_size(limit, 10, MAX_TICKS, "lastTicks(limit)")
    if n == 0:
        return []
    return [Tick.of(t) for t in await ctx(info).loaders.ticks.load((name, n))]


@strawberry.type
class Schedule:
    """A schedule of the code location and its state."""

    name: str
    cron: str
    timezone: str
    select: str
    partition: str | None = strawberry.field(
        description="previous_day, previous_hour, current, fn (a callable), or null."
    )
    status: InstigatorStatus
    next_tick_at: datetime | None = strawberry.field(
        description="When it fires next; null while stopped (in the past while the "
        "daemon catches up)."
    )

    @classmethod
    def of(cls, info: Info, found: ScheduleInfo) -> Schedule:
        """From a listing entry; the answer expires when its next tick comes."""
        s = found.schedule
        if found.next_tick_at is not None and found.next_tick_at > time.time():
            # Without a recorded tick the next one is counted from the clock: the
            # answer holds until that instant. (One in the past comes from the
            # recorded last tick, which only a catalog change moves.)
            ctx(info).validity.expires_at(found.next_tick_at)
        choice = s.partition if isinstance(s.partition, str) or s.partition is None else "fn"
        return cls(
            name=s.name,
            cron=s.cron,
            timezone=s.timezone,
            select=s.select,
            partition=choice,
            status=InstigatorStatus(found.status),
            next_tick_at=to_datetime(found.next_tick_at),
        )

    @strawberry.field
    async def last_ticks(self, info: Info, limit: int | None = 10) -> list[Tick]:
        """Its latest ticks, newest first."""
        return await _last_ticks(info, self.name, limit)


@strawberry.type
class Sensor:
    """A sensor of the code location and its state."""

    name: str
    interval_s: float
    select: str | None
    status: InstigatorStatus
    cursor: str | None
    last_tick_at: datetime | None
    next_tick_at: datetime | None = strawberry.field(
        description="Its last evaluation plus its interval (null while stopped, or "
        "before its first evaluation: the daemon evaluates it as soon as it runs)."
    )

    @classmethod
    def of(cls, found: SensorInfo) -> Sensor:
        """From a listing entry."""
        s = found.sensor
        last = found.last_tick_at
        running = found.status == "RUNNING"
        return cls(
            name=s.name,
            interval_s=s.interval_s,
            select=s.select,
            status=InstigatorStatus(found.status),
            cursor=found.cursor,
            last_tick_at=to_datetime(last),
            next_tick_at=to_datetime(last + s.interval_s if running and last else None),
        )

    @strawberry.field
    async def last_ticks(self, info: Info, limit: int | None = 10) -> list[Tick]:
        """Its latest ticks, newest first."""
        return await _last_ticks(info, self.name, limit)


@strawberry.type
class DaemonInfo:
    """The daemon of this catalog (``assetline daemon`` or ``assetline dev``): while
    none runs, schedules, sensors and conditions do not tick and queued runs wait
    (runs from the API start anyway)."""

    running: bool
    host: str | None
    pid: int | None
    since: datetime | None = strawberry.field(description="When it took the lease.")


def daemon_info(info: Info, now: float) -> DaemonInfo:
    """The daemon as its lease row says; the answer holds until the lease expires."""
    from assets_core.automation.lease import LEASE_NAME

    context = ctx(info)
    lease = context.catalog.get_lease(LEASE_NAME)
    if lease is None or not lease.is_live(now):
        return DaemonInfo(running=False, host=None, pid=None, since=None)
    # A daemon renews its lease (a commit) well before it expires; one that stopped
    # renewing is gone once it does, without any commit to say so.
    context.validity.expires_at(lease.expires_at)
    return DaemonInfo(
        running=True, host=lease.host, pid=lease.pid, since=to_datetime(lease.acquired_at)
    )


@strawberry.type
class PartitionRange:
    """Partitions ``start`` to ``end`` (in the asset's key order)."""

    start: str
    end: str


@strawberry.type
class Evaluation:
    """One decision of an automation condition: whether it requested a run and why."""

    timestamp: datetime
    requested: bool
    reason: str
    partitions: list[PartitionRange] | None = strawberry.field(
        description="The partition ranges it is about; null for an unpartitioned asset."
    )
    partition_count: int
    run_id: str | None

    @classmethod
    def of(cls, e: EvaluationRecord) -> Evaluation:
        """From a catalog record."""
        ts = to_datetime(e.timestamp)
        assert ts is not None
        ranges = None
        if e.partitions is not None:
            ranges = [PartitionRange(start=a, end=b) for a, b in e.partitions]
        return cls(
            timestamp=ts,
            requested=e.requested,
            reason=e.reason,
            partitions=ranges,
            partition_count=e.partition_count,
            run_id=e.run_id,
        )


@strawberry.type
class AssetAutomation:
    """An asset's automation condition (``automation=``) and what it decided."""

    condition: str = strawberry.field(description="The condition as code: eager() | ...")
    asset_key: strawberry.Private[AssetKey]

    @strawberry.field
    async def last_evaluations(self, info: Info, limit: int | None = 10) -> list[Evaluation]:
        """Its latest evaluations, newest first."""
        n = page_size(limit, 10, MAX_EVALUATIONS, "lastEvaluations(limit)")
        if n == 0:
            return []
        found = await ctx(info).loaders.evaluations.load((str(self.asset_key), n))
        return [Evaluation.of(e) for e in found]


def automation_of(root: Any, info: Info) -> AssetAutomation | None:
    """Its automation condition and latest evaluations (null: it has none)."""
    key: AssetKey = root.asset_key
    condition = None if root.removed else ctx(info).graph.get(key).spec.automation
    if condition is None:
        return None
    return AssetAutomation(condition=condition.describe(), asset_key=key)


def encode_tick_cursor(tick: TickRecord) -> str:
    """The cursor after ``tick`` (its id)."""
    return str(tick.id)


__all__ = [
    "AssetAutomation",
    "DaemonInfo",
    "Evaluation",
    "InstigatorStatus",
    "PartitionRange",
    "Schedule",
    "Sensor",
    "Tick",
    "TickConnection",
    "TickStatus",
    "automation_of",
    "daemon_info",
    "encode_tick_cursor",
]
