"""The CLI's output through real subprocesses: the ``--format json`` shapes of SPEC §2
(keys and types) for list, lineage, status, runs and run, and smoke tests of the
tables. One set-up per module (three runs), then every read command at once."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from assets_core.catalog.catalog import Catalog

ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


@dataclass
class Outputs:
    setup: list[Any]
    reads: dict[str, Any]
    failed_run_id: str
    graph_run_id: str


@pytest.fixture(scope="module")
def outputs(
    tmp_path_factory: pytest.TempPathFactory,
    assetline_commands: Callable[..., list[Any]],
    fixture_path: Callable[[str], Path],
) -> Outputs:
    root = tmp_path_factory.mktemp("cli_output")
    home = root / "home"
    graph = fixture_path("engine_graph")
    branches = fixture_path("engine_branches")

    def run(*args: Any, env: dict[str, str] | None = None) -> Any:
        [result] = assetline_commands([args], home=home, cwd=root, env=env)
        return result

    setup = [
        run("materialize", "-f", graph, "--select", "not group:events"),
        run("materialize", "-f", graph, "--select", "daily_events", "--partition", "2024-01-02"),
        run("materialize", "-f", branches, env={"FAIL_ASSETS": "bad"}),
    ]
    catalog = Catalog.open(f"sqlite:///{home / 'catalog.db'}")
    try:
        runs = catalog.list_runs()
    finally:
        catalog.close()
    failed_id, graph_id = runs[0].id, runs[2].id
    commands = {
        "list": ("list", "-f", graph, "--format", "json"),
        "list_table": ("list", "-f", graph),
        "lineage_up": ("lineage", "-f", graph, "revenue", "--format", "json"),
        "lineage_down": (
            "lineage",
            "-f",
            graph,
            "raw_orders",
            "--downstream",
            "--depth",
            "1",
            "--format",
            "json",
        ),
        "lineage_tree": ("lineage", "-f", graph, "revenue"),
        "status": ("status", "-f", graph, "--format", "json"),
        "status_table": ("status", "-f", graph),
        "status_branches": ("status", "-f", branches, "--format", "json"),
        "runs": ("runs", "--format", "json"),
        "runs_failed": ("runs", "--status", "failure", "--limit", "1", "--format", "json"),
        "runs_table": ("runs",),
        "run": ("run", failed_id, "--format", "json"),
        "run_table": ("run", failed_id),
    }
    results = assetline_commands(list(commands.values()), home=home, cwd=root)
    return Outputs(setup, dict(zip(commands, results, strict=True)), failed_id, graph_id)


def ok(outputs: Outputs, name: str) -> Any:
    result = outputs.reads[name]
    assert result.returncode == 0, result
    assert result.stderr == "", result
    return result


def test_setup_runs_exit_codes(outputs: Outputs) -> None:
    first, second, failing = outputs.setup
    assert first.returncode == 0, first
    assert second.returncode == 0, second
    # A failed asset makes the run exit 1; the summary names what happened.
    assert failing.returncode == 1, failing
    assert "Traceback" not in failing.stderr
    assert "bad was told to fail" in failing.stdout
    assert "2 skipped" in failing.stdout and "1 failed" in failing.stdout


def test_list_json_shape(outputs: Outputs) -> None:
    data = ok(outputs, "list").json()
    assert list(data) == ["assets"]
    keys = {
        "key", "group", "kind", "upstream", "partitions", "owners", "tags", "description",
        "metadata",
    }  # fmt: skip
    for a in data["assets"]:
        assert set(a) == keys
        assert isinstance(a["key"], str) and isinstance(a["group"], str)
        assert isinstance(a["kind"], str)
        assert isinstance(a["upstream"], list) and all(isinstance(u, str) for u in a["upstream"])
        assert a["partitions"] is None or isinstance(a["partitions"], str)
        assert isinstance(a["owners"], list) and isinstance(a["tags"], dict)
        assert a["description"] is None or isinstance(a["description"], str)
    by_key = {a["key"]: a for a in data["assets"]}
    assert set(by_key) == {"raw_orders", "daily_events", "sales/orders", "revenue"}
    assert by_key["raw_orders"] == {
        "key": "raw_orders",
        "group": "sales",
        "kind": "python",
        "upstream": [],
        "partitions": None,
        "owners": ["team:analytics"],
        "tags": {"tier": "gold"},
        "description": "Orders as they arrive.",
        "metadata": {},
    }
    assert by_key["sales/orders"]["upstream"] == ["raw_orders"]
    assert by_key["revenue"]["kind"] == "sql"
    assert by_key["revenue"]["upstream"] == ["sales/orders"]
    assert by_key["revenue"]["description"] == "Total revenue."
    assert "daily" in by_key["daily_events"]["partitions"]


def test_list_json_is_in_dependency_order(outputs: Outputs) -> None:
    keys = [a["key"] for a in ok(outputs, "list").json()["assets"]]
    assert keys.index("raw_orders") < keys.index("sales/orders") < keys.index("revenue")


def test_lineage_json_shape(outputs: Outputs) -> None:
    up = ok(outputs, "lineage_up").json()
    assert set(up) == {"root", "direction", "nodes", "edges"}
    assert (up["root"], up["direction"]) == ("revenue", "upstream")
    assert up["nodes"] == [
        {"key": "revenue", "depth": 0},
        {"key": "sales/orders", "depth": 1},
        {"key": "raw_orders", "depth": 2},
    ]
    # source is the upstream end of an edge
    assert sorted(map(tuple, (e.values() for e in up["edges"]))) == [
        ("raw_orders", "sales/orders"),
        ("sales/orders", "revenue"),
    ]
    assert all(set(e) == {"source", "target"} for e in up["edges"])

    down = ok(outputs, "lineage_down").json()
    assert (down["root"], down["direction"]) == ("raw_orders", "downstream")
    assert down["nodes"] == [{"key": "raw_orders", "depth": 0}, {"key": "sales/orders", "depth": 1}]
    assert down["edges"] == [{"source": "raw_orders", "target": "sales/orders"}]


def test_status_json_shape(outputs: Outputs) -> None:
    data = ok(outputs, "status").json()
    assert list(data) == ["assets"]
    by_key = {a["key"]: a for a in data["assets"]}
    assert set(by_key) == {"raw_orders", "sales/orders", "revenue", "daily_events"}
    for key, a in by_key.items():
        expected = {"key", "status", "reasons", "latest_materialization"}
        if key == "daily_events":
            expected.add("partitions")  # partitioned assets also get their counts
        assert set(a) == expected
        assert isinstance(a["status"], str) and isinstance(a["reasons"], list)
        mat = a["latest_materialization"]
        assert isinstance(mat, dict)
        assert isinstance(mat["id"], int) and isinstance(mat["run_id"], str)
        assert ISO.match(mat["timestamp"]), mat["timestamp"]
        assert isinstance(mat["data_version"], str)
    assert {a["status"] for a in by_key.values()} == {"FRESH"}
    assert by_key["raw_orders"]["latest_materialization"]["code_version"] == "1"
    assert by_key["raw_orders"]["latest_materialization"]["row_count"] == 3
    assert by_key["raw_orders"]["latest_materialization"]["partition"] is None
    assert by_key["daily_events"]["latest_materialization"]["partition"] == "2024-01-02"
    assert by_key["daily_events"]["partitions"] == {
        "total": 7,
        "materialized": 1,
        "failed": 0,
        "missing": 6,
    }


def test_status_json_of_a_failed_run(outputs: Outputs) -> None:
    by_key = {a["key"]: a for a in ok(outputs, "status_branches").json()["assets"]}
    assert by_key["bad"]["status"] == "FAILED"
    assert by_key["bad"]["latest_materialization"] is None
    assert by_key["bad_child"]["status"] == "MISSING"
    assert by_key["good_child"]["status"] == "FRESH"


def test_runs_json_shape(outputs: Outputs) -> None:
    data = ok(outputs, "runs").json()
    assert list(data) == ["runs"]
    assert len(data["runs"]) == 3
    for r in data["runs"]:
        assert set(r) == {"id", "status", "selection", "partitions", "started_at", "ended_at"}
        assert isinstance(r["id"], str) and isinstance(r["selection"], str)
        assert isinstance(r["partitions"], list)
        assert ISO.match(r["started_at"]) and ISO.match(r["ended_at"])
    # newest first
    assert [r["status"] for r in data["runs"]] == ["FAILURE", "SUCCESS", "SUCCESS"]
    assert data["runs"][0]["id"] == outputs.failed_run_id
    assert data["runs"][1]["partitions"] == ["2024-01-02"]
    assert data["runs"][2]["selection"] == "not group:events"
    assert [r["id"] for r in ok(outputs, "runs_failed").json()["runs"]] == [outputs.failed_run_id]


def test_run_json_shape(outputs: Outputs) -> None:
    data = ok(outputs, "run").json()
    assert {"id", "status", "steps", "events"} <= set(data)
    assert (data["id"], data["status"]) == (outputs.failed_run_id, "FAILURE")
    for s in data["steps"]:
        assert set(s) == {
            "asset", "partition", "status", "attempts", "duration_s", "error", "traceback",
            "location",
        }  # fmt: skip
        assert isinstance(s["attempts"], int)
        assert s["duration_s"] is None or isinstance(s["duration_s"], float)
    steps = {s["asset"]: s for s in data["steps"]}
    assert {k: s["status"] for k, s in steps.items()} == {
        "root": "SUCCESS",
        "bad": "FAILED",
        "bad_child": "SKIPPED",
        "bad_grandchild": "SKIPPED",
        "good": "SUCCESS",
        "good_child": "SUCCESS",
        "lone": "SUCCESS",
    }
    assert "bad was told to fail" in steps["bad"]["error"]
    assert steps["bad_child"]["error"] == "upstream bad failed"
    assert steps["bad"]["traceback"].rstrip().endswith("bad was told to fail")
    assert steps["bad"]["location"].endswith(".py:" + steps["bad"]["location"].split(":")[-1])
    assert steps["bad_child"]["traceback"] is None
    assert steps["root"]["error"] is None and steps["root"]["partition"] is None
    for e in data["events"]:
        assert set(e) == {"timestamp", "type", "asset", "partition", "message"}
        assert ISO.match(e["timestamp"]) and isinstance(e["message"], str)
    types = [e["type"] for e in data["events"]]
    assert types[0] == "RUN_START" and types[-1] == "RUN_FAILURE"
    assert {"STEP_FAILURE", "STEP_SKIPPED", "MATERIALIZATION"} <= set(types)


def test_tables_smoke(outputs: Outputs) -> None:
    listed = ok(outputs, "list_table").stdout
    assert "4 assets" in listed
    for word in ("raw_orders", "sales/orders", "revenue", "team:analytics", "sql"):
        assert word in listed
    tree = ok(outputs, "lineage_tree").stdout
    assert tree.index("revenue") < tree.index("sales/orders") < tree.index("raw_orders")
    status = ok(outputs, "status_table").stdout
    assert "FRESH" in status and "1/7" in status
    runs = ok(outputs, "runs_table").stdout
    assert outputs.failed_run_id[:12] in runs and "FAILURE" in runs
    run = ok(outputs, "run_table").stdout
    assert outputs.failed_run_id in run
    assert "steps" in run and "events" in run and "SKIPPED" in run
    assert "upstream bad failed" in run
