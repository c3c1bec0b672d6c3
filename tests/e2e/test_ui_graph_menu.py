"""The graph view for a newcomer (issue 16): a node's right-click menu selects its
upstream or downstream and materializes it with its upstream; a plain word in the
filter box searches asset keys; several selected assets are all listed in the side
panel, which never hides them; no "Sign in" without auth."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import Server, Shot
from tests.e2e.test_ui_flow import filter_graph, node, open_graph

pytestmark = pytest.mark.e2e


def lineage_keys(server: Server, selection: str) -> set[str]:
    query = "query($s: String!) { lineage(selection: $s) { nodes { key } } }"
    return {n["key"] for n in server.gql(query, s=selection)["lineage"]["nodes"]}


def selected_keys(page: Page) -> set[str]:
    nodes = page.locator('[data-testid^="graph-node-"][data-selected="true"]')
    return {str(t).removeprefix("graph-node-") for t in nodes.evaluate_all(
        "els => els.map(e => e.dataset.testid)")}  # fmt: skip


def box(locator: Any) -> dict[str, float]:
    found = locator.bounding_box()
    assert found is not None
    return dict(found)


def assert_inside(inner: dict[str, float], outer: dict[str, float], what: str) -> None:
    assert inner["x"] >= outer["x"] - 1 and inner["y"] >= outer["y"] - 1, (what, inner, outer)
    assert inner["x"] + inner["width"] <= outer["x"] + outer["width"] + 1, (what, inner, outer)
    assert inner["y"] + inner["height"] <= outer["y"] + outer["height"] + 1, (what, inner, outer)


def open_menu(page: Page, key: str) -> Any:
    node(page, key).click(button="right")
    menu = page.get_by_test_id("node-menu")
    expect(menu).to_be_visible()
    expect(menu).to_contain_text(key)
    return menu


def test_free_text_search_in_the_filter_box(page: Page, example_server: Server, shot: Shot) -> None:
    open_graph(page, example_server)
    # Auth is off: nothing to sign in to.
    expect(page.get_by_role("banner")).to_be_visible()
    expect(page.get_by_text("Sign in", exact=True)).to_have_count(0)

    expected = {a["key"] for a in example_server.gql(
        '{ assets(search: "customers") { key } }')["assets"]}  # fmt: skip
    assert {"raw/customers", "staging/stg_customers"} <= expected
    filter_graph(page, "customers")
    expect(page).to_have_url(re.compile(r"\?search=customers$"))
    canvas = page.get_by_test_id("graph-canvas")
    expect(canvas).to_have_attribute("data-node-count", str(len(expected)))
    for key in expected:
        expect(node(page, key)).to_be_visible()
    expect(node(page, "staging/stg_orders")).to_have_count(0)
    expect(page.get_by_test_id("filter-search-hint")).to_contain_text("customers")
    shot("01-search")

    filter_graph(page, "CUSTOMERS")  # case-insensitive
    expect(canvas).to_have_attribute("data-node-count", str(len(expected)))
    filter_graph(page, "nosuchthing")
    expect(page.get_by_test_id("graph-empty")).to_contain_text("No asset key contains")
    # A key path or syntax is still a selection.
    filter_graph(page, "raw/customers")
    expect(page).to_have_url(re.compile(r"\?select=raw%2Fcustomers$"))
    expect(canvas).to_have_attribute("data-node-count", "1")


def test_node_menu_selects_and_the_panel_lists_them(
    page: Page, example_server: Server, shot: Shot
) -> None:
    open_graph(page, example_server)
    expect(page.get_by_test_id("graph-canvas")).to_have_attribute("data-view-ready", "true")

    # One level up of stg_customers: it and raw/customers, all listed in the panel.
    open_menu(page, "staging/stg_customers")
    shot("01-menu")
    page.get_by_test_id("node-menu-upstream").click()
    expect(page.get_by_test_id("node-menu")).to_have_count(0)
    up = lineage_keys(example_server, "+staging/stg_customers")
    assert up == {"raw/customers", "staging/stg_customers"}
    expect(page.get_by_test_id("selection-count")).to_have_text(f"{len(up)} selected")
    assert selected_keys(page) == up
    for key in up:
        expect(page.get_by_test_id(f"selection-row-{key}")).to_be_visible()
    expect(page.get_by_test_id("materialize-button")).to_have_text(
        f"Materialize selected ({len(up)})"
    )

    # Everything downstream of raw/customers reaches the right edge of the graph: the
    # panel narrows the canvas, and the view moves so that none of them is hidden.
    open_menu(page, "raw/customers")
    page.get_by_test_id("node-menu-allDownstream").click()
    down = lineage_keys(example_server, "raw/customers*")
    assert len(down) > 3
    expect(page.get_by_test_id("selection-count")).to_have_text(f"{len(down)} selected")
    rows = page.get_by_test_id("selection-list").locator("li")
    expect(rows).to_have_count(len(down))
    # Nodes out of view are not drawn at all (onlyRenderVisibleElements): each one
    # selected and drawn inside the canvas, once the view has moved (200 ms).
    for key in down:
        expect(node(page, key)).to_have_attribute("data-selected", "true")
    assert selected_keys(page) == down
    page.wait_for_timeout(300)
    canvas = box(page.get_by_test_id("graph-canvas"))
    panel = box(page.get_by_test_id("selection-panel"))
    assert canvas["x"] + canvas["width"] <= panel["x"] + 1
    for key in down:
        assert_inside(box(node(page, key)), canvas, key)
    shot("02-all-downstream")

    # Downstream one level, and all upstream.
    open_menu(page, "staging/stg_customers")
    page.get_by_test_id("node-menu-downstream").click()
    expect(page.get_by_test_id("selection-count")).to_have_text(
        f"{len(lineage_keys(example_server, 'staging/stg_customers+'))} selected"
    )
    assert selected_keys(page) == lineage_keys(example_server, "staging/stg_customers+")
    open_menu(page, "marts/customer_lifetime_value")
    page.get_by_test_id("node-menu-allUpstream").click()
    all_up = lineage_keys(example_server, "*marts/customer_lifetime_value")
    expect(page.get_by_test_id("selection-count")).to_have_text(f"{len(all_up)} selected")
    assert selected_keys(page) == all_up

    # Clearing the selection closes the list; one click shows that asset alone.
    page.get_by_role("button", name="Clear the selection").click()
    expect(page.get_by_test_id("selection-panel")).to_have_count(0)
    assert selected_keys(page) == set()
    node(page, "raw/customers").click()
    expect(page.get_by_test_id("panel-asset-key")).to_have_text("raw/customers")

    # Materialize this and upstream: the dialog holds the selection `*key`.
    open_menu(page, "staging/stg_customers")
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("node-menu")).to_have_count(0)
    open_menu(page, "staging/stg_customers")
    page.get_by_test_id("node-menu-materializeUpstream").click()
    dialog = page.get_by_test_id("materialize-dialog")
    expect(dialog).to_be_visible()
    expect(page.get_by_test_id("materialize-selection")).to_have_text("*staging/stg_customers")
    expect(dialog).to_contain_text("2 assets")
    page.get_by_test_id("materialize-submit").click()
    run_link = page.get_by_test_id("toast-run-link")
    expect(run_link).to_be_visible()
    run_id = str(run_link.get_attribute("href")).rsplit("/", 1)[1]
    run = example_server.wait_run(run_id)
    assert run["status"] == "SUCCESS"
    steps = example_server.gql(
        "query($id: String!) { run(id: $id) { steps { asset } } }", id=run_id
    )["run"]["steps"]
    assert {s["asset"] for s in steps} == {"raw/customers", "staging/stg_customers"}


def test_the_panel_of_one_asset_does_not_hide_it(page: Page, example_server: Server) -> None:
    open_graph(page, example_server)
    expect(page.get_by_test_id("graph-canvas")).to_have_attribute("data-view-ready", "true")
    # Measure the final layout: nodes move when elk replaces the quick first layout.
    expect(page.get_by_test_id("graph-canvas")).to_have_attribute("data-layout-engine", "elk")
    # The rightmost node (not under the minimap): where the panel opens.
    minimap = box(page.locator(".react-flow__minimap"))
    nodes = page.locator('[data-testid^="graph-node-"]')
    boxes = {str(n.get_attribute("data-testid")): box(n) for n in nodes.all()}
    boxes = {t: b for t, b in boxes.items() if b["y"] + b["height"] < minimap["y"]}
    rightmost = max(boxes, key=lambda t: boxes[t]["x"] + boxes[t]["width"])
    key = rightmost.removeprefix("graph-node-")
    assert boxes[rightmost]["x"] > 1280 - 340, boxes[rightmost]  # under the panel-to-be
    node(page, key).click()
    expect(page.get_by_test_id("panel-asset-key")).to_have_text(key)
    expect(node(page, key)).to_have_attribute("data-selected", "true")
    page.wait_for_timeout(300)  # the view moves in 200 ms
    canvas = box(page.get_by_test_id("graph-canvas"))
    assert_inside(box(node(page, key)), canvas, key)
