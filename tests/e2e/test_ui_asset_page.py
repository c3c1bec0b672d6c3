"""The asset page and the run log for a newcomer (issue 16): the description above the
status, a row-count plot with readable axes, and a run log that opens at the top and
follows new lines only when scrolled to the bottom."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import FIXTURES, Server, Shot, start_server

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def books(built_ui: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    location = ["-f", str(FIXTURES / "asset_page_location.py")]
    server = start_server(location, tmp_path_factory.mktemp("books_home"))
    yield server
    server.stop()


def materialize(server: Server, selection: str, config: dict[str, Any] | None = None) -> str:
    mutation = "mutation($s: String!, $c: JSON) { materialize(selection: $s, config: $c) { id } }"
    run_id: str = server.gql(mutation, s=selection, c=config)["materialize"]["id"]
    return run_id


def box(locator: Any) -> dict[str, float]:
    found = locator.bounding_box()
    assert found is not None
    return dict(found)


def test_description_above_status_and_row_count_axes(page: Page, books: Server, shot: Shot) -> None:
    for _ in range(3):  # the same 500 rows each time: a constant series
        assert books.wait_run(materialize(books, "books/ledger"))["status"] == "SUCCESS"
    page.goto(books.url + "/assets/books/ledger")
    description = page.get_by_test_id("asset-description")
    expect(description).to_have_text(
        "The general ledger, one row per posting. Balanced every night."
    )
    # Above the status, and not inside the Status card.
    status = page.get_by_test_id("asset-status")
    assert box(description)["y"] + box(description)["height"] <= box(status)["y"]
    status_card = page.locator("section.card", has=page.get_by_role("heading", name="Status"))
    expect(status_card.get_by_test_id("asset-description")).to_have_count(0)

    # The constant series reads as its value: a tick labelled 500, the line on it.
    chart = page.get_by_test_id("row-count-chart")
    expect(chart).to_be_visible()
    y_labels = chart.get_by_test_id("chart-y-tick").all_text_contents()
    assert [label.strip() for label in y_labels] == ["0", "500"], y_labels
    tick_y = float(
        chart.get_by_test_id("chart-y-tick").nth(1).locator("line").get_attribute("y1") or "nan"
    )
    dots = chart.locator("circle")
    expect(dots).to_have_count(3)
    for i in range(3):
        assert abs(float(dots.nth(i).get_attribute("cy") or "nan") - tick_y) < 0.01
    # Time ticks: distinct, clock times (the runs were seconds apart), left to right.
    x_ticks = chart.get_by_test_id("chart-x-tick")
    labels = [t.strip() for t in x_ticks.all_text_contents()]
    assert labels and len(set(labels)) == len(labels), labels
    assert all(re.search(r"\d\d:\d\d(:\d\d)?$", label) for label in labels), labels
    xs = [
        float(x_ticks.nth(i).locator("text").get_attribute("x") or "nan")
        for i in range(len(labels))
    ]
    assert xs == sorted(xs)
    shot("01-asset-page")


def scroll_state(page: Page) -> dict[str, float]:
    state: dict[str, float] = page.get_by_test_id("run-log").evaluate(
        "el => ({top: el.scrollTop, height: el.scrollHeight, client: el.clientHeight})"
    )
    return state


def test_run_log_opens_at_the_top_and_follows_only_at_the_bottom(
    page: Page, books: Server, shot: Shot
) -> None:
    # A finished run with a long log: it opens at the top, RUN_START in view.
    done = materialize(books, "books/chatty")
    assert books.wait_run(done)["status"] == "SUCCESS"
    page.goto(f"{books.url}/runs/{done}")
    log = page.get_by_test_id("run-log")
    expect(log.get_by_test_id("log-line").last).to_have_attribute("data-type", "RUN_SUCCESS")
    state = scroll_state(page)
    assert state["height"] > state["client"] * 2, state  # long enough to scroll
    assert state["top"] == 0
    expect(log.get_by_test_id("log-line").first).to_have_attribute("data-type", "RUN_START")
    expect(log.get_by_test_id("log-line").first).to_be_in_viewport()
    shot("01-finished-log")

    # A live run: new lines do not move a reader who is not at the bottom...
    live = materialize(
        books, "books/chatty", {"books/chatty": {"lines": 60, "slow_lines": 150, "interval": 0.1}}
    )
    page.goto(f"{books.url}/runs/{live}")
    expect(log).to_contain_text("slow line 3")
    expect(page.get_by_test_id("log-follow")).to_be_visible()
    before = log.get_by_test_id("log-line").count()
    expect(log.get_by_test_id("log-line")).not_to_have_count(before, timeout=10_000)
    assert scroll_state(page)["top"] == 0
    expect(log.get_by_test_id("log-line").first).to_be_in_viewport()

    # ... and follow one who scrolled to the end.
    log.evaluate("el => { el.scrollTop = el.scrollHeight; }")
    expect(page.get_by_test_id("log-follow")).to_have_count(0)
    grown = log.get_by_test_id("log-line").count()
    expect(log.get_by_test_id("log-line")).not_to_have_count(grown, timeout=10_000)
    page.wait_for_timeout(100)
    state = scroll_state(page)
    assert state["height"] - state["top"] - state["client"] <= 24, state
    shot("02-following")

    # Scrolled up again: it stays where the reader is.
    log.evaluate("el => { el.scrollTop = 50; }")
    page.wait_for_timeout(100)
    count = log.get_by_test_id("log-line").count()
    expect(log.get_by_test_id("log-line")).not_to_have_count(count, timeout=10_000)
    assert scroll_state(page)["top"] == 50
    assert books.wait_run(live)["status"] == "SUCCESS"
