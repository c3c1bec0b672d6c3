"""Request-scoped loaders: every catalog read of a request goes through one of these
``DataLoader``s, which collect the keys asked for in the same tick and read them in
one batch — so a query over 200 assets issues as many SQL statements as one over 2.

Reads run in a worker thread, so a slow catalog does not stall the event loop (and
the websockets it serves).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from itertools import groupby
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader

from assets_core.catalog.catalog import Catalog
from assets_core.catalog.evaluations import EvaluationRecord
from assets_core.catalog.records import (
    CheckResultRecord,
    EventRecord,
    MaterializationRecord,
    PartitionRow,
    RunRecord,
    StepRecord,
)
from assets_core.catalog.status import AssetStatusInfo
from assets_core.catalog.ticks import TickRecord
from assets_core.errors import NotFoundError
from assets_core.execution.run_logs import (
    STEP_FAILURE,
    STEP_OUTPUT,
    StepFailure,
    StepId,
    step_failures,
    step_output,
)
from assets_core.keys import AssetKey
from assets_ui.graphql.cache import Validity
from assets_ui.location import LoadedLocation

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

#: (asset key, partition or None)
LatestKey = tuple[str, str | None]
#: (asset key, limit, before id, partition)
HistoryKey = tuple[str, int, int | None, str | None]
#: (asset key, check name)
CheckKey = tuple[str, str]
#: (run id, after event id, limit)
EventsKey = tuple[str, int | None, int]
#: (schedule or sensor name, how many) / (asset key, how many)
LatestOfKey = tuple[str, int]


@dataclass(frozen=True, slots=True)
class StepDetails:
    """What a run's log says of each step: failures and captured output."""

    failures: dict[StepId, StepFailure]
    output: dict[StepId, str]


def _grouped(keys: Sequence[K], by: Callable[[K], Any]) -> list[tuple[Any, list[K]]]:
    ordered = sorted(keys, key=lambda k: repr(by(k)))
    return [(g, list(ks)) for g, ks in groupby(ordered, key=by)]


class SharedLoader(DataLoader[K, V]):
    """A ``DataLoader`` whose results survive the cancellation of one of their readers.

    When a field raises, graphql-core cancels its sibling fields; cancelling a task
    cancels the future it awaits, and a loader hands the same future to every field
    that asks for the same key. Without the shield, a field elsewhere in the response
    then gets ``CancelledError`` and the request fails with HTTP 500.
    """

    def load(self, key: K) -> Awaitable[V]:
        return asyncio.shield(super().load(key))


def expire_with_statuses(
    validity: Validity,
    statuses: Iterable[AssetStatusInfo],
    location: LoadedLocation,
) -> None:
    """An answer built from ``statuses`` is right until they are as old as the
    status cache lets them be — if any of them depends on the clock: an asset with a
    freshness policy (its lag, OVERDUE) or with time partitions (their count). Other
    statuses change only with the catalog."""
    timed = location.clock_dependent
    oldest = min((s.computed_at for s in statuses if s.key in timed), default=None)
    if oldest is not None:
        validity.expires_at(oldest + location.statuses.max_age_s)


class Loaders:
    """The loaders of one request.

    Args:
        location: The definitions the request sees.
        catalog: The catalog to read.
        cache: Remember what was read (per operation); a websocket connection, whose
            operations share one context, only batches.
        validity: Told how long what the loaders read stays right (see
            ``assets_ui.graphql.cache``).
    """

    def __init__(
        self,
        location: LoadedLocation,
        catalog: Catalog,
        cache: bool = True,
        validity: Validity | None = None,
    ) -> None:
        self.location = location
        self.catalog = catalog
        self._cache = cache
        self.validity = validity or Validity()
        self.status: DataLoader[AssetKey, AssetStatusInfo] = self._loader(self.read_statuses)
        self.latest: DataLoader[LatestKey, MaterializationRecord | None] = self._loader(
            self.read_latest
        )
        self.history: DataLoader[HistoryKey, list[MaterializationRecord]] = self._loader(
            self._history
        )
        self.provenance: DataLoader[int, list[MaterializationRecord]] = self._loader(
            self._provenance
        )
        self.last_check: DataLoader[CheckKey, CheckResultRecord | None] = self._loader(
            self._last_check
        )
        self.check_history: DataLoader[tuple[str, str, int], list[CheckResultRecord]] = (
            self._loader(self._check_history)
        )
        self.partition_rows: DataLoader[str, list[PartitionRow]] = self._loader(
            self._partition_rows
        )
        self.dynamic_keys: DataLoader[str, list[str]] = self._loader(self._dynamic_keys)
        self.steps: DataLoader[str, list[StepRecord]] = self._loader(self._steps)
        self.run: DataLoader[str, RunRecord | None] = self._loader(self._run)
        self.events: DataLoader[EventsKey, list[EventRecord]] = self._loader(self._events)
        self.step_details: DataLoader[str, StepDetails] = self._loader(self._step_details)
        self.ticks: DataLoader[LatestOfKey, list[TickRecord]] = self._loader(self._ticks)
        self.evaluations: DataLoader[LatestOfKey, list[EvaluationRecord]] = self._loader(
            self._evaluations
        )
        self.queue_position: DataLoader[str, int | None] = self._loader(self._queue_positions)
        self.run_by_id: DataLoader[str, RunRecord | None] = self._loader(self._runs_by_id)

    def _loader(self, load: Callable[[list[K]], Awaitable[list[V]]]) -> DataLoader[K, V]:
        return SharedLoader(load, cache=self._cache)

    async def read_statuses(self, keys: list[AssetKey]) -> list[AssetStatusInfo]:
        """Statuses of ``keys``, read now in bulk (what the ``status`` loader batches)."""
        cache = self.location.statuses
        found = await asyncio.to_thread(cache.statuses, self.catalog, keys)
        out = [found[k] for k in keys]
        expire_with_statuses(self.validity, out, self.location)
        return out

    async def read_latest(self, keys: list[LatestKey]) -> list[MaterializationRecord | None]:
        """Latest materializations of (asset, partition) pairs, read now in bulk."""

        def read() -> dict[LatestKey, MaterializationRecord]:
            out: dict[LatestKey, MaterializationRecord] = {}
            for partition, group in _grouped(keys, lambda k: k[1]):
                found = self.catalog.latest_materializations([k for k, _ in group], partition)
                out.update(((k, partition), m) for k, m in found.items())
            return out

        found = await asyncio.to_thread(read)
        return [found.get(k) for k in keys]

    async def _history(self, keys: list[HistoryKey]) -> list[list[MaterializationRecord]]:
        def read() -> dict[HistoryKey, list[MaterializationRecord]]:
            out: dict[HistoryKey, list[MaterializationRecord]] = {}
            for (limit, before, partition), group in _grouped(keys, lambda k: k[1:]):
                found = self.catalog.materialization_histories(
                    [k[0] for k in group], limit, before, partition
                )
                out.update(((a, limit, before, partition), ms) for a, ms in found.items())
            return out

        found = await asyncio.to_thread(read)
        return [found.get(k, []) for k in keys]

    async def _provenance(self, ids: list[int]) -> list[list[MaterializationRecord]]:
        def read() -> list[list[MaterializationRecord]]:
            ups = self.catalog.upstream_ids(ids)
            mats = self.catalog.materializations_by_id(u for us in ups.values() for u in us)
            return [[mats[u] for u in ups.get(i, []) if u in mats] for i in ids]

        return await asyncio.to_thread(read)

    async def _last_check(self, keys: list[CheckKey]) -> list[CheckResultRecord | None]:
        assets = sorted({a for a, _ in keys})
        found = await asyncio.to_thread(self.catalog.latest_check_results, assets)
        return [found.get(k) for k in keys]

    async def _check_history(
        self, keys: list[tuple[str, str, int]]
    ) -> list[list[CheckResultRecord]]:
        def read() -> dict[tuple[str, str, int], list[CheckResultRecord]]:
            out: dict[tuple[str, str, int], list[CheckResultRecord]] = {}
            for limit, group in _grouped(keys, lambda k: k[2]):
                found = self.catalog.check_histories([(a, c) for a, c, _ in group], limit)
                out.update(((a, c, limit), rs) for (a, c), rs in found.items())
            return out

        found = await asyncio.to_thread(read)
        return [found.get(k, []) for k in keys]

    async def _partition_rows(self, keys: list[str]) -> list[list[PartitionRow]]:
        rows = await asyncio.to_thread(self.catalog.partition_rows, keys, None, True)
        by_asset: dict[str, list[PartitionRow]] = {k: [] for k in keys}
        for r in rows:
            by_asset.setdefault(r.asset_key, []).append(r)
        return [by_asset[k] for k in keys]

    async def _dynamic_keys(self, names: list[str]) -> list[list[str]]:
        def read() -> list[list[str]]:
            return [self.catalog.dynamic_partitions(n) for n in names]

        return await asyncio.to_thread(read)

    async def _steps(self, run_ids: list[str]) -> list[list[StepRecord]]:
        found = await asyncio.to_thread(self.catalog.steps_for_runs, run_ids)
        return [
            sorted(found.get(r, []), key=lambda s: (s.started_at or 0.0, s.asset_key))
            for r in run_ids
        ]

    async def _events(self, keys: list[EventsKey]) -> list[list[EventRecord]]:
        def read() -> dict[EventsKey, list[EventRecord]]:
            out: dict[EventsKey, list[EventRecord]] = {}
            for (after, limit), group in _grouped(keys, lambda k: k[1:]):
                found = self.catalog.events_for_runs([k[0] for k in group], after, limit)
                out.update(((r, after, limit), es) for r, es in found.items())
            return out

        found = await asyncio.to_thread(read)
        return [found.get(k, []) for k in keys]

    async def _step_details(self, run_ids: list[str]) -> list[StepDetails]:
        found = await asyncio.to_thread(
            self.catalog.events_of_types_for_runs, run_ids, (STEP_FAILURE, STEP_OUTPUT)
        )
        out = []
        for r in run_ids:
            events = found.get(r, [])
            out.append(StepDetails(step_failures(events), step_output(events)))
        return out

    async def _run(self, run_ids: list[str]) -> list[RunRecord | None]:
        def read() -> list[RunRecord | None]:
            out: list[RunRecord | None] = []
            for r in run_ids:
                try:
                    out.append(self.catalog.get_run(r))
                except NotFoundError:
                    out.append(None)
            return out

        return await asyncio.to_thread(read)

    async def _ticks(self, keys: list[LatestOfKey]) -> list[list[TickRecord]]:
        def read() -> dict[LatestOfKey, list[TickRecord]]:
            out: dict[LatestOfKey, list[TickRecord]] = {}
            for n, group in _grouped(keys, lambda k: k[1]):
                found = self.catalog.latest_ticks([name for name, _ in group], n)
                out.update(((name, n), ts) for name, ts in found.items())
            return out

        found = await asyncio.to_thread(read)
        return [found.get(k, []) for k in keys]

    async def _evaluations(self, keys: list[LatestOfKey]) -> list[list[EvaluationRecord]]:
        def read() -> dict[LatestOfKey, list[EvaluationRecord]]:
            out: dict[LatestOfKey, list[EvaluationRecord]] = {}
            for n, group in _grouped(keys, lambda k: k[1]):
                found = self.catalog.latest_evaluations([a for a, _ in group], n)
                out.update(((a, n), es) for a, es in found.items())
            return out

        found = await asyncio.to_thread(read)
        return [found.get(k, []) for k in keys]

    async def _queue_positions(self, run_ids: list[str]) -> list[int | None]:
        from assets_core.automation.run_queue import queue_positions

        def read() -> dict[str, int]:
            return queue_positions(self.catalog.runs_in_status(["QUEUED"]))

        found = await asyncio.to_thread(read)
        return [found.get(r) for r in run_ids]

    async def _runs_by_id(self, run_ids: list[str]) -> list[RunRecord | None]:
        found = await asyncio.to_thread(self.catalog.runs_by_id, run_ids)
        return [found.get(r) for r in run_ids]
