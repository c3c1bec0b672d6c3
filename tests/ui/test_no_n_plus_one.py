"""No N+1 (SPEC §7): a query over many assets issues a bounded number of SQL
statements, the same for 200 assets as for 40 — counted on the catalog's engine."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from tests.ui.conftest import UiServer, start_server

RICH = """{ assets {
  key status staleReasons freshness { lagS overdue }
  partitionsDef { total keys(limit: 5) }
  partitionStats { total materialized ranges }
  latestMaterialization { id upstream { id assetKey } }
  materializations(limit: 2) { id runId }
  checks { name lastResult { status } history(limit: 3) { status } }
  upstream { key status latestMaterialization { id } }
  columns { name } columnLineage { column sources { asset } indirect { asset } }
} }"""


def location_source(n: int) -> str:
    """``n`` assets in layers of 10 (each reads two of the layer above); every 5th has
    a check, every 7th a freshness policy; plus two partitioned assets."""
    lines = [
        "from assets_core import Freshness, asset",
        "from assets_core.checks import row_count",
        "from assets_core.definitions.repository import Definitions",
        "from assets_core.partitions import StaticPartitions",
        "",
        "assets, checks = [], []",
        f"for i in range({n}):",
        "    ins = [f'a{i - 10}', f'a{i - 9 if i % 10 else i - 1}'] if i >= 10 else []",
        "    fresh = Freshness(max_lag='1h') if i % 7 == 0 else None",
        "    def fn():",
        "        return [1, 2, 3]",
        "    fn.__name__ = f'a{i}'",
        "    assets.append(asset(key=f'a{i}', deps=ins, freshness=fresh)(fn))",
        "    if i % 5 == 0:",
        "        checks.append(row_count(f'a{i}', min=1))",
        "for name in ('p1', 'p2'):",
        "    def part(context):",
        "        return [context.partition_key]",
        "    part.__name__ = name",
        "    assets.append(asset(key=name, group='parts',",
        "                        partitions=StaticPartitions(['x', 'y', 'z']))(part))",
        "defs = Definitions(assets=assets, checks=checks)",
    ]
    return "\n".join(lines) + "\n"


def _served(tmp: Path, n: int) -> UiServer:
    location = tmp / f"ui_many_{n}.py"
    location.write_text(location_source(n))
    ui = start_server(tmp / "home", file=location)
    run_id = ui.materialize("not group:parts")
    assert ui.wait_run(run_id, timeout=120)["status"] == "SUCCESS"
    ui.wait_run(ui.materialize("p1", p=["y"]))
    return ui


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Iterator[UiServer]:
    ui = _served(tmp_path_factory.mktemp("n40"), 40)
    yield ui
    ui.close()


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> Iterator[UiServer]:
    ui = _served(tmp_path_factory.mktemp("n200"), 200)
    yield ui
    ui.close()


def count_statements(ui: UiServer, query: str) -> tuple[int, dict[str, Any]]:
    engine = ui.state.catalog.engine
    statements: list[str] = []

    def before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        data = ui.data(query)
    finally:
        event.remove(engine, "before_cursor_execute", before)
    return len(statements), data


def test_statement_count_does_not_grow_with_the_assets(small: UiServer, large: UiServer) -> None:
    few, few_data = count_statements(small, RICH)
    many, many_data = count_statements(large, RICH)
    assert len(few_data["assets"]) == 42 and len(many_data["assets"]) == 202
    assert many == few, (few, many)
    assert many <= 40, many
    print(f"statements: {few} for 42 assets, {many} for 202")
    fresh = [a for a in many_data["assets"] if a["status"] == "FRESH"]
    assert len(fresh) >= 150
    a20 = next(a for a in many_data["assets"] if a["key"] == "a20")
    assert {u["assetKey"] for u in a20["latestMaterialization"]["upstream"]} == {"a10", "a19"}
    assert a20["checks"][0]["lastResult"]["status"] == "PASSED"
    p1 = next(a for a in many_data["assets"] if a["key"] == "p1")
    assert p1["partitionStats"]["materialized"] == 1
    assert [r["status"] for r in p1["partitionStats"]["ranges"]] == [
        "MISSING",
        "MATERIALIZED",
        "MISSING",
    ]


def test_lineage_of_everything_is_a_few_statements(large: UiServer) -> None:
    count, data = count_statements(
        large, '{ lineage(selection: "*") { nodes { key status } edges { source } } }'
    )
    assert len(data["lineage"]["nodes"]) == 202
    assert count <= 10, count


def test_runs_with_steps_and_events_are_batched(large: UiServer) -> None:
    query = "{ runs(limit: %d) { runs { id steps { asset } events(limit: 3) { seq type } } } }"
    one, one_data = count_statements(large, query % 1)
    two, two_data = count_statements(large, query % 2)
    assert len(one_data["runs"]["runs"]) == 1 and len(two_data["runs"]["runs"]) == 2
    assert one == two, (one, two)
    assert all(len(r["events"]) == 3 for r in two_data["runs"]["runs"])
    assert two_data["runs"]["runs"][1]["events"][0]["type"] == "RUN_START"
