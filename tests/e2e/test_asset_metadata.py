"""The asset page's metadata section (issue 16): static ``metadata=``, the SQL of a SQL
asset, and the preview rows of the latest materialization, in headless Chromium."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import Server, Shot

pytestmark = pytest.mark.e2e


def test_the_asset_page_shows_metadata_sql_and_the_preview(
    page: Page, example_server: Server, shot: Shot
) -> None:
    run = example_server.gql(
        "mutation($s: String!) { materialize(selection: $s) { id } }", s="*staging/stg_products"
    )["materialize"]
    assert example_server.wait_run(run["id"])["status"] == "SUCCESS"

    page.goto(example_server.url + "/assets/staging/stg_products")
    preview = page.get_by_test_id("asset-metadata-preview")
    expect(preview.locator("th").first).to_have_text("product_id")
    expect(preview.locator("tbody tr")).to_have_count(5)
    expect(page.get_by_test_id("asset-metadata-sql")).to_have_count(0)
    shot("01-preview")

    page.goto(example_server.url + "/assets/staging/stg_orders")
    expect(page.get_by_test_id("asset-metadata-static")).to_contain_text("partition_column")
    expect(page.get_by_test_id("asset-metadata-static")).to_contain_text("order_date")

    page.goto(example_server.url + "/assets/marts/revenue_by_day")
    sql = page.get_by_test_id("asset-metadata-sql")
    expect(sql).to_contain_text("SELECT order_date AS day")
    expect(sql).to_contain_text("FROM staging.stg_orders")
    shot("02-sql")
