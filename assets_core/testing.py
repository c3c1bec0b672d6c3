"""Helpers and pytest fixtures to test assets without touching real storage.

``materialize_in_memory`` runs assets with every IO manager replaced by one in-memory
store and a throwaway catalog. ``run_asset`` calls one asset with given inputs and
runs its checks. As a pytest plugin (``pytest_plugins = ["assets_core.testing"]``) it
provides the ``assetline_home`` and ``catalog`` fixtures.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assets_core.checks.check import AssetCheckDefinition
from assets_core.checks.runner import CheckContext, CheckEvaluation, run_check
from assets_core.definitions.asset import AssetsDefinition
from assets_core.definitions.repository import Definitions
from assets_core.execution.run import RunResult, as_definitions, materialize
from assets_core.io.memory import MemoryIOManager

if TYPE_CHECKING:
    from assets_core.catalog.catalog import Catalog
    from assets_core.keys import AssetKey


def materialize_in_memory(
    defs_or_assets: Definitions | Iterable[AssetsDefinition | AssetCheckDefinition],
    selection: str = "*",
    partition: str | None = None,
    *,
    partition_range: tuple[str, str] | None = None,
    config: Mapping[str, Any] | None = None,
    resources: Mapping[str, Any] | None = None,
    raise_on_error: bool = False,
) -> RunResult:
    """Materialize with in-memory IO (every IO manager, built-in or custom, is replaced)
    and a throwaway SQLite catalog. ``result.output_for(key)`` reads the values.

    Args:
        defs_or_assets: A ``Definitions`` or a list of assets (and checks).
        selection: A selection expression (SPEC §2).
        partition: The partition to materialize, for partitioned assets.
        partition_range: ``(start, end)``, both inclusive, instead of ``partition``.
        config: Run config, ``{"asset_key": {"field": value}}``.
        resources: Resources added to (or replacing) the definitions', by name.
        raise_on_error: Raise ``ExecutionError`` when the run does not succeed.

    Example::

        result = materialize_in_memory([raw_orders, daily_orders])
        assert result.success
        assert len(result.output_for("daily_orders")) == 3
    """
    defs = as_definitions(defs_or_assets)
    if resources:
        defs = Definitions(
            assets=defs.assets,
            checks=defs.checks,
            schedules=defs.schedules,
            sensors=defs.sensors,
            resources={**defs.resources, **resources},
            io_managers=defs.io_managers,
            default_io_manager=defs.default_io_manager,
        )
    memory = MemoryIOManager()
    names = {"fs", "duckdb", "memory", *defs.io_managers}
    home = Path(tempfile.mkdtemp(prefix="assetline-test-"))
    try:
        from assets_core.catalog.catalog import Catalog

        catalog = Catalog.open(f"sqlite:///{home / 'catalog.db'}")
        return materialize(
            defs,
            selection,
            partition,
            partition_range=partition_range,
            config=config,
            catalog=catalog,
            home=home,
            io_managers={n: memory for n in names},
            raise_on_error=raise_on_error,
        )
    finally:
        shutil.rmtree(home, ignore_errors=True)


@dataclass(frozen=True, slots=True)
class AssetRun:
    """The value an asset returned for given inputs, and its checks' evaluations.

    Attributes:
        value: What the asset's function returned.
        checks: One evaluation per check given to ``run_asset``.
    """

    value: Any
    checks: list[CheckEvaluation]

    @property
    def checks_passed(self) -> bool:
        return all(c.passed for c in self.checks)


def run_asset(
    asset: AssetsDefinition,
    checks: Iterable[AssetCheckDefinition] = (),
    context: Any = None,
    **inputs: Any,
) -> AssetRun:
    """Call ``asset``'s function with ``inputs`` (and ``context`` if it takes one), then
    run those of ``checks`` that check ``asset`` on the value: passing every check of a
    code location (``defs.checks``) runs only ``asset``'s.

    Args:
        asset: A Python asset (``@asset`` or ``@multi_asset``).
        checks: Checks; those of other assets are left out.
        context: Passed as the first argument when the function takes ``context``.
        inputs: The function's data parameters by name.
    """
    d = asset
    args = (context,) if d.takes_context else ()
    value = d(*args, **inputs)
    evaluations = [
        run_check(c, value, CheckContext(asset_key=d.key)) for c in checks if _checks(c, d.keys)
    ]
    return AssetRun(value, evaluations)


def _checks(check: AssetCheckDefinition, keys: tuple[AssetKey, ...]) -> bool:
    """Whether ``check`` is on one of ``keys``; a check's one-component ``asset=`` is a
    name, resolved like an input (``asset="orders"`` checks ``marts/orders``)."""
    target = check.asset_key
    if target in keys:
        return True
    return len(target.path) == 1 and any(k.name == target.name for k in keys)


try:  # pytest fixtures, when pytest is installed
    import pytest

    @pytest.fixture
    def assetline_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
        """A temporary ``ASSETLINE_HOME`` (storage and SQLite catalog)."""
        home = tmp_path / "assetline-home"
        home.mkdir()
        monkeypatch.setenv("ASSETLINE_HOME", str(home))
        monkeypatch.delenv("ASSETLINE_CATALOG_URL", raising=False)
        return home

    @pytest.fixture
    def catalog(assetline_home: Path) -> Iterator[Catalog]:
        """An open catalog in the temporary home."""
        from assets_core.catalog.catalog import Catalog

        cat = Catalog.open(home=assetline_home)
        yield cat
        cat.close()
except ImportError:  # pragma: no cover
    pass
