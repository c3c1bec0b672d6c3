"""The committed SDL is the contract the UI codes against (SPEC §7)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from graphql import GraphQLObjectType, build_schema

from assets_ui.graphql.schema import SNAPSHOT, schema, sdl

DRAFT_NAMES = {
    "Query": {"assets", "asset", "lineage", "runs", "run", "impact", "columnGraph"},
    "Mutation": {"materialize", "cancelRun", "reexecuteRun", "addDynamicPartitions", "reload"},
    "Subscription": {"runEvents"},
    "Asset": {
        "key", "path", "group", "description", "owners", "tags", "kind", "codeVersion",
        "partitionsDef", "upstream", "downstream", "status", "staleReasons", "freshness",
        "latestMaterialization", "materializations", "partitionStats", "checks", "columns",
        "columnLineage", "configSchema", "removed",
    },
    "Materialization": {
        "id", "assetKey", "runId", "timestamp", "partition", "dataVersion", "codeVersion",
        "metadata", "upstream",
    },
    "Run": {
        "id", "status", "selection", "partitions", "tags", "launchedBy", "executor",
        "startedAt", "endedAt", "steps", "events",
    },
    "Step": {
        "asset", "partition", "status", "attempts", "durationS", "startedAt", "endedAt",
        "error", "logs",
    },
    "StepError": {"message", "traceback"},
}  # fmt: skip


def test_printed_schema_is_the_committed_snapshot() -> None:
    committed = SNAPSHOT.read_text(encoding="utf-8")
    assert sdl() == committed, (
        "The GraphQL schema drifted from assets_ui/schema.graphql. If the change is an "
        "addition, run `python -m assets_ui.graphql.schema --write` and commit the file; "
        "never rename or remove a field (deprecate it first)."
    )


def test_snapshot_keeps_every_field_of_the_contract() -> None:
    parsed = build_schema(SNAPSHOT.read_text(encoding="utf-8"))
    for type_name, fields in DRAFT_NAMES.items():
        graphql_type = parsed.get_type(type_name)
        assert isinstance(graphql_type, GraphQLObjectType), type_name
        assert fields <= set(graphql_type.fields), (type_name, fields - set(graphql_type.fields))


def test_schema_module_prints_the_snapshot() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "assets_ui.graphql.schema"],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert out.stdout == SNAPSHOT.read_text(encoding="utf-8")
    assert schema.as_str() in out.stdout


def test_importing_assets_core_pulls_in_no_web_module() -> None:
    code = (
        "import sys, assets_core, assets_core.catalog.catalog, assets_core.execution.launch\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in "
        "('assets_ui', 'strawberry', 'starlette', 'uvicorn', 'graphql', 'prometheus_client')]\n"
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
