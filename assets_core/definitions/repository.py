"""``Definitions``: everything a code location exposes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any

from assets_core.automation.schedules import Schedule
from assets_core.automation.sensors import SensorDefinition
from assets_core.checks.check import AssetCheckDefinition
from assets_core.definitions.alerts import Webhook, check_hooks
from assets_core.definitions.asset import AssetsDefinition
from assets_core.errors import DefinitionError
from assets_core.graph.build import build_graph
from assets_core.io.registry import check_io_managers, known_io_managers

if TYPE_CHECKING:
    from assets_core.graph.asset_graph import AssetGraph
    from assets_core.io.base import IOManager


class Definitions:
    """The assets, checks, schedules, sensors, resources and IO managers of a code
    location. Build the validated graph with ``.graph``.

    Args:
        assets: Asset definitions (``@asset``, ``sql_asset``, ``external_asset``...).
        checks: Asset checks (``@asset_check`` or the built-ins in ``assets_core.checks``).
        schedules: ``Schedule``s the daemon ticks.
        sensors: ``@sensor`` functions the daemon evaluates.
        resources: Objects passed to assets by name (``context.resources.NAME``).
        io_managers: Extra or replacement IO managers by name.
        default_io_manager: The IO manager of assets that name none.
        on_failure: ``webhook(...)``s alerted when any asset fails or goes OVERDUE
            (besides the asset's own ``on_failure``).

    Raises:
        DefinitionError: An argument holds something of the wrong kind, or names an
            IO manager that does not exist.
    """

    def __init__(
        self,
        assets: Iterable[AssetsDefinition] = (),
        checks: Iterable[AssetCheckDefinition] = (),
        schedules: Iterable[Schedule] = (),
        sensors: Iterable[SensorDefinition] = (),
        resources: Mapping[str, Any] | None = None,
        io_managers: Mapping[str, IOManager] | None = None,
        default_io_manager: str = "fs",
        on_failure: Iterable[Webhook] | None = None,
    ) -> None:
        self.assets: tuple[AssetsDefinition, ...] = _members("assets", assets)
        self.checks: tuple[AssetCheckDefinition, ...] = _members("checks", checks)
        self.schedules: tuple[Schedule, ...] = _members("schedules", schedules)
        self.sensors: tuple[SensorDefinition, ...] = _members("sensors", sensors)
        self.resources: dict[str, Any] = dict(resources or {})
        self.on_failure: tuple[Webhook, ...] = check_hooks(on_failure, "Definitions")
        self.io_managers: dict[str, IOManager] = dict(io_managers or {})
        check_io_managers(self.io_managers)
        self.default_io_manager = default_io_manager
        known = known_io_managers(self.io_managers)
        if default_io_manager not in known:
            raise DefinitionError(
                f"default_io_manager={default_io_manager!r} is not an IO manager; known: "
                f"{sorted(known)}.",
                "Register it in Definitions(io_managers={...}).",
                highlight="default_io_manager",
            )

    @cached_property
    def graph(self) -> AssetGraph:
        """The validated, immutable asset graph (built once)."""
        return build_graph(self)

    def __repr__(self) -> str:
        return f"<Definitions {len(self.assets)} assets, {len(self.checks)} checks>"


#: What each collection argument of ``Definitions`` holds: the type of its items (None:
#: the argument is not supported yet and must be empty), what to call one item, and how
#: to make one. The automation package adds its ``Schedule`` and ``Sensor`` types here.
_MEMBERS: dict[str, tuple[type | None, str, str]] = {
    "assets": (
        AssetsDefinition,
        "an asset definition",
        "Decorate functions with @asset or use sql_asset(...) / external_asset(...).",
    ),
    "checks": (
        AssetCheckDefinition,
        "an asset check",
        "Decorate functions with @asset_check or use a built-in check from "
        "assets_core.checks (not_null, unique, row_count, ...).",
    ),
    "schedules": (
        Schedule,
        "a Schedule",
        "Use Schedule(name, cron=..., select=...).",
    ),
    "sensors": (
        SensorDefinition,
        "a sensor",
        "Decorate a function with @sensor.",
    ),
}


def _members(argument: str, values: Iterable[Any]) -> tuple[Any, ...]:
    """The items of ``Definitions(<argument>=...)``, each checked against ``_MEMBERS``."""
    kind, noun, fix = _MEMBERS[argument]
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise DefinitionError(
            f"Definitions({argument}=...) is {values!r}, not a list.",
            f"Pass a list: Definitions({argument}=[...]).",
            highlight=f"{argument}=",
        )
    items = tuple(values)
    if kind is None and items:
        raise DefinitionError(
            f"Definitions({argument}=...) is not supported yet: {argument} are not evaluated, "
            "so these would be silently ignored.",
            fix,
            highlight=argument,
        )
    for item in items:
        if kind is not None and not isinstance(item, kind):
            raise DefinitionError(
                f"Definitions({argument}=...) holds {item!r}, which is not {noun}.",
                fix,
                highlight=argument,
            )
    return items
