"""Checking a code location's schedules and sensors against its assets (what
``assetline validate`` and every command that loads the definitions report): unique
names, selections that select something, partitions and config that fit."""

from __future__ import annotations

from typing import TYPE_CHECKING

from assets_core.automation.where import definition_error, text_of
from assets_core.errors import AssetlineError, DefinitionError, DefinitionErrors

if TYPE_CHECKING:
    from assets_core.automation.schedules import Schedule
    from assets_core.automation.sensors import SensorDefinition
    from assets_core.definitions.repository import Definitions


def duplicate_names(defs: Definitions) -> list[DefinitionError]:
    """A schedule or sensor name used twice (run keys and the catalog's state are per
    name)."""
    seen: dict[str, Schedule | SensorDefinition] = {}
    out = []
    items: list[Schedule | SensorDefinition] = [*defs.schedules, *defs.sensors]
    for item in items:
        other = seen.get(item.name)
        if other is not None:
            out.append(
                definition_error(
                    f"The name {item.name!r} is used by two schedules/sensors (the other one "
                    f"is at {other.location or 'an unknown place'}).",
                    "Give each schedule and sensor its own name.",
                    item.location,
                )
            )
        seen[item.name] = item
    return out


def automation_errors(defs: Definitions) -> list[DefinitionError]:
    """Every definition error of ``defs``' schedules and sensors, in order."""
    from assets_core.automation.schedules import resolve_target
    from assets_core.automation.triggers import check_config
    from assets_core.graph.select import select

    errors = duplicate_names(defs)
    graph = defs.graph
    for schedule in defs.schedules:
        try:
            target = resolve_target(schedule, graph)
            check_config(defs, target, schedule)
        except DefinitionError as e:
            errors.append(e if e.location else e.with_location(schedule.location))
    for sensor in defs.sensors:
        if sensor.select is None:
            continue
        try:
            select(graph, sensor.select)
        except AssetlineError as e:
            errors.append(
                definition_error(
                    f"Sensor {sensor.name!r} has a bad selection {sensor.select!r}: {text_of(e)}",
                    None,
                    sensor.location,
                )
            )
    return errors


def check_automation(defs: Definitions) -> None:
    """Raise the definition errors of the schedules and sensors: the one, or all of
    them (``DefinitionErrors``)."""
    errors = automation_errors(defs)
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise DefinitionErrors(errors)


__all__ = ["automation_errors", "check_automation", "duplicate_names"]
