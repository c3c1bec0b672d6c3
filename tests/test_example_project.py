"""The example project is the README's worked example: it must validate, show every
kind of asset, materialize end to end with its checks passing, and its blocking check
must stop bad orders from reaching the marts."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from assets_core import Definitions, DimensionMapping, TimeWindowMapping
from assets_core.execution.run import RunResult, materialize
from example_project import defs
from example_project.partitions import FIRST_DAY, LAST_DAY
from example_project.shop import ShopExport

ROOT = Path(__file__).resolve().parents[1]
DEMO_RANGE = (FIRST_DAY, LAST_DAY)


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[RunResult, Path]:
    """The whole demo materialized once, into a home of its own."""
    home = tmp_path_factory.mktemp("example_home")
    result = materialize(defs, "*", partition_range=DEMO_RANGE, home=home)
    return result, home


def test_definitions_validate_with_every_kind_of_asset() -> None:
    graph = defs.graph
    assert 15 <= len(graph) <= 25
    assert len(graph.groups) >= 3
    assert {"raw", "staging", "marts"} <= set(graph.groups)
    assert {n.kind for n in graph.nodes.values()} == {"python", "sql", "external"}
    for node in graph.nodes.values():
        spec = node.spec
        assert spec.owners, f"{node.key} has no owner"
        assert spec.description, f"{node.key} has no description"
        assert "tier" in spec.tags, f"{node.key} has no tier tag"
        if not node.is_external:
            assert spec.code_version, f"{node.key} has no code version"


def test_shows_the_features_the_readme_describes() -> None:
    graph = defs.graph
    definitions = {n.definition for n in graph.nodes.values()}
    assert any(d.is_multi for d in definitions)
    assert any(d.config_type is not None for d in definitions)
    assert any(d.retry is not None for d in definitions)
    assert any(d.required_resources for d in definitions)
    assert any(n.spec.freshness is not None for n in graph.nodes.values())
    mappings = [m for n in graph.nodes.values() for m in n.mappings.values()]
    assert TimeWindowMapping(start_offset=-6) in mappings
    assert any(isinstance(m, DimensionMapping) for m in mappings)
    kinds = {n.spec.partitions.kind for n in graph.nodes.values() if n.spec.partitions}
    assert kinds == {"daily", "multi"}
    assert any(c.blocking for c in graph.checks)
    assert graph.get("raw/marketing_spend").spec.io_manager == "landing"
    marts = [n for n in graph.nodes.values() if n.kind == "sql"]
    assert {"revenue_by_day", "customer_lifetime_value", "product_ranking"} <= {
        n.key.name for n in marts
    }


def test_validate_and_list_from_the_repository_root(cli: Callable[..., Any]) -> None:
    validate = cli("validate", cwd=ROOT)
    assert validate.returncode == 0, validate
    assert f"{len(defs.graph)} assets" in validate.stdout
    listing = cli("list", "--format", "json", cwd=ROOT)
    assert listing.returncode == 0, listing
    assert {a["key"] for a in listing.json()["assets"]} == set(defs.graph.key_strings())
    lineage = cli("lineage", "revenue_by_day", "--format", "json", cwd=ROOT)
    assert lineage.returncode == 0, lineage
    nodes = {n["key"] for n in lineage.json()["nodes"]}
    assert {"marts/revenue_by_day", "staging/stg_orders", "raw/orders"} <= nodes


def test_the_shop_export_is_deterministic() -> None:
    a, b = ShopExport(seed=7), ShopExport(seed=7)
    pd.testing.assert_frame_equal(
        a.export_orders("2024-01-05")[0], b.export_orders("2024-01-05")[0]
    )
    pd.testing.assert_frame_equal(
        a.export_web_events("2024-01-05"), b.export_web_events("2024-01-05")
    )
    assert not a.export_orders("2024-01-05")[0].equals(
        ShopExport(seed=8).export_orders("2024-01-05")[0]
    )


def test_materializes_end_to_end_with_every_check_passing(
    demo_run: tuple[RunResult, Path],
) -> None:
    result, _ = demo_run
    assert result.status == "SUCCESS", [(o.step_id, o.error) for o in result.failed_steps()]
    assert {o.status for o in result.steps.values()} == {"SUCCESS"}
    materialized = {k for o in result.steps.values() for k in o.materialized}
    expected = {str(k) for k in defs.graph.toposorted} - {"raw/marketing_spend"}
    assert materialized == expected
    # One step per unpartitioned definition, one per day for the six daily ones (the
    # multi_asset counts once), one per day and region for regional_sales.
    days = 14
    assert len(result.steps) == 10 + 6 * days + 3 * days
    checks = result.catalog.check_results_for_run(result.run_id)
    assert checks, "no check ran"
    assert [c for c in checks if not c.passed] == []
    assert {c.check_name for c in checks} >= {"no_negative_amounts", "unique_order_id"}


def test_marts_hold_sensible_numbers(demo_run: tuple[RunResult, Path]) -> None:
    result, _ = demo_run
    revenue = result.output_for("revenue_by_day").to_pandas()  # an Arrow table in DuckDB
    assert len(revenue) == 14
    assert (revenue["revenue"] > 0).all()
    rolling = result.output_for("orders_rolling_7d", LAST_DAY)
    assert int(rolling["days_in_window"].iloc[0]) == 7
    week = revenue[revenue["day"] >= date.fromisoformat(LAST_DAY) - timedelta(days=6)]
    assert float(rolling["revenue"].iloc[0]) == pytest.approx(week["revenue"].sum())
    eu = result.output_for("regional_sales", f"{LAST_DAY}|eu")
    assert set(eu["region"]) == {"eu"}
    roi = result.output_for("channel_roi")
    assert set(roi.column("channel").to_pylist()) == {"search", "social", "email"}


def test_checks_pass_from_the_cli_afterwards(
    cli: Callable[..., Any], demo_run: tuple[RunResult, Path], tmp_path: Path
) -> None:
    _, home = demo_run
    report = tmp_path / "report.xml"
    result = cli("check", "--junit", report, env={"ASSETLINE_HOME": str(home)}, cwd=ROOT)
    assert result.returncode == 0, result
    assert " 0 failed" in result.stdout
    assert report.is_file()
    status = cli("status", "--format", "json", env={"ASSETLINE_HOME": str(home)}, cwd=ROOT)
    assert status.returncode == 0, status
    states = {a["key"]: a["status"] for a in status.json()["assets"]}
    assert states["marts/revenue_by_day"] == "FRESH"


@dataclasses.dataclass(frozen=True)
class MispricedShop(ShopExport):
    """A shop export with a pricing bug: one day's lines have negative prices."""

    bad_day: str = "2024-01-03"

    def export_orders(self, day: Any) -> tuple[pd.DataFrame, pd.DataFrame]:
        orders, items = super().export_orders(day)
        if str(day) == self.bad_day:
            items = items.assign(unit_price=-items["unit_price"])
        return orders, items


def test_the_blocking_check_keeps_bad_orders_out_of_the_marts(tmp_path: Path) -> None:
    broken = Definitions(
        assets=defs.assets,
        checks=defs.checks,
        resources={"shop": MispricedShop()},
        io_managers=defs.io_managers,
    )
    result = materialize(
        broken,
        "*stg_orders*",
        partition_range=("2024-01-03", "2024-01-03"),
        home=tmp_path,
    )
    assert result.status == "FAILURE"
    outcome = result.step("stg_orders", "2024-01-03")
    assert outcome.status == "FAILED"
    assert "no_negative_amounts" in (outcome.error or "")
    for name in ["revenue_by_day", "customer_lifetime_value", "customer_segments", "channel_roi"]:
        assert result.step(name).status == "SKIPPED", name
    assert result.step("orders_rolling_7d", "2024-01-03").status == "SKIPPED"
    assert result.step("regional_sales", "2024-01-03|eu").status == "SKIPPED"
    assert result.step("stg_customers").status == "SUCCESS"
