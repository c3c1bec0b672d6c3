"""The ``changed`` selection (SPEC §2, §6): assets whose definition or code version
differs from the last definitions snapshot in the catalog."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from assets_core import Definitions, asset
from assets_core.catalog.catalog import Catalog
from assets_core.catalog.snapshots import changed_keys
from assets_core.execution.run import materialize
from assets_core.graph.select import select

LOCATION = """
from assets_core import CheckResult, Definitions, asset, asset_check


@asset
def a() -> int:
    return 1


@asset(code_version="{b_version}")
def b(a: int) -> int:
    return a + {increment}


@asset
def c(b: int) -> int:
    return b + 1


@asset_check(asset="c")
def c_positive(c: int) -> CheckResult:
    return CheckResult(passed=c > 0)


defs = Definitions(assets=[a, b, c], checks=[c_positive])
"""


def write_location(path: Path, b_version: str = "1", increment: int = 1) -> Path:
    path.write_text(LOCATION.format(b_version=b_version, increment=increment))
    return path


def graph_defs(b_version: str, increment: int = 1) -> Definitions:
    @asset
    def a() -> int:
        return 1

    if increment == 1:

        @asset(code_version=b_version)
        def b(a: int) -> int:
            return a + 1

    else:

        @asset(code_version=b_version)
        def b(a: int) -> int:
            return a + 2

    @asset
    def c(b: int) -> int:
        return b + 1

    return Definitions(assets=[a, b, c])


def changed(defs: Definitions, catalog: Catalog, expr: str = "changed") -> set[str]:
    graph = defs.graph
    baseline = catalog.latest_snapshot()
    return {str(k) for k in select(graph, expr, changed=lambda: changed_keys(graph, baseline))}


def test_a_run_saves_a_snapshot_and_nothing_is_changed_after_it(catalog: Catalog) -> None:
    defs = graph_defs("1")
    assert catalog.latest_snapshot() is None
    materialize(defs, catalog=catalog)
    snapshot = catalog.latest_snapshot()
    assert snapshot is not None
    assert [a["key"] for a in snapshot["assets"]] == ["a", "b", "c"]
    assert changed(defs, catalog) == set()


def test_everything_is_changed_without_a_snapshot(catalog: Catalog) -> None:
    assert changed(graph_defs("1"), catalog) == {"a", "b", "c"}


def test_a_code_version_change_selects_exactly_that_asset(catalog: Catalog) -> None:
    materialize(graph_defs("1"), catalog=catalog)
    assert changed(graph_defs("2"), catalog) == {"b"}
    assert changed(graph_defs("2"), catalog, "changed+") == {"b", "c"}


def test_a_body_change_without_a_code_version_bump_is_changed(catalog: Catalog) -> None:
    materialize(graph_defs("1", increment=1), catalog=catalog)
    assert changed(graph_defs("1", increment=2), catalog) == {"b"}


def test_a_new_asset_is_changed(catalog: Catalog) -> None:
    materialize(graph_defs("1"), catalog=catalog)

    @asset
    def d(c: int) -> int:
        return c

    defs = graph_defs("1")
    bigger = Definitions(assets=[*defs.assets, d])
    assert changed(bigger, catalog) == {"d"}


def test_reverting_a_change_is_not_changed(catalog: Catalog) -> None:
    materialize(graph_defs("1"), catalog=catalog)
    materialize(graph_defs("2"), catalog=catalog)
    materialize(graph_defs("1"), catalog=catalog)
    assert changed(graph_defs("1"), catalog) == set()


@pytest.mark.usefixtures("sqlite_catalog")  # migrated here, not in the first process
def test_list_select_changed_through_the_cli(tmp_path: Path, cli: Callable[..., Any]) -> None:
    location = write_location(tmp_path / "changing_location.py", b_version="1")
    run = cli("materialize", "-f", location)
    assert run.returncode == 0, run

    write_location(location, b_version="2")
    listed = cli("list", "-f", location, "--select", "changed", "--format", "json")
    assert listed.returncode == 0, listed
    keys = [a["key"] for a in json.loads(listed.stdout)["assets"]]
    assert keys == ["b"]


@pytest.mark.usefixtures("sqlite_catalog")  # migrated here, not in the first process
def test_check_select_changed_materializes_and_checks_the_changed_part(
    tmp_path: Path, cli: Callable[..., Any]
) -> None:
    location = write_location(tmp_path / "changing_location.py", b_version="1")
    first = cli("materialize", "-f", location)
    assert first.returncode == 0, first

    write_location(location, b_version="2")
    checked = cli(
        "check", "-f", location, "--select", "changed*", "--materialize", "--format", "json"
    )
    assert checked.returncode == 0, checked
    report = json.loads(checked.stdout)
    assert [(c["asset_key"], c["check_name"], c["status"]) for c in report["checks"]] == [
        ("c", "c_positive", "PASSED")
    ]
    catalog = Catalog.open()
    try:
        latest = catalog.list_runs(limit=1)[0]
        assert {s.asset_key for s in catalog.steps(latest.id)} == {"b", "c"}
    finally:
        catalog.close()
