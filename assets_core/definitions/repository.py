"""``Definitions``: everything a code location exposes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any

from assets_core.automation.schedules import Schedule
from assets_core.automation.sensors import SensorDefinition
from assets_core.definitions.asset import AssetsDefinition
from assets_core.errors import DefinitionError

if TYPE_CHECKING:
    from assets_core.graph.asset_graph import AssetGraph

BUILTIN_IO_MANAGERS = ("fs", "duckdb", "memory")


class Definitions:
    """The assets, checks, schedules, sensors, resources and IO managers of a code
    location. Build the validated graph with ``.graph``.

    Args:
        assets: Asset definitions (``@asset``, ``sql_asset``, ``external_asset``...).
        checks: Asset checks (``@asset_check`` or the built-ins in ``assets_core.checks``).
        schedules: ``Schedule`` objects evaluated by the daemon.
        sensors: ``@sensor`` functions evaluated by the daemon.
        resources: Objects passed to assets by name (``context.resources.NAME``).
        io_managers: Extra or replacement IO managers by name.
        default_io_manager: The IO manager of assets that name none.
    """

    def __init__(
        self,
        assets: Iterable[AssetsDefinition] = (),
        checks: Iterable[Any] = (),
        schedules: Iterable[Schedule] = (),
        sensors: Iterable[SensorDefinition] = (),
        resources: Mapping[str, Any] | None = None,
        io_managers: Mapping[str, Any] | None = None,
        default_io_manager: str = "fs",
    ) -> None:
        self.assets: tuple[AssetsDefinition, ...] = tuple(assets)
        for a in self.assets:
            if not isinstance(a, AssetsDefinition):
                raise DefinitionError(
                    f"Definitions(assets=...) holds {a!r}, which is not an asset definition; "
                    "decorate functions with @asset or use sql_asset(...) / external_asset(...)."
                )
        self.checks: tuple[Any, ...] = tuple(checks)
        self.schedules: tuple[Schedule, ...] = _of_type(
            "schedules",
            schedules,
            Schedule,
            "a Schedule",
            "Use Schedule(name, cron=..., select=...).",
        )
        self.sensors: tuple[SensorDefinition, ...] = _of_type(
            "sensors", sensors, SensorDefinition, "a sensor", "Decorate a function with @sensor."
        )
        self.resources: dict[str, Any] = dict(resources or {})
        self.io_managers: dict[str, Any] = dict(io_managers or {})
        self.default_io_manager = default_io_manager
        known = set(BUILTIN_IO_MANAGERS) | set(self.io_managers)
        if default_io_manager not in known:
            raise DefinitionError(
                f"default_io_manager={default_io_manager!r} is not an IO manager; known: "
                f"{sorted(known)}. Register it in Definitions(io_managers={{...}})."
            )

    @cached_property
    def graph(self) -> AssetGraph:
        """The validated, immutable asset graph (built once)."""
        from assets_core.graph.build import build_graph

        return build_graph(self)

    def __repr__(self) -> str:
        return f"<Definitions {len(self.assets)} assets, {len(self.checks)} checks>"


def _of_type(
    argument: str, values: Iterable[Any], kind: type, noun: str, fix: str
) -> tuple[Any, ...]:
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise DefinitionError(
            f"Definitions({argument}=...) is {values!r}, not a list. Pass a list: "
            f"Definitions({argument}=[...])."
        )
    items = tuple(values)
    for item in items:
        if not isinstance(item, kind):
            raise DefinitionError(
                f"Definitions({argument}=...) holds {item!r}, which is not {noun}. {fix}"
            )
    return items
