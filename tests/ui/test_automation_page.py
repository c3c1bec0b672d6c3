"""The automation in the browser (Playwright, headless Chromium) against a real server:
the Automation page's schedules and sensors, their toggles, the tick history with the
runs each tick launched and each skip's reason; the asset page's condition and
evaluations; queued runs with their place in the queue; the load error banner."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from assets_core.catalog.catalog import Catalog
from tests.automation.conftest import Clock, held_daemon
from tests.e2e.conftest import browser, built_ui, page  # noqa: F401 - fixtures
from tests.ui.conftest import FIXTURES, UiServer, start_server

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('catalog') / 'catalog.db'}"


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("automation_ui")
    (root / "landing").mkdir()
    shutil.copy(FIXTURES / "automation_files.py", root / "location.py")
    mp = pytest.MonkeyPatch()
    mp.setenv("AL_LANDING", str(root / "landing"))
    yield root
    mp.undo()


@pytest.fixture(scope="module")
def ui(
    built_ui: Path,  # noqa: F811 - the fixture
    workspace: Path,
    sqlite_url: str,
) -> Iterator[UiServer]:
    server = start_server(
        workspace / "home", file=workspace / "location.py", catalog_url=sqlite_url
    )
    yield server
    server.close()


def test_the_automation_page_switches_and_shows_ticks_and_their_runs(
    ui: UiServer,
    page: Any,  # noqa: F811 - the fixture
    workspace: Path,
    sqlite_url: str,
) -> None:
    from playwright.sync_api import expect

    catalog = Catalog.open(sqlite_url)
    clock = Clock(datetime.now(UTC).isoformat())
    daemon = held_daemon(ui.state.location.defs, catalog, sqlite_url, clock)
    try:
        daemon.step(everything=True)  # nothing landed: the sensor skips
        (workspace / "landing" / "2024-01-05_x.csv").write_text("x")
        clock.advance(5)
        daemon.step(everything=True)

        page.goto(f"{ui.url}/")
        page.get_by_test_id("nav-automation").click()
        expect(page.get_by_test_id("automation-page")).to_be_visible()
        yearly = page.get_by_test_id("schedule-yearly")
        expect(yearly).to_have_attribute("data-status", "RUNNING")
        expect(yearly.get_by_test_id("next-tick")).to_contain_text(
            f"{datetime.now(UTC).year + 1}-01-01"
        )
        nightly = page.get_by_test_id("schedule-nightly")
        expect(nightly).to_have_attribute("data-status", "STOPPED")
        state = page.get_by_test_id("daemon-state")
        expect(state).to_have_attribute("data-running", "true")
        expect(state).to_contain_text(f"pid {os.getpid()}")

        # Toggles write the catalog.
        page.get_by_test_id("toggle-nightly").click()
        expect(nightly).to_have_attribute("data-status", "RUNNING")
        expect(page.get_by_test_id("toggle-nightly")).to_have_attribute("aria-checked", "true")
        assert catalog.instigator_states()["nightly"].status == "RUNNING"
        page.get_by_test_id("toggle-broken").click()
        expect(page.get_by_test_id("sensor-broken")).to_have_attribute("data-status", "RUNNING")
        page.get_by_test_id("toggle-broken").click()
        expect(page.get_by_test_id("sensor-broken")).to_have_attribute("data-status", "STOPPED")
        assert catalog.instigator_states()["broken"].status == "STOPPED"

        # The tick history: the skip's reason, and the run the file's tick launched.
        rows = page.get_by_test_id("tick-row").filter(has_text="new_files")
        skipped = rows.filter(has=page.locator('[data-status="SKIPPED"]'))
        expect(skipped.first.get_by_test_id("tick-reason")).to_have_text("no new files")
        launched = rows.filter(
            has=page.locator('[data-testid="tick-status"][data-status="SUCCESS"]')
        )
        expect(launched.get_by_test_id("tick-run")).to_contain_text("2024-01-05")
        # One sensor's ticks only, through its name.
        page.get_by_test_id("sensor-new_files").get_by_test_id("instigator-link").click()
        expect(page).to_have_url(f"{ui.url}/automation?name=new_files")
        expect(page.locator('[data-testid="tick-row"]:not([data-name="new_files"])')).to_have_count(
            0
        )
        page.get_by_test_id("ticks-all").click()
        expect(
            page.locator('[data-testid="tick-row"][data-name="automation"]').first
        ).to_be_visible()
        page.get_by_test_id("hide-skipped").check()
        expect(page.get_by_test_id("tick-row").filter(has_text="no new files")).to_have_count(0)
        expect(launched).to_have_count(1)
        (run,) = catalog.runs_in_status(["QUEUED"])
        launched.get_by_test_id("tick-run").get_by_role("link").click()
        expect(page).to_have_url(f"{ui.url}/runs/{run.id}")

        # Queued (the daemon starts nothing here): its place in the queue.
        page.get_by_test_id("nav-runs").click()
        row = page.get_by_test_id(f"run-row-{run.id}")
        expect(row.get_by_test_id("queue-position")).to_have_text("#1 in queue")

        # The asset page: the condition and why it did not run.
        page.goto(f"{ui.url}/assets/daily_summary")
        panel = page.get_by_test_id("automation-panel")
        expect(panel.get_by_test_id("automation-condition")).to_have_text("eager()")
        expect(panel.get_by_test_id("evaluation-reason").first).not_to_be_empty()
        page.goto(f"{ui.url}/assets/readings")
        expect(page.get_by_test_id("asset-page")).to_be_visible()
        expect(page.get_by_test_id("automation-panel")).to_have_count(0)
    finally:
        daemon.lease.release()
        catalog.close()


def test_a_failed_reload_shows_a_banner_until_the_code_loads(
    ui: UiServer,
    page: Any,  # noqa: F811 - the fixture
    workspace: Path,
) -> None:
    from playwright.sync_api import expect

    source = workspace / "location.py"
    good = source.read_text()
    page.goto(f"{ui.url}/automation")
    expect(page.get_by_test_id("automation-page")).to_be_visible()
    expect(page.get_by_test_id("load-error")).to_have_count(0)
    expect(page.get_by_test_id("daemon-state")).to_have_attribute("data-running", "false")
    expect(page.get_by_test_id("daemon-state")).to_contain_text("No daemon is running")
    source.write_text(
        good.replace("def readings(context: Any) -> int:", "def readings(context: Any) -> int")
    )
    try:
        error = ui.gql("mutation { reload }")["errors"][0]
        assert error["extensions"]["code"] in ("DEFINITION_ERROR", "CODE_LOCATION_ERROR")
        banner = page.get_by_test_id("load-error")
        expect(banner).to_contain_text("location.py", timeout=20_000)
        expect(banner).to_contain_text("SyntaxError")
    finally:
        source.write_text(good)
    assert ui.data("mutation { reload }")["reload"] == 2
    expect(page.get_by_test_id("load-error")).to_have_count(0, timeout=20_000)
