"""The ``Subscription`` root: a run's events, live, over graphql-transport-ws."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator

import strawberry
from strawberry.types import Info

from assets_core.errors import NotFoundError
from assets_ui.graphql.context import ctx
from assets_ui.graphql.errors import NOT_FOUND, ApiError
from assets_ui.graphql.types.run import RunEvent

POLL_S = 0.05
BATCH = 1000


@strawberry.type
class Subscription:
    """Follow what happens."""

    @strawberry.subscription
    async def run_events(self, info: Info, run_id: str) -> AsyncGenerator[RunEvent, None]:
        """Every event of the run, in order — those already recorded first, then new
        ones as the run writes them (within ~0.1 s) — and completes once the run has
        ended and its last event was sent."""
        catalog = ctx(info).catalog
        try:
            run = await asyncio.to_thread(catalog.get_run, run_id)
        except NotFoundError as e:
            raise ApiError(NOT_FOUND, e.message) from None
        last: int | None = None
        while True:
            # The status first: a run records its last event before its end, so once
            # it has ended, the events read next are complete.
            finished = (await asyncio.to_thread(catalog.get_run, run.id)).is_finished
            events = await asyncio.to_thread(catalog.events, run.id, last, BATCH)
            for event in events:
                last = event.id
                yield RunEvent.of(event)
            if len(events) == BATCH:
                continue
            if finished:
                return
            await asyncio.sleep(POLL_S)
