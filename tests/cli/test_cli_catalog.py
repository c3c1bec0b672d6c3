"""Catalog maintenance through the real program: ``catalog upgrade`` (idempotent, on
SQLite and PostgreSQL), ``catalog prune`` with the retention setting, dynamic
partitions and ``status --partitions``."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import inspect

from assets_core.catalog.catalog import Catalog
from assets_core.catalog.connection import HEAD_REVISION, current_revision, make_engine
from assets_core.catalog.records import EventRecord, NewMaterialization, RunRecord, WriteBatch


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_catalog_upgrade_is_idempotent(
    backend: str,
    cli: Callable[..., Any],
    assetline_home: Path,
    request: pytest.FixtureRequest,
) -> None:
    if backend == "sqlite":
        url, env = f"sqlite:///{assetline_home / 'catalog.db'}", {}
    else:
        url = request.getfixturevalue("postgres_url")
        env = {"ASSETLINE_CATALOG_URL": url}
    first = cli("catalog", "upgrade", env=env)
    assert first.returncode == 0, first
    assert "migrated to the latest schema" in first.stdout
    second = cli("catalog", "upgrade", env=env)
    assert second.returncode == 0, second
    assert "up to date" in second.stdout

    engine = make_engine(url)
    try:
        assert current_revision(engine) == HEAD_REVISION
        assert {"runs", "events", "materializations", "provenance"} <= set(
            inspect(engine).get_table_names()
        )
    finally:
        engine.dispose()
    if backend == "postgres":
        assert not (assetline_home / "catalog.db").exists()


def test_catalog_prune_uses_the_retention_setting_and_keeps_history(
    cli: Callable[..., Any],
    cli_many: Callable[[list[tuple[Any, ...]]], list[Any]],
    sqlite_catalog: Catalog,
    tmp_path: Path,
) -> None:
    now = time.time()
    sqlite_catalog.create_run(RunRecord(id="old-run", status="SUCCESS", selection="*"))
    [mat_id] = sqlite_catalog.write(
        WriteBatch(
            events=[
                EventRecord("old-run", now - 3 * 86400, "LOG", "three days old"),
                EventRecord("old-run", now - 2 * 86400, "LOG", "two days old"),
                EventRecord("old-run", now - 60, "LOG", "a minute old"),
            ],
            materializations=[
                NewMaterialization("a", None, "old-run", now - 3 * 86400, None, "v", {}, None)
            ],
        )
    )
    configured = tmp_path / "configured"
    configured.mkdir()
    (configured / "pyproject.toml").write_text("[tool.assetline.retention]\nevents_days = 1.5\n")
    unconfigured, explicit = cli_many(
        [("catalog", "prune"), ("catalog", "prune", "--older-than-days", "2.5")]
    )
    assert unconfigured.returncode == 2, unconfigured
    assert "No retention configured" in unconfigured.stderr
    assert explicit.returncode == 0, explicit
    assert "Deleted 1 events older than 2.5 days" in explicit.stdout

    by_setting = cli("catalog", "prune", cwd=configured)
    assert by_setting.returncode == 0, by_setting
    assert "Deleted 1 events older than 1.5 days" in by_setting.stdout
    assert [e.message for e in sqlite_catalog.events("old-run")] == ["a minute old"]
    assert [m.id for m in sqlite_catalog.materializations("a")] == [mat_id]
    assert sqlite_catalog.get_run("old-run").status == "SUCCESS"


@pytest.mark.usefixtures("sqlite_catalog")  # migrated here, not in the first process
def test_dynamic_partitions_from_the_cli(
    cli: Callable[..., Any], cli_many: Callable[[list[tuple[Any, ...]]], list[Any]]
) -> None:
    added = cli("partitions", "add", "customers", "acme", "globex")
    assert added.returncode == 0, added
    assert "Added 2 new key(s) to customers (0 already present)" in added.stdout
    again, listed = cli_many(
        [("partitions", "add", "customers", "acme", "initech"), ("partitions", "list", "other")]
    )
    assert again.returncode == 0, again
    assert "Added 1 new key(s) to customers (1 already present)" in again.stdout
    assert (listed.returncode, listed.stdout) == (0, "")
    shown = cli("partitions", "list", "customers")
    assert shown.stdout.split() == ["acme", "globex", "initech"]


@pytest.mark.usefixtures("sqlite_catalog")  # migrated here, not in the first process
def test_status_of_partitions(
    cli: Callable[..., Any],
    cli_many: Callable[[list[tuple[Any, ...]]], list[Any]],
    fixture_path: Callable[[str], Path],
) -> None:
    loc = fixture_path("engine_partitioned")
    backfill = cli(
        "backfill", "-f", loc, "--select", "daily", "--from", "2024-01-02", "--to", "2024-01-05",
        env={"FAIL_PARTITIONS": "2024-01-04"},
    )  # fmt: skip
    assert backfill.returncode == 1, backfill
    as_json, as_text, unpartitioned = cli_many(
        [
            ("status", "-f", loc, "--partitions", "daily", "--format", "json"),
            ("status", "-f", loc, "--partitions", "daily"),
            ("status", "-f", loc, "--partitions", "plain"),
        ]
    )
    assert as_json.returncode == 0, as_json
    data = as_json.json()
    assert (data["key"], data["total"], data["materialized"], data["failed"]) == ("daily", 31, 3, 1)
    assert data["missing"] == 27
    assert data["partitions"] == "daily from 2024-01-01 until 2024-02-01 (UTC)"
    assert data["ranges"]["materialized"] == [
        ["2024-01-02", "2024-01-03"],
        ["2024-01-05", "2024-01-05"],
    ]
    assert data["ranges"]["failed"] == [["2024-01-04", "2024-01-04"]]
    assert data["ranges"]["missing"] == [["2024-01-01", "2024-01-01"], ["2024-01-06", "2024-01-31"]]
    assert as_text.returncode == 0, as_text
    assert "31 partitions" in as_text.stdout
    assert "2024-01-02...2024-01-03" in as_text.stdout
    assert unpartitioned.returncode == 2, unpartitioned
    assert "plain is not partitioned" in unpartitioned.stderr
