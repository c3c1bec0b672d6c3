"""Run configuration through the Python API: a ``config`` parameter annotated with a
dataclass, filled from defaults and the run's config; usage errors name the asset and
the field; nothing is recorded when the config is wrong; the config is stored."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from assets_core import asset
from assets_core.catalog.catalog import Catalog
from assets_core.errors import ConfigError, UsageError
from assets_core.execution.run import materialize


@dataclass
class Limits:
    limit: int
    label: str = "default"
    ratio: float = 0.5
    regions: list[str] = field(default_factory=lambda: ["eu"])


@asset
def configured(config: Limits) -> dict[str, object]:
    return {
        "limit": config.limit,
        "label": config.label,
        "ratio": config.ratio,
        "regions": config.regions,
    }


@asset
def unconfigured() -> int:
    return 1


def test_config_fills_the_dataclass_over_its_defaults(sqlite_catalog: Catalog) -> None:
    config = {"configured": {"limit": 7, "regions": ["eu", "us"]}}
    result = materialize([configured], config=config, catalog=sqlite_catalog)
    assert result.success
    assert result.output_for("configured") == {
        "limit": 7,
        "label": "default",
        "ratio": 0.5,
        "regions": ["eu", "us"],
    }


def test_config_is_stored_with_the_run(sqlite_catalog: Catalog) -> None:
    config = {"configured": {"limit": 3, "label": "x"}}
    result = materialize([configured], config=config, catalog=sqlite_catalog)
    assert sqlite_catalog.get_run(result.run_id).config == config


def test_an_int_is_accepted_for_a_float_field(sqlite_catalog: Catalog) -> None:
    result = materialize(
        [configured], config={"configured": {"limit": 1, "ratio": 2}}, catalog=sqlite_catalog
    )
    assert result.output_for("configured")["ratio"] == 2


@pytest.mark.parametrize(
    ("config", "words"),
    [
        pytest.param({}, ["Missing config field 'limit'", "configured"], id="missing"),
        pytest.param(
            {"configured": {"limit": 1, "limt": 2}},
            ["Unknown config field 'limt'", "configured", "limit, label, ratio, regions"],
            id="unknown-field",
        ),
        pytest.param(
            {"configured": {"limit": "7"}},
            ["Config field 'limit'", "configured", "must be int", "'7'"],
            id="mistyped-str",
        ),
        pytest.param(
            {"configured": {"limit": True}},
            ["Config field 'limit'", "configured", "must be int"],
            id="mistyped-bool",
        ),
        pytest.param(
            {"configured": {"limit": 1, "regions": ["eu", 3]}},
            ["Config field 'regions'", "configured"],
            id="mistyped-list-item",
        ),
        pytest.param(
            {"configured": {"limit": 1}, "nowhere": {}},
            ["unknown asset 'nowhere'"],
            id="unknown-asset",
        ),
        pytest.param(
            {"configured": 5},
            ["Config for asset configured must be an object"],
            id="not-an-object",
        ),
    ],
)
def test_bad_config_is_a_usage_error_and_records_nothing(
    sqlite_catalog: Catalog, config: dict[str, object], words: list[str]
) -> None:
    with pytest.raises(ConfigError) as err:
        materialize([configured, unconfigured], config=config, catalog=sqlite_catalog)
    assert isinstance(err.value, UsageError)
    assert err.value.exit_code == 2
    for word in words:
        assert word in err.value.message
    assert sqlite_catalog.list_runs() == []


def test_config_for_an_asset_without_config_is_refused(sqlite_catalog: Catalog) -> None:
    with pytest.raises(ConfigError, match="unconfigured takes no config"):
        materialize([unconfigured], config={"unconfigured": {"x": 1}}, catalog=sqlite_catalog)
    assert sqlite_catalog.list_runs() == []


def test_config_of_an_unselected_asset_is_not_required(sqlite_catalog: Catalog) -> None:
    result = materialize([configured, unconfigured], "unconfigured", catalog=sqlite_catalog)
    assert result.success
