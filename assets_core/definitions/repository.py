"""``Definitions``: everything a code location exposes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any

from assets_core.definitions.asset import AssetsDefinition
from assets_core.errors import DefinitionError

if TYPE_CHECKING:
    from assets_core.checks.check import AssetCheckDefinition
    from assets_core.graph.asset_graph import AssetGraph
    from assets_core.io.base import IOManager

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
        checks: Iterable[AssetCheckDefinition] = (),
        schedules: Iterable[Any] = (),
        sensors: Iterable[Any] = (),
        resources: Mapping[str, Any] | None = None,
        io_managers: Mapping[str, IOManager] | None = None,
        default_io_manager: str = "fs",
    ) -> None:
        self.assets: tuple[AssetsDefinition, ...] = tuple(assets)
        for a in self.assets:
            if not isinstance(a, AssetsDefinition):
                raise DefinitionError(
                    f"Definitions(assets=...) holds {a!r}, which is not an asset definition; "
                    "decorate functions with @asset or use sql_asset(...) / external_asset(...)."
                )
        self.checks: tuple[AssetCheckDefinition, ...] = tuple(checks)
        self.schedules: tuple[Any, ...] = tuple(schedules)
        self.sensors: tuple[Any, ...] = tuple(sensors)
        self.resources: dict[str, Any] = dict(resources or {})
        self.io_managers: dict[str, IOManager] = dict(io_managers or {})
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
