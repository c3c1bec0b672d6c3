"""The partition picker on a multi-partitioned asset whose second dimension is dynamic
(issue 11): days x regions, the regions added at run time. The picker offers the full
keys, launches one key, a range of keys, and a day's key (every region of that day).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import FIXTURES, Server, Shot, start_server

pytestmark = pytest.mark.e2e

RUN_DONE_MS = 60_000


@pytest.fixture(scope="module")
def dynamic_server(built_ui: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``assetline ui -f tests/fixtures/multi_dynamic.py`` with regions eu and us (added
    with the CLI, into the catalog the server reads)."""
    location = ["-f", str(FIXTURES / "multi_dynamic.py")]
    home = tmp_path_factory.mktemp("dynamic_home")
    server = start_server(location, home)
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSETLINE_")}
    add = [sys.executable, "-m", "assets_core.cli.main", "partitions", "add", "regions", "eu"]
    # cwd: the home, with no pyproject.toml naming another code location.
    subprocess.run([*add, "us"], env={**env, "ASSETLINE_HOME": str(home)}, cwd=home, check=True)
    yield server
    server.stop()


def launch_and_open_run(page: Page) -> None:
    page.get_by_test_id("materialize-submit").click()
    page.get_by_test_id("toast-run-link").click()
    expect(page.get_by_test_id("run-status")).to_have_attribute(
        "data-status", "SUCCESS", timeout=RUN_DONE_MS
    )


def test_pick_days_by_dynamic_regions(page: Page, dynamic_server: Server, shot: Shot) -> None:
    url = dynamic_server.url
    # One full key, picked from the keys the server lists.
    page.goto(url + "/assets/sales")
    page.get_by_test_id("asset-materialize-button").click()
    picker = page.get_by_test_id("partition-picker")
    expect(picker).to_contain_text("region: dynamic 'regions'")
    expect(picker).to_contain_text("6 partitions")
    options = page.locator("#partition-keys option")
    expect(options).to_have_count(6)
    assert options.first.get_attribute("value") == "2024-01-01|eu"
    page.get_by_test_id("partition-mode-single").check()
    key = page.get_by_test_id("partition-key")
    expect(key).to_have_value("2024-01-03|us")  # the latest key is preselected
    key.fill("2024-01-02|eu")
    shot("01-picker")
    launch_and_open_run(page)
    expect(page.get_by_test_id("run-partitions")).to_have_text("2024-01-02|eu")
    expect(page.get_by_test_id("step-row-sales[2024-01-02|eu]")).to_be_visible()

    # A range of full keys: the picker counts the keys between them.
    page.goto(url + "/assets/sales")
    page.get_by_test_id("asset-materialize-button").click()
    page.get_by_test_id("partition-mode-range").check()
    page.get_by_test_id("partition-from").fill("2024-01-01|eu")
    page.get_by_test_id("partition-to").fill("2024-01-01|us")
    expect(page.get_by_test_id("partition-count")).to_have_text("2 partitions selected")
    launch_and_open_run(page)
    for region in ("eu", "us"):
        step = page.get_by_test_id(f"step-row-sales[2024-01-01|{region}]")
        expect(step.get_by_test_id("step-status")).to_have_attribute("data-status", "SUCCESS")

    # A day's key: every region of that day.
    page.goto(url + "/assets/sales")
    page.get_by_test_id("asset-materialize-button").click()
    page.get_by_test_id("partition-mode-single").check()
    page.get_by_test_id("partition-key").fill("2024-01-03")
    launch_and_open_run(page)
    for region in ("eu", "us"):
        expect(page.get_by_test_id(f"step-row-sales[2024-01-03|{region}]")).to_be_visible()

    # The asset page's strip counts every day x region.
    page.goto(url + "/assets/sales")
    strip = page.get_by_test_id("partition-strip")
    expect(strip).to_contain_text("5 materialized")
    expect(strip).to_contain_text("1 missing")
    shot("02-asset-partitions")
