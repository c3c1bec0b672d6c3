"""The lineage UI end to end (issue "Lineage web UI", SPEC §8): a real ``assetline ui``
with the example project, driven in headless Chromium the way a person would use it.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import AUTH_TOKENS, Server, Shot

pytestmark = pytest.mark.e2e

RUN_DONE_S = 60_000  # ms: a run of the example project ends well within this
EXAMPLE_ASSETS = 19


def node(page: Page, key: str) -> Any:
    return page.get_by_test_id(f"graph-node-{key}")


def open_graph(page: Page, server: Server, selection: str = "") -> None:
    page.goto(server.url + ("/?select=" + quote(selection, safe="") if selection else "/"))
    expect(page.get_by_test_id("graph-canvas")).to_have_attribute(
        "data-layout-engine", re.compile("elk|quick")
    )


def websocket_frames(page: Page) -> list[str]:
    """Every text frame the page receives over websockets, from now on."""
    frames: list[str] = []

    def on_websocket(ws: Any) -> None:
        ws.on("framereceived", lambda payload: frames.append(str(payload)))

    page.on("websocket", on_websocket)
    return frames


def filter_graph(page: Page, selection: str) -> None:
    box = page.get_by_test_id("filter-input")
    box.fill(selection)
    box.press("Enter")


def test_graph_filter_select_materialize_and_follow_the_run(
    page: Page, example_server: Server, shot: Shot
) -> None:
    frames = websocket_frames(page)
    # The graph: every asset of the example project, laid out.
    open_graph(page, example_server)
    canvas = page.get_by_test_id("graph-canvas")
    expect(canvas).to_have_attribute("data-node-count", str(EXAMPLE_ASSETS))
    expect(node(page, "marts/revenue_by_day")).to_be_visible()
    expect(page.get_by_test_id("graph-stats")).to_contain_text(f"{EXAMPLE_ASSETS} assets")
    shot("01-graph")

    # Filter with a SPEC §2 selection: the URL keeps it, the graph shrinks.
    filter_graph(page, "group:raw")
    expect(page).to_have_url(re.compile(r"\?select=group%3Araw$"))
    expect(canvas).to_have_attribute("data-node-count", "6")
    expect(node(page, "raw/customers")).to_be_visible()
    expect(node(page, "staging/stg_customers")).to_have_count(0)

    # A bad selection: the server's message with its caret, inline; the graph stays.
    filter_graph(page, "group:raw and ((")
    error = page.get_by_test_id("filter-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("group:raw and ((")
    expect(error).to_contain_text("^")
    text = error.inner_text()
    lines = text.splitlines()
    caret = next(i for i, line in enumerate(lines) if line.strip() == "^")
    assert lines[caret - 1].strip() == "group:raw and ((", text
    expect(page.get_by_test_id("filter-input")).to_have_attribute("aria-invalid", "true")
    expect(node(page, "raw/customers")).to_be_visible()
    shot("02-selection-error")

    # Back to a good selection (another form of it: one level up of stg_customers).
    filter_graph(page, "+staging/stg_customers")
    expect(error).to_have_count(0)
    expect(canvas).to_have_attribute("data-node-count", "2")
    filter_graph(page, "group:raw")
    expect(canvas).to_have_attribute("data-node-count", "6")

    # Click + shift-click two assets.
    customers, products = node(page, "raw/customers"), node(page, "raw/products")
    expect(customers).to_have_attribute("data-status", "MISSING")
    customers.click()
    expect(customers).to_have_attribute("data-selected", "true")
    expect(page.get_by_test_id("asset-panel")).to_be_visible()
    expect(page.get_by_test_id("panel-asset-key")).to_have_text("raw/customers")
    products.click(modifiers=["Shift"])
    expect(products).to_have_attribute("data-selected", "true")
    expect(customers).to_have_attribute("data-selected", "true")
    # Two selected: the side panel lists both, not the last clicked.
    expect(page.get_by_test_id("asset-panel")).to_have_count(0)
    expect(page.get_by_test_id("selection-count")).to_have_text("2 selected")
    expect(page.get_by_test_id("selection-row-raw/customers")).to_be_visible()
    expect(page.get_by_test_id("selection-row-raw/products")).to_be_visible()
    button = page.get_by_test_id("materialize-button")
    expect(button).to_have_text("Materialize selected (2)")
    shot("03-two-selected")

    # Materialize them: dialog, no partition picker for unpartitioned assets.
    button.click()
    dialog = page.get_by_test_id("materialize-dialog")
    expect(dialog).to_be_visible()
    expect(page.get_by_test_id("materialize-selection")).to_have_text("raw/customers, raw/products")
    expect(page.get_by_test_id("partition-picker")).to_have_count(0)
    shot("04-dialog")
    page.get_by_test_id("materialize-submit").click()
    expect(dialog).to_have_count(0)
    run_link = page.get_by_test_id("toast-run-link")
    expect(run_link).to_be_visible()
    run_href = run_link.get_attribute("href")
    assert run_href and re.fullmatch(r"/runs/[0-9a-f]{32}", run_href), run_href
    run_id = run_href.rsplit("/", 1)[1]

    # They turn green live, without a reload.
    expect(customers).to_have_attribute("data-status", "FRESH", timeout=RUN_DONE_S)
    expect(products).to_have_attribute("data-status", "FRESH", timeout=RUN_DONE_S)
    expect(node(page, "raw/orders")).to_have_attribute("data-status", "MISSING")  # untouched
    # The side panel (listing both) follows too.
    for key in ("raw/customers", "raw/products"):
        status = page.get_by_test_id(f"selection-status-{key}")
        expect(status).to_have_attribute("data-status", "FRESH")
    shot("05-fresh")
    assert example_server.wait_run(run_id)["status"] == "SUCCESS"
    # ... followed over the runEvents subscription (graphql-transport-ws).
    assert any('"RUN_SUCCESS"' in f and run_id in f for f in frames), frames[:5]

    # One click: that asset alone in the panel, with its latest run; then its page.
    customers.click()
    expect(page.get_by_test_id("panel-status")).to_have_attribute("data-status", "FRESH")
    expect(page.get_by_test_id("asset-panel")).to_contain_text(run_id[:8])
    page.get_by_test_id("open-asset-link").click()
    expect(page).to_have_url(example_server.url + "/assets/raw/customers")
    expect(page.get_by_test_id("asset-title")).to_have_text("raw/customers")
    expect(page.get_by_test_id("asset-status")).to_contain_text("Fresh")
    rows = page.get_by_test_id("materialization-row")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(run_id[:8])
    expect(rows.first).to_contain_text("2,040")  # row_count metadata
    expect(page.get_by_test_id("asset-data-version")).not_to_have_text("—")
    expect(page.get_by_test_id("row-count-chart")).to_be_visible()
    expect(page.get_by_test_id("check-row_count")).to_contain_text("passed")
    expect(page.get_by_test_id("downstream-list")).to_contain_text("staging/stg_customers")
    shot("06-asset-page")

    # Browser back: the filtered graph again.
    page.go_back()
    expect(page).to_have_url(re.compile(r"\?select=group%3Araw$"))
    expect(canvas).to_have_attribute("data-node-count", "6")
    expect(node(page, "raw/customers")).to_have_attribute("data-status", "FRESH")

    # The run page: status, Gantt with both steps, the log.
    page.goto(example_server.url + run_href)
    expect(page.get_by_test_id("run-id")).to_have_text(run_id)
    expect(page.get_by_test_id("run-status")).to_have_attribute("data-status", "SUCCESS")
    expect(page.get_by_test_id("run-selection")).to_have_text("raw/customers, raw/products")
    expect(page.get_by_test_id("run-gantt")).to_be_visible()
    expect(page.get_by_test_id("gantt-bar-raw/customers")).to_have_attribute(
        "data-status", "SUCCESS"
    )
    expect(page.get_by_test_id("gantt-bar-raw/products")).to_have_attribute(
        "data-status", "SUCCESS"
    )
    log = page.get_by_test_id("log-line")
    expect(log.first).to_have_attribute("data-type", "RUN_START")
    expect(log.last).to_have_attribute("data-type", "RUN_SUCCESS")
    expect(page.locator('[data-testid="log-line"][data-type="MATERIALIZATION"]')).to_have_count(2)
    expect(page.get_by_test_id("run-log")).to_contain_text("exported 2040 customer rows")
    expect(page.get_by_test_id("log-live")).to_have_count(0)
    shot("07-run-page")

    # Deep links survive a reload.
    page.reload()
    expect(page.get_by_test_id("run-status")).to_have_attribute("data-status", "SUCCESS")
    page.goto(example_server.url + "/assets/raw/customers")
    page.reload()
    expect(page.get_by_test_id("asset-title")).to_have_text("raw/customers")
    expect(page.get_by_test_id("materialization-row")).to_have_count(1)
    # A deep link with a bad selection: the caret message under the filter.
    page.goto(example_server.url + "/?select=" + quote("raw/customers+ and ((", safe=""))
    expect(page.get_by_test_id("filter-error")).to_contain_text("^")
    expect(page.get_by_test_id("filter-input")).to_have_value("raw/customers+ and ((")
    page.get_by_test_id("graph-error").get_by_role("button").click()
    expect(page).to_have_url(example_server.url + "/")
    expect(canvas).to_have_attribute("data-node-count", str(EXAMPLE_ASSETS))
    page.goto(example_server.url + "/assets/raw/nope")
    expect(page.get_by_test_id("asset-not-found")).to_be_visible()
    expect(page.get_by_test_id("not-found-message")).to_contain_text("Did you mean")
    page.goto(example_server.url + "/runs/" + "0" * 32)
    expect(page.get_by_test_id("run-not-found")).to_be_visible()

    # The runs list links to the run.
    page.get_by_test_id("nav-runs").click()
    expect(page.get_by_test_id(f"run-row-{run_id}")).to_be_visible()


def test_materialize_one_partition_through_the_picker(
    page: Page, example_server: Server, shot: Shot
) -> None:
    open_graph(page, example_server, "raw/web_events")
    web_events = node(page, "raw/web_events")
    web_events.click()
    page.get_by_test_id("panel-materialize-button").click()
    picker = page.get_by_test_id("partition-picker")
    expect(picker).to_be_visible()
    expect(picker).to_contain_text("14 partitions")
    page.get_by_test_id("partition-mode-single").check()
    key = page.get_by_test_id("partition-key")
    expect(key).to_have_value("2024-01-14")  # the latest partition is preselected
    # A key the asset does not have: the server's error shows in the dialog.
    key.fill("2024-02-30")
    page.get_by_test_id("materialize-submit").click()
    expect(page.get_by_test_id("materialize-error")).to_contain_text("2024-02-30")
    key.fill("2024-01-03")
    expect(page.get_by_test_id("partition-count")).to_have_text("1 partition selected")
    shot("01-partition-picker")
    page.get_by_test_id("materialize-submit").click()
    page.get_by_test_id("toast-run-link").click()

    expect(page.get_by_test_id("run-page")).to_be_visible()
    status = page.get_by_test_id("run-status")
    expect(status).to_have_attribute("data-status", "SUCCESS", timeout=RUN_DONE_S)
    expect(page.get_by_test_id("run-partitions")).to_have_text("2024-01-03")
    expect(page.get_by_test_id("step-row-raw/web_events[2024-01-03]")).to_be_visible()
    expect(page.get_by_test_id("gantt-bar-raw/web_events[2024-01-03]")).to_have_attribute(
        "data-status", "SUCCESS"
    )
    shot("02-partition-run")

    # A range of three days, then the asset page's partition strip and history.
    page.goto(example_server.url + "/assets/raw/web_events")
    page.get_by_test_id("asset-materialize-button").click()
    page.get_by_test_id("partition-mode-range").check()
    page.get_by_test_id("partition-from").fill("2024-01-05")
    page.get_by_test_id("partition-to").fill("2024-01-07")
    expect(page.get_by_test_id("partition-count")).to_have_text("3 partitions selected")
    page.get_by_test_id("materialize-submit").click()
    expect(page.get_by_test_id("materialize-dialog")).to_have_count(0)
    run_href = page.get_by_test_id("toast-run-link").get_attribute("href")
    assert run_href
    # The asset page follows the run it launched.
    rows = page.get_by_test_id("materialization-row")
    expect(rows).to_have_count(4, timeout=RUN_DONE_S)
    assert example_server.wait_run(run_href.rsplit("/", 1)[1])["status"] == "SUCCESS"
    strip = page.get_by_test_id("partition-strip")
    expect(strip).to_contain_text("4 materialized")
    expect(strip).to_contain_text("10 missing")
    # The strip is drawn from PartitionStats.ranges: runs of keys, gaps missing.
    titles = strip.locator("rect title").all_text_contents()
    assert titles == [
        "missing: 2024-01-01 … 2024-01-02 (2)",
        "materialized: 2024-01-03 (1)",
        "missing: 2024-01-04 (1)",
        "materialized: 2024-01-05 … 2024-01-07 (3)",
        "missing: 2024-01-08 … 2024-01-14 (7)",
    ], titles
    shot("03-asset-partitions")

    page.goto(example_server.url + run_href)
    expect(page.get_by_test_id("run-partitions")).to_have_text("2024-01-05 … 2024-01-07")
    for day in ("2024-01-05", "2024-01-06", "2024-01-07"):
        step = page.get_by_test_id(f"step-row-raw/web_events[{day}]")
        expect(step.get_by_test_id("step-status")).to_have_attribute("data-status", "SUCCESS")


def test_stale_reasons_in_words_and_materialize_from_the_asset_page(
    page: Page, e2e_server: Server, shot: Shot
) -> None:
    # readings_summary materialized, then ops/readings again with new data: stale.
    for selection in ("+ops/readings_summary", "ops/readings"):
        run = e2e_server.gql(
            "mutation($s: String!) { materialize(selection: $s) { id } }", s=selection
        )["materialize"]
        assert e2e_server.wait_run(run["id"])["status"] == "SUCCESS"

    open_graph(page, e2e_server, "group:ops")
    expect(node(page, "ops/readings_summary")).to_have_attribute("data-status", "STALE")
    page.goto(e2e_server.url + "/assets/ops/readings_summary")
    expect(page.get_by_test_id("asset-status")).to_have_attribute("data-status", "STALE")
    reasons = page.get_by_test_id("asset-stale-reasons")
    expect(reasons).to_contain_text("upstream ops/readings was materialized after this asset")
    expect(page.get_by_test_id("upstream-list")).to_contain_text("ops/readings")
    shot("01-stale")

    # Materialize from the asset page: it turns fresh without a reload.
    page.get_by_test_id("asset-materialize-button").click()
    expect(page.get_by_test_id("materialize-selection")).to_have_text("ops/readings_summary")
    page.get_by_test_id("materialize-submit").click()
    expect(page.get_by_test_id("asset-status")).to_have_attribute(
        "data-status", "FRESH", timeout=RUN_DONE_S
    )
    expect(reasons).to_have_text("Up to date.")
    expect(page.get_by_test_id("materialization-row")).to_have_count(2)
    shot("02-fresh-again")


def test_run_config_editor_and_cancel_a_slow_run(
    page: Page, e2e_server: Server, shot: Shot
) -> None:
    open_graph(page, e2e_server)
    expect(page.get_by_test_id("graph-canvas")).to_have_attribute("data-node-count", "5")
    node(page, "ops/slow").click()
    page.get_by_test_id("panel-materialize-button").click()

    # The editor is prefilled with the config defaults, keyed by asset.
    editor = page.get_by_test_id("config-editor")
    expect(editor).to_be_visible()
    assert json.loads(editor.input_value()) == {"ops/slow": {"seconds": 60.0}}
    editor.fill('{"ops/slow": {"seconds": ')
    expect(page.get_by_test_id("config-error")).to_be_visible()
    expect(page.get_by_test_id("materialize-submit")).to_be_disabled()
    editor.fill('{"ops/slow": {"seconds": "long"}}')
    page.get_by_test_id("materialize-submit").click()
    expect(page.get_by_test_id("materialize-error")).to_contain_text("seconds")
    editor.fill('{"ops/slow": {"seconds": 120}}')
    shot("01-config-editor")
    page.get_by_test_id("materialize-submit").click()
    page.get_by_test_id("toast-run-link").click()

    # The run page while it runs: live log, running step; then cancel.
    status = page.get_by_test_id("run-status")
    expect(status).to_have_attribute("data-status", "STARTED", timeout=RUN_DONE_S)
    expect(page.get_by_test_id("log-live")).to_be_visible()
    expect(page.locator('[data-testid="log-line"][data-type="STEP_START"]')).to_have_count(1)
    expect(page.get_by_test_id("gantt-bar-ops/slow")).to_have_attribute("data-status", "STARTED")
    page.get_by_test_id("output-tab").click()  # the step's stdout, while it runs
    expect(page.get_by_test_id("step-output")).to_have_text("slow sleeps 120s\n")
    expect(status).to_have_attribute("data-status", "STARTED")
    shot("02-running-output")
    page.get_by_test_id("log-tab").click()
    shot("02-running")
    page.get_by_test_id("cancel-run-button").click()
    expect(status).to_have_attribute("data-status", "CANCELED", timeout=30_000)
    expect(page.get_by_test_id("log-line").last).to_have_attribute("data-type", "RUN_CANCELED")
    expect(page.get_by_test_id("log-live")).to_have_count(0)
    expect(page.get_by_test_id("cancel-run-button")).to_have_count(0)
    expect(page.get_by_test_id("reexecute-all-button")).to_be_visible()
    shot("03-canceled")


def test_a_failed_run_and_reexecute_from_failure(
    page: Page, e2e_server: Server, shot: Shot
) -> None:
    failing = e2e_server.home / "fail_flaky"
    failing.write_text("")
    open_graph(page, e2e_server, "ops/flaky+")
    flaky, after = node(page, "ops/flaky"), node(page, "ops/after_flaky")
    flaky.click()
    after.click(modifiers=["Shift"])
    page.get_by_test_id("materialize-button").click()
    page.get_by_test_id("materialize-submit").click()
    expect(flaky).to_have_attribute("data-status", "FAILED", timeout=RUN_DONE_S)
    expect(after).to_have_attribute("data-status", "MISSING")
    page.get_by_test_id("toast-run-link").click()

    expect(page.get_by_test_id("run-status")).to_have_attribute("data-status", "FAILURE")
    step_rows = page.get_by_test_id("steps-table").locator("tbody tr")
    expect(step_rows.first).to_have_attribute("data-testid", "step-row-ops/flaky")  # ran first
    flaky_step = page.get_by_test_id("step-row-ops/flaky")
    expect(flaky_step.get_by_test_id("step-error")).to_contain_text("flaky failed on purpose")
    where = "at tests/fixtures/e2e_location.py:"
    expect(flaky_step.get_by_test_id("step-error")).to_contain_text(where)
    traceback = flaky_step.get_by_test_id("step-traceback")
    expect(traceback.locator("pre")).not_to_be_visible()  # collapsed until asked
    traceback.locator("summary").click()
    raised = 'in flaky\n    raise RuntimeError("flaky failed'
    expect(traceback.locator("pre")).to_contain_text(raised)
    expect(traceback.locator("pre")).not_to_contain_text("assets_core")
    page.get_by_test_id("output-tab").click()
    expect(page.get_by_test_id("step-output")).to_have_text("flaky looks for fail_flaky\n")
    page.get_by_test_id("log-tab").click()
    after_step = page.get_by_test_id("step-row-ops/after_flaky")
    expect(after_step.get_by_test_id("step-error")).to_contain_text("upstream ops/flaky failed")
    expect(page.get_by_test_id("gantt-bar-ops/flaky")).to_have_attribute("data-status", "FAILED")
    expect(page.locator('[data-testid="log-line"][data-type="STEP_FAILURE"]')).to_have_count(1)
    shot("01-failed")
    failed_url = page.url

    failing.unlink()
    page.get_by_test_id("reexecute-button").click()
    expect(page).not_to_have_url(failed_url)
    status = page.get_by_test_id("run-status")
    expect(status).to_have_attribute("data-status", "SUCCESS", timeout=RUN_DONE_S)
    expect(page.get_by_test_id("step-row-ops/after_flaky")).to_be_visible()
    shot("02-reexecuted")

    retried_id = page.get_by_test_id("run-id").inner_text()
    page.go_back()
    expect(page).to_have_url(failed_url)
    expect(page.get_by_test_id("run-status")).to_have_attribute("data-status", "FAILURE")
    failed_id = page.get_by_test_id("run-id").inner_text()

    # The runs list, filtered by status.
    page.get_by_test_id("nav-runs").click()
    expect(page.get_by_test_id(f"run-row-{retried_id}")).to_be_visible()
    page.get_by_test_id("runs-status-filter").select_option("FAILURE")
    expect(page).to_have_url(re.compile(r"/runs\?status=FAILURE$"))
    expect(page.get_by_test_id(f"run-row-{failed_id}")).to_be_visible()
    expect(page.get_by_test_id(f"run-row-{retried_id}")).to_have_count(0)
    shot("03-runs-failed")
    open_graph(page, e2e_server, "ops/flaky+")
    expect(flaky).to_have_attribute("data-status", "FRESH")
    expect(after).to_have_attribute("data-status", "FRESH")


def test_sign_in_with_a_token_and_roles(page: Page, auth_server: Server, shot: Shot) -> None:
    frames = websocket_frames(page)
    # Without a token the UI asks for one, and comes back where it was going.
    page.goto(auth_server.url + "/?select=ops/flaky")
    expect(page.get_by_test_id("signin-page")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/signin\?next="))
    page.get_by_test_id("signin-token").fill("not-a-token")
    page.get_by_test_id("signin-submit").click()
    expect(page.get_by_test_id("signin-error")).to_be_visible()
    shot("01-signin")
    page.get_by_test_id("signin-token").fill(AUTH_TOKENS["viewer"])
    page.get_by_test_id("signin-submit").click()
    flaky = node(page, "ops/flaky")
    expect(flaky).to_be_visible()
    expect(page).to_have_url(auth_server.url + "/?select=ops/flaky")

    # A viewer may look but not materialize: the server's FORBIDDEN message shows.
    flaky.click()
    page.get_by_test_id("panel-materialize-button").click()
    page.get_by_test_id("materialize-submit").click()
    expect(page.get_by_test_id("materialize-error")).to_contain_text("operator")
    shot("02-forbidden")
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("materialize-dialog")).to_have_count(0)

    # Sign out, sign in as an operator: the run goes, followed live over the
    # websocket (the token travels in connection_init).
    page.get_by_test_id("signout-button").click()
    page.goto(auth_server.url + "/?select=ops/flaky")
    page.get_by_test_id("signin-token").fill(AUTH_TOKENS["operator"])
    page.get_by_test_id("signin-submit").click()
    flaky.click()
    page.get_by_test_id("panel-materialize-button").click()
    page.get_by_test_id("materialize-submit").click()
    expect(flaky).to_have_attribute("data-status", "FRESH", timeout=RUN_DONE_S)
    run_href = page.get_by_test_id("toast-run-link").get_attribute("href")
    assert run_href
    run_id = run_href.rsplit("/", 1)[1]
    assert any('"RUN_SUCCESS"' in f and run_id in f for f in frames), frames[:5]
    page.goto(auth_server.url + run_href)
    expect(page.get_by_test_id("run-launched-by")).not_to_have_text("—")
    expect(page.get_by_test_id("run-status")).to_have_attribute("data-status", "SUCCESS")


def test_box_select_and_collapsing_groups(page: Page, e2e_server: Server, shot: Shot) -> None:
    open_graph(page, e2e_server)
    keys = ["ops/slow", "ops/flaky", "ops/after_flaky", "ops/readings", "ops/readings_summary"]
    boxes = [node(page, key).bounding_box() for key in keys]
    assert all(boxes), boxes
    left = min(b["x"] for b in boxes if b) - 15
    top = min(b["y"] for b in boxes if b) - 15
    right = max(b["x"] + b["width"] for b in boxes if b) + 15
    bottom = max(b["y"] + b["height"] for b in boxes if b) + 15

    # Box select: drag a rectangle around the five assets.
    page.get_by_test_id("box-select-toggle").click()
    page.mouse.move(left, top)
    page.mouse.down()
    page.mouse.move((left + right) / 2, (top + bottom) / 2, steps=5)
    page.mouse.move(right, bottom, steps=5)
    page.mouse.up()
    for key in keys:
        expect(node(page, key)).to_have_attribute("data-selected", "true")
    expect(page.get_by_test_id("materialize-button")).to_have_text("Materialize selected (5)")
    shot("01-box-selected")

    # Groups collapse into one node and expand again.
    page.get_by_test_id("group-toggle-ops").click()
    expect(page.get_by_test_id("graph-group-ops")).to_be_visible()
    expect(page.get_by_test_id("graph-group-ops")).to_contain_text("5 assets")
    expect(node(page, "ops/slow")).to_have_count(0)
    shot("02-collapsed")
    page.get_by_test_id("graph-group-ops").click()
    expect(page.get_by_test_id("group-panel")).to_be_visible()
    page.get_by_test_id("expand-all").click()
    expect(page.get_by_test_id("graph-group-box-ops")).to_be_visible()
    expect(node(page, "ops/slow")).to_be_visible()
