"""The column-lineage view of the asset page (SPEC §8, §11), in headless Chromium:
pick a column, see its upstream and downstream columns across assets, DIRECT and
INDIRECT edges drawn differently, click through to another asset."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import FIXTURES, Server, Shot, start_server

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def lineage_server(built_ui: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``assetline ui -f tests/fixtures/lineage_location.py``: nothing materialized."""
    location = ["-f", str(FIXTURES / "lineage_location.py")]
    server = start_server(location, tmp_path_factory.mktemp("lineage_home"))
    yield server
    server.stop()


def test_pick_a_column_and_follow_its_lineage(
    page: Page, lineage_server: Server, shot: Shot
) -> None:
    page.goto(lineage_server.url + "/assets/daily")
    view = page.get_by_test_id("column-lineage")
    expect(view).to_be_visible()
    # The columns table tells DIRECT and INDIRECT sources apart.
    revenue_row = page.get_by_test_id("column-revenue")
    expect(revenue_row).to_contain_text("clean.amount")
    expect(revenue_row).to_contain_text("aggregation")
    expect(revenue_row).to_contain_text("group by")

    # The first column is picked: day, which only reads clean.day.
    canvas = page.get_by_test_id("column-lineage-canvas")
    expect(canvas).to_have_attribute("data-ready", "true")
    expect(page.get_by_test_id("column-node-clean.day")).to_be_visible()

    page.get_by_test_id("column-lineage-column").select_option("revenue")
    expect(canvas).to_have_attribute("data-ready", "true")
    for node in ("daily.revenue", "clean.amount", "clean.day", "orders.amount", "ranked.position"):
        expect(page.get_by_test_id(f"column-node-{node}")).to_be_visible()
    expect(page.get_by_test_id("column-card-orders")).to_be_visible()
    # DIRECT edges solid, INDIRECT dashed.
    direct = canvas.locator(".react-flow__edge.column-edge-direct")
    indirect = canvas.locator(".react-flow__edge.column-edge-indirect")
    expect(direct.first).to_be_visible()
    expect(indirect.first).to_be_visible()
    assert direct.count() >= 2 and indirect.count() >= 3
    dash = indirect.first.locator("path.react-flow__edge-path").get_attribute("style") or ""
    assert "stroke-dasharray" in dash
    solid = direct.first.locator("path.react-flow__edge-path").get_attribute("style") or ""
    assert "stroke-dasharray" not in solid
    view.scroll_into_view_if_needed()
    shot("01-revenue")

    # A row of another asset opens that asset's page.
    page.get_by_test_id("column-node-clean.amount").click()
    expect(page).to_have_url(lineage_server.url + "/assets/clean")
    expect(page.get_by_test_id("asset-title")).to_have_text("clean")
    expect(page.get_by_test_id("column-lineage-canvas")).to_have_attribute("data-ready", "true")
    shot("02-clean")
