"""Schedules and sensors as a listing shows them (the CLI, the API): each with its
status, its next tick or cursor, and its latest ticks — read in two statements
whatever their number."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from assets_core.automation.triggers import status_of

if TYPE_CHECKING:
    from assets_core.automation.schedules import Schedule
    from assets_core.automation.sensors import SensorDefinition
    from assets_core.catalog.catalog import Catalog
    from assets_core.catalog.ticks import InstigatorState, TickRecord
    from assets_core.definitions.repository import Definitions


@dataclass(frozen=True, slots=True)
class ScheduleInfo:
    """A schedule and its state.

    Attributes:
        schedule: The definition.
        status: ``RUNNING`` or ``STOPPED``.
        next_tick_at: When it fires next (epoch seconds; None when stopped). In the
            past when the daemon is behind (it catches up).
        last_ticks: Its latest ticks, newest first.
    """

    schedule: Schedule
    status: str
    next_tick_at: float | None
    last_ticks: list[TickRecord]


@dataclass(frozen=True, slots=True)
class SensorInfo:
    """A sensor and its state.

    Attributes:
        sensor: The definition.
        status: ``RUNNING`` or ``STOPPED``.
        cursor: Its stored cursor.
        last_tick_at: When it was last evaluated (epoch seconds).
        last_ticks: Its latest ticks, newest first.
    """

    sensor: SensorDefinition
    status: str
    cursor: str | None
    last_tick_at: float | None
    last_ticks: list[TickRecord]


def next_tick(
    schedule: Schedule, state: InstigatorState | None, status: str, now: float | None = None
) -> float | None:
    """When ``schedule`` fires next: after its last tick (or now, when it has none)."""
    if status != "RUNNING":
        return None
    last = state.last_tick_at if state is not None and state.last_tick_at else None
    return schedule.next_tick_after(last if last is not None else now or time.time())


def schedule_infos(
    defs: Definitions, catalog: Catalog, ticks_per_item: int = 1
) -> list[ScheduleInfo]:
    """Every schedule of ``defs`` with its status, next tick and latest ticks."""
    states = catalog.instigator_states()
    names = [s.name for s in defs.schedules]
    ticks = catalog.latest_ticks(names, ticks_per_item) if ticks_per_item else {}
    out = []
    for s in defs.schedules:
        state = states.get(s.name)
        status = status_of(s.default_status, state)
        out.append(ScheduleInfo(s, status, next_tick(s, state, status), ticks.get(s.name, [])))
    return out


def sensor_infos(defs: Definitions, catalog: Catalog, ticks_per_item: int = 1) -> list[SensorInfo]:
    """Every sensor of ``defs`` with its status, cursor and latest ticks."""
    states = catalog.instigator_states()
    names = [s.name for s in defs.sensors]
    ticks = catalog.latest_ticks(names, ticks_per_item) if ticks_per_item else {}
    out = []
    for s in defs.sensors:
        state = states.get(s.name)
        out.append(
            SensorInfo(
                s,
                status_of(s.default_status, state),
                state.cursor if state else None,
                state.last_tick_at if state else None,
                ticks.get(s.name, []),
            )
        )
    return out


def switch(
    catalog: Catalog, item: Schedule | SensorDefinition, kind: str, status: str
) -> tuple[str, str]:
    """Start (``RUNNING``) or stop (``STOPPED``) a schedule or sensor in the catalog;
    return its status before and after. A schedule started again begins at the
    current time: it does not run the ticks it missed while stopped.

    Args:
        catalog: The catalog.
        item: The schedule or sensor.
        kind: ``schedule`` or ``sensor``.
        status: ``RUNNING`` or ``STOPPED``.
    """
    before = status_of(item.default_status, catalog.instigator_states().get(item.name))
    restart = status == "RUNNING" and kind == "schedule" and before != "RUNNING"
    catalog.set_instigator_status(
        item.name, kind, status, last_tick_at=time.time() if restart else None
    )
    return before, status


__all__ = [
    "ScheduleInfo",
    "SensorInfo",
    "next_tick",
    "schedule_infos",
    "sensor_infos",
    "switch",
]
