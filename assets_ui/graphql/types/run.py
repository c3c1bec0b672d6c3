"""``Run``, its steps and its events."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from typing import TYPE_CHECKING

import strawberry
from strawberry.types import Info

from assets_ui.graphql.context import UNSET, ctx, given, page_size
from assets_ui.graphql.errors import BAD_USER_INPUT, ApiError
from assets_ui.graphql.types.common import JSON, RunStatus, StepStatus, as_json, to_datetime

if TYPE_CHECKING:
    from assets_core.catalog.records import EventRecord, RunRecord, StepRecord

MAX_EVENTS = 10_000


@strawberry.type
class StepError:
    """Why a step did not succeed: its message and, for a failure in code, the
    traceback trimmed to the user's frames and the user's file and line."""

    message: str
    traceback: str | None
    location: str | None = strawberry.field(
        description="The user's file and line that raised, as `path:line`."
    )


@strawberry.type
class Step:
    """One step of a run: an asset, or one partition of it."""

    asset: str
    partition: str | None
    status: StepStatus
    attempts: int
    duration_s: float | None
    started_at: datetime | None
    ended_at: datetime | None
    run_id: strawberry.Private[str]
    message: strawberry.Private[str | None]

    @classmethod
    def of(cls, s: StepRecord) -> Step:
        """From a catalog record."""
        return cls(
            asset=s.asset_key,
            partition=s.partition,
            status=StepStatus(s.status),
            attempts=s.attempts,
            duration_s=s.duration_s,
            started_at=to_datetime(s.started_at),
            ended_at=to_datetime(s.ended_at),
            run_id=s.run_id,
            message=s.error,
        )

    @strawberry.field
    async def error(self, info: Info) -> StepError | None:
        """Why it failed (or was skipped or canceled); null when it succeeded."""
        if self.message is None:
            return None
        details = await ctx(info).loaders.step_details.load(self.run_id)
        failure = details.failures.get((self.asset, self.partition))
        if failure is None:
            return StepError(message=self.message, traceback=None, location=None)
        return StepError(
            message=self.message,
            traceback=failure.traceback or None,
            location=failure.location,
        )

    @strawberry.field
    async def logs(self, info: Info) -> str:
        """Its captured stdout and stderr (bounded by ``max_step_log_bytes``; empty
        when it printed nothing), written while it runs."""
        details = await ctx(info).loaders.step_details.load(self.run_id)
        return details.output.get((self.asset, self.partition), "")


@strawberry.type
class RunEvent:
    """One event of a run's log; ``seq`` orders a run's events."""

    seq: int
    run_id: str
    timestamp: datetime
    type: str
    asset: str | None
    partition: str | None
    level: str
    message: str

    @classmethod
    def of(cls, e: EventRecord) -> RunEvent:
        """From a catalog record."""
        ts = to_datetime(e.timestamp)
        assert ts is not None and e.id is not None
        return cls(
            seq=e.id,
            run_id=e.run_id,
            timestamp=ts,
            type=e.type,
            asset=e.asset_key,
            partition=e.partition,
            level=e.level,
            message=e.message,
        )


@strawberry.type
class Run:
    """A run: what was selected, how it went, its steps and its events."""

    id: str
    status: RunStatus
    selection: str
    partitions: list[str]
    tags: JSON
    launched_by: str | None
    executor: str | None
    started_at: datetime | None
    ended_at: datetime | None

    @classmethod
    def of(cls, r: RunRecord) -> Run:
        """From a catalog record."""
        return cls(
            id=r.id,
            status=RunStatus(r.status),
            selection=r.selection,
            partitions=list(r.partitions),
            tags=as_json(dict(r.tags)),
            launched_by=r.launched_by,
            executor=r.executor,
            started_at=to_datetime(r.started_at),
            ended_at=to_datetime(r.ended_at),
        )

    @strawberry.field
    async def queue_position(self, info: Info) -> int | None:
        """Its place in the run queue while QUEUED (1: the next to start; see
        ``[tool.assetline.run_queue]``); null once it started."""
        if self.status is not RunStatus.QUEUED:
            return None
        return await ctx(info).loaders.queue_position.load(self.id)

    @strawberry.field
    async def steps(self, info: Info) -> list[Step]:
        """Its steps, in the order they started."""
        return [Step.of(s) for s in await ctx(info).loaders.steps.load(self.id)]

    @strawberry.field
    async def events(
        self, info: Info, after: int | None = UNSET, limit: int | None = 500
    ) -> list[RunEvent]:
        """Its events in order, after the event ``seq`` ``after``."""
        after = given(after)
        n = page_size(limit, 500, MAX_EVENTS, "events(limit)")
        events = await ctx(info).loaders.events.load((self.id, after, n))
        return [RunEvent.of(e) for e in events]


@strawberry.type
class RunConnection:
    """A page of runs, newest first; pass ``nextCursor`` as ``cursor`` for the next."""

    runs: list[Run]
    next_cursor: str | None


def encode_cursor(run: RunRecord) -> str:
    """An opaque cursor after ``run``."""
    raw = json.dumps([run.created_at, run.id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[float, str]:
    """The (created_at, id) inside a cursor; BAD_USER_INPUT when it is not one."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        created_at, run_id = json.loads(raw)
        if not isinstance(created_at, (int, float)) or not isinstance(run_id, str):
            raise ValueError(cursor)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise ApiError(
            BAD_USER_INPUT, "Invalid cursor: pass the nextCursor of a previous runs page."
        ) from None
    return float(created_at), run_id
