"""Ticking schedules and sensors: which are due, and what each tick records (its runs,
its status and reason, the state it moves), as ``TickCommit``s for the daemon to commit.

A schedule seen for the first time starts at the current time (it does not fire for
past ticks). After a daemon outage it catches up on the ticks it missed, at most
``max_catchup_ticks`` of them. A tick that fails (its selection no longer fits the
definitions, its ``partition=`` function raised) is recorded FAILURE and not retried;
the next tick is evaluated as usual.

A sensor is due ``interval`` after its last evaluation. It is evaluated in a child
process (``isolation.py``); a failure or timeout fails its own tick and moves neither
its cursor nor anything else.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from assets_core.automation.isolation import ChildOutcome, call_in_children, describe_error
from assets_core.automation.schedules import (
    Schedule,
    ScheduleTarget,
    resolve_target,
    schedule_run_key,
    tick_partitions,
)
from assets_core.automation.sensors import (
    RunRequest,
    SensorContext,
    SensorDefinition,
    SensorResult,
    as_datetime,
    evaluate_sensor,
    sensor_run_key,
)
from assets_core.catalog.ticks import InstigatorState, TickCommit
from assets_core.errors import AssetlineError, DefinitionError, UsageError

if TYPE_CHECKING:
    from assets_core.catalog.catalog import Catalog
    from assets_core.catalog.records import RunRecord
    from assets_core.definitions.repository import Definitions
    from assets_core.execution.plan import PartitionRequest

SCHEDULE_TAG = "assetline/schedule"
SENSOR_TAG = "assetline/sensor"


def status_of(default_status: str, state: InstigatorState | None) -> str:
    """``RUNNING`` or ``STOPPED``: as started/stopped, else the definition's default."""
    if state is not None and state.status:
        return state.status
    return default_status.upper()


class ScheduleTicker:
    """Finds the due ticks of a code location's schedules.

    Args:
        defs: The definitions.
        location: The code location's name (part of run keys).
        max_catchup_ticks: Ticks caught up after an outage, per schedule.
    """

    def __init__(self, defs: Definitions, location: str, max_catchup_ticks: int = 10) -> None:
        self.defs = defs
        self.location = location
        self.max_catchup_ticks = max_catchup_ticks
        self.schedules: dict[str, Schedule] = {s.name: s for s in defs.schedules}
        self._targets: dict[str, ScheduleTarget | DefinitionError] = {}
        self._next: dict[str, tuple[float, float]] = {}  # name -> (last tick, next tick)

    def target(self, schedule: Schedule) -> ScheduleTarget:
        """The schedule's resolved selection (its definition error, if any, is raised
        again at each tick)."""
        found = self._targets.get(schedule.name)
        if found is None:
            try:
                found = resolve_target(schedule, self.defs.graph)
                check_config(self.defs, found, schedule)
            except DefinitionError as e:
                found = e
            self._targets[schedule.name] = found
        if isinstance(found, DefinitionError):
            raise found
        return found

    def due(
        self, states: Mapping[str, InstigatorState], now: float
    ) -> tuple[list[TickCommit], list[tuple[str, str, float]]]:
        """The ticks due at ``now``, and the schedules seen for the first time
        (name, kind, now)."""
        commits: list[TickCommit] = []
        marks: list[tuple[str, str, float]] = []
        for name, schedule in self.schedules.items():
            state = states.get(name)
            if status_of(schedule.default_status, state) != "RUNNING":
                continue
            last = state.last_tick_at if state is not None else None
            if last is None:
                marks.append((name, "schedule", now))
                continue
            cached = self._next.get(name)
            nxt = cached[1] if cached is not None and cached[0] == last else None
            if nxt is None:
                nxt = schedule.next_tick_after(last)
                self._next[name] = (last, nxt)
            if nxt > now:
                continue
            ticks = [nxt]
            following = schedule.next_tick_after(nxt)
            while following <= now:
                ticks.append(following)
                following = schedule.next_tick_after(following)
            # Committed, the last tick becomes last_tick_at: its successor is known.
            self._next[name] = (ticks[-1], following)
            missed = len(ticks) - self.max_catchup_ticks
            if missed > 0:
                ticks = ticks[missed:]
            for n, tick in enumerate(ticks):
                commit = self.evaluate(schedule, tick, now)
                if n == 0 and missed > 0:
                    note = f"{missed} earlier tick(s) were not run (the daemon was not running)"
                    commit.reason = f"{commit.reason}; {note}" if commit.reason else note
                commits.append(commit)
        return commits, marks

    def evaluate(self, schedule: Schedule, tick: float, now: float) -> TickCommit:
        """The commit of ``schedule``'s tick at ``tick``: its runs, or why it failed."""
        from assets_core.execution.request import RunSpec
        from assets_core.execution.run import run_record

        started = time.perf_counter()
        commit = TickCommit(schedule.name, "schedule", tick, "SUCCESS", last_tick_at=tick)
        try:
            target = self.target(schedule)
            requests = tick_partitions(schedule, target, tick)
        except AssetlineError as e:
            commit.status, commit.error = "FAILURE", e.message
        except Exception as e:  # a partition= function of the user
            commit.status, commit.error = "FAILURE", f"partition= raised {describe_error(e)}"
        else:
            for request in requests:
                label = _label(request) if len(requests) > 1 else None
                spec = RunSpec(
                    selection=schedule.select,
                    partitions=request,
                    config=dict(schedule.config),
                    tags={**schedule.tags, SCHEDULE_TAG: schedule.name},
                    launched_by=f"schedule:{schedule.name}",
                    run_key=schedule_run_key(self.location, schedule, tick, label),
                )
                commit.runs.append(run_record(spec, uuid.uuid4().hex, "QUEUED", now))
        commit.duration_s = time.perf_counter() - started
        return commit


def check_config(defs: Definitions, target: ScheduleTarget, schedule: Schedule) -> None:
    """Raise a definition error when the schedule's config does not fit its assets."""
    from assets_core.automation.where import definition_error, text_of
    from assets_core.execution.run import resolve_configs

    try:
        resolve_configs(defs.graph, list(target.keys), schedule.config)
    except AssetlineError as e:
        raise definition_error(
            f"Schedule {schedule.name!r} has a bad config: {text_of(e)}",
            None,
            schedule.location,
            highlight="config",
        ) from None


def _label(request: PartitionRequest) -> str:
    return ", ".join(request.describe())


@dataclass(frozen=True, slots=True)
class SensorCall:
    """A due sensor, with the state it is evaluated from."""

    sensor: SensorDefinition
    cursor: str | None
    last_tick_at: float | None


class SensorTicker:
    """Evaluates a code location's due sensors, each in a child process.

    Args:
        defs: The definitions.
        location: The code location's name (part of run keys).
        catalog_url: The catalog the children read.
    """

    def __init__(self, defs: Definitions, location: str, catalog_url: str) -> None:
        self.defs = defs
        self.location = location
        self.catalog_url = catalog_url
        self.sensors: dict[str, SensorDefinition] = {s.name: s for s in defs.sensors}

    def due(self, states: Mapping[str, InstigatorState], now: float) -> list[SensorCall]:
        """The running sensors whose interval has passed since their last evaluation."""
        out = []
        for name, s in self.sensors.items():
            state = states.get(name)
            if status_of(s.default_status, state) != "RUNNING":
                continue
            last = state.last_tick_at if state is not None else None
            if last is None or now - last >= s.interval_s:
                out.append(SensorCall(s, state.cursor if state else None, last))
        return out

    def evaluate(
        self,
        calls: Sequence[SensorCall],
        timeout_s: float,
        max_parallel: int,
        before_fork: Callable[[], None] | None = None,
        while_waiting: Callable[[], None] | None = None,
    ) -> dict[str, ChildOutcome]:
        """Evaluate ``calls`` in child processes, side by side."""
        return call_in_children(
            {c.sensor.name: self._child_call(c) for c in calls},
            timeout_s,
            max_parallel,
            before_fork,
            while_waiting,
        )

    def _child_call(self, call: SensorCall) -> Callable[[], SensorResult]:
        url, resources = self.catalog_url, self.defs.resources

        def run() -> SensorResult:
            from assets_core.catalog.catalog import Catalog

            context = SensorContext(
                call.sensor.name,
                call.cursor,
                as_datetime(call.last_tick_at),
                resources,
                Catalog.open(url),
            )
            return evaluate_sensor(call.sensor, context)

        return run

    def commit(
        self, call: SensorCall, outcome: ChildOutcome, catalog: Catalog, now: float
    ) -> TickCommit:
        """The commit of one evaluation: its runs, or why it was skipped or failed."""
        name = call.sensor.name
        commit = TickCommit(
            name,
            "sensor",
            now,
            "SUCCESS",
            cursor_before=call.cursor,
            last_tick_at=now,
            duration_s=outcome.duration_s,
        )
        if not outcome.ok:
            error = outcome.error or "failed"
            commit.status = "FAILURE"
            commit.error = (
                error
                if error.startswith(f"Sensor {name}")
                else (
                    f"Sensor {name} {error}"
                    if outcome.timed_out
                    else f"Sensor {name} failed: {error}"
                )
            )
            return commit
        result: SensorResult = outcome.value
        try:
            commit.runs = self.runs_of(call.sensor, result.requests, catalog, now)
        except AssetlineError as e:
            commit.status, commit.error = "FAILURE", e.message
            return commit
        commit.cursor_after, commit.set_cursor = result.cursor, result.cursor_updated
        if not commit.runs:
            commit.status, commit.reason = "SKIPPED", result.skip_reason
        return commit

    def runs_of(
        self,
        sensor: SensorDefinition,
        requests: Sequence[RunRequest],
        catalog: Catalog,
        now: float,
    ) -> list[RunRecord]:
        """The QUEUED runs of a sensor's requests, each validated (selection, partitions,
        config) like a run started by hand.

        Raises:
            UsageError: A request is bad; the message says which one and why.
        """
        from assets_core.execution.request import RunSpec
        from assets_core.execution.run import plan_run, run_record

        runs: list[RunRecord] = []
        for n, request in enumerate(requests, start=1):
            label = f"RunRequest #{n}" + (
                f" (run_key={request.run_key!r})" if request.run_key else ""
            )
            selection = request.select or sensor.select
            if selection is None:
                raise UsageError(
                    f"Sensor {sensor.name}: {label} names no selection and the sensor has "
                    "no select=; pass RunRequest(select=...) or @sensor(select=...)."
                )
            try:
                parts = partition_requests(self.defs, catalog, selection, request.partition_keys)
                for part in parts:
                    spec = RunSpec(
                        selection=selection,
                        partitions=part,
                        config=dict(request.config or {}),
                        tags={**(request.tags or {}), SENSOR_TAG: sensor.name},
                        launched_by=f"sensor:{sensor.name}",
                        run_key=sensor_run_key(
                            self.location,
                            sensor.name,
                            request.run_key,
                            _label(part) if len(parts) > 1 else None,
                        )
                        if request.run_key
                        else None,
                    )
                    plan_run(self.defs, catalog, spec)
                    runs.append(run_record(spec, uuid.uuid4().hex, "QUEUED", now))
            except AssetlineError as e:
                raise UsageError(f"Sensor {sensor.name}: {label}: {e.message}") from None
        return runs


def partition_requests(
    defs: Definitions, catalog: Catalog, selection: str, keys: Sequence[str]
) -> list[PartitionRequest]:
    """The runs that cover ``keys`` of ``selection``: consecutive keys (in the order of
    the selection's partitions definition) run as one range."""
    from assets_core.execution.plan import PartitionRequest
    from assets_core.graph.select import select

    if not keys:
        return [PartitionRequest()]
    unique = list(dict.fromkeys(keys))
    if len(unique) == 1:
        return [PartitionRequest(key=unique[0])]
    graph = defs.graph
    pdefs = {
        id(p): p
        for k in select(graph, selection)
        if (p := graph.get(k).spec.partitions) is not None
    }
    if len(pdefs) != 1:
        return [PartitionRequest(key=k) for k in unique]
    (pdef,) = pdefs.values()
    order = pdef.get_partition_keys(catalog)
    index = {k: i for i, k in enumerate(order)}
    if any(k not in index for k in unique):
        return [PartitionRequest(key=k) for k in unique]  # planning names the bad key
    positions = sorted(index[k] for k in unique)
    out = []
    start = prev = positions[0]
    for i in [*positions[1:], None]:
        if i is not None and i == prev + 1:
            prev = i
            continue
        out.append(
            PartitionRequest(key=order[start])
            if start == prev
            else PartitionRequest(start=order[start], end=order[prev])
        )
        if i is not None:
            start = prev = i
    return out


__all__ = [
    "SCHEDULE_TAG",
    "SENSOR_TAG",
    "ScheduleTicker",
    "SensorCall",
    "SensorTicker",
    "check_config",
    "partition_requests",
    "status_of",
]
