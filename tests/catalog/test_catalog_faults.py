"""A damaged catalog file and orphan rows, through the real program: every command that
reads or writes a damaged table says which file is damaged and how to recover it (no
"database disk image is malformed" traceback), and ``assetline catalog check`` finds
the damage (SQLite's integrity check) and orphan rows (both backends), exit 1."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Cli, CliResult

Many = Callable[[list[tuple[Any, ...]]], list[CliResult]]


def _damage(db: Path, tables: list[str]) -> None:
    """Overwrite the root page of each table with garbage (after folding the WAL in)."""
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        size = conn.execute("PRAGMA page_size").fetchone()[0]
        marks = ", ".join("?" * len(tables))
        roots = [
            r[0]
            for r in conn.execute(
                f"SELECT rootpage FROM sqlite_master WHERE type = 'table' AND name IN ({marks})",
                tables,
            )
        ]
    conn.close()
    assert len(roots) == len(tables)
    with open(db, "r+b") as f:
        for page in roots:
            f.seek((page - 1) * size)
            f.write(b"\xde\xad\xbe\xef" * (size // 4))


def test_damaged_catalog_file_names_the_file_and_the_recovery(
    cli: Cli, cli_many: Many, fixture_path: Callable[[str], Path], assetline_home: Path
) -> None:
    loc = fixture_path("engine_checks")
    first = cli("materialize", "-f", loc)
    assert first.returncode == 0, first
    sound = cli("catalog", "check")
    assert sound.returncode == 0, sound
    db = assetline_home / "catalog.db"
    assert sound.stdout.strip() == f"✓ Catalog {db}: integrity ok, no orphan rows."

    _damage(db, ["runs", "run_steps", "events", "materializations", "asset_partitions"])
    run_id = first.stdout.split()[1].rstrip(":")
    results = cli_many(
        [
            ("runs",),
            ("run", run_id),
            ("status", "-f", loc),
            ("materialize", "-f", loc),
            ("check", "-f", loc),
            ("reexecute", "-f", loc, run_id),
            ("status", "-f", loc, "--format", "json"),
        ]
    )
    for result in results:
        assert result.returncode == 1, result
        assert "Traceback" not in result.stderr, result
        assert result.stderr.startswith(
            f"error: The catalog file {db} is damaged (database disk image is malformed). "
        ), result
        assert f"`sqlite3 {db} .recover | sqlite3 {db}.recovered`" in result.stderr, result
        assert "restore it from a backup" in result.stderr, result
        assert len(result.stderr.splitlines()) == 1, result

    check = cli("catalog", "check", "--format", "json")
    assert check.returncode == 1, check
    report = check.json()
    assert isinstance(report, dict)
    assert report["catalog"] == str(db) and report["ok"] is False
    problems = report["problems"]
    assert problems[0] == {
        "kind": "unreadable",
        "table": None,
        "count": 1,
        "detail": "integrity_check failed: database disk image is malformed",
    }
    # Each orphan query stands alone: those over a damaged table say so, and the rest
    # still run (some are answered from an intact index).
    unreadable = {p["table"] for p in problems if p["kind"] == "unreadable"}
    assert {"run_steps", "asset_partitions"} <= unreadable, problems
    text = cli("catalog", "check")
    assert text.returncode == 1 and "Traceback" not in text.stderr, text
    assert "✗ unreadable (run_steps): cannot read it: database disk image is malformed" in (
        text.stdout
    ), text
    assert "restore it from a backup" in text.stdout


def test_a_file_that_is_not_a_database(cli: Cli, assetline_home: Path) -> None:
    assetline_home.mkdir(parents=True)
    db = assetline_home / "catalog.db"
    db.write_bytes(b"not a database" * 1000)
    runs = cli("runs")
    assert runs.returncode == 1, runs
    assert runs.stderr.startswith(
        f"error: The catalog file {db} is damaged (file is not a database)"
    )
    check = cli("catalog", "check")
    assert check.returncode == 1, check
    assert "integrity_check failed: file is not a database" in check.stdout, check


@pytest.mark.parametrize(
    "catalog_url", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
def test_orphan_rows_are_reported(
    cli: Cli, catalog_url: str, fixture_path: Callable[[str], Path]
) -> None:
    from sqlalchemy import create_engine, text

    env = {"ASSETLINE_CATALOG_URL": catalog_url}
    loc = fixture_path("engine_checks")
    assert cli("materialize", "-f", loc, env=env).returncode == 0
    assert cli("catalog", "check", env=env).returncode == 0
    engine = create_engine(catalog_url)
    with engine.begin() as conn:
        # A run deleted by hand leaves its steps, events, materializations and check
        # results behind.
        conn.execute(text("DELETE FROM runs"))
    engine.dispose()
    check = cli("catalog", "check", "--format", "json", env=env)
    assert check.returncode == 1, check
    report = check.json()
    assert isinstance(report, dict)
    found = {p["table"]: p["detail"] for p in report["problems"]}
    assert found == {
        "run_steps": "4 steps without a run",
        "events": found["events"],
        "materializations": "4 materializations without a run",
        "check_results": "1 check results of a run that does not exist",
    }, report
    assert found["events"].endswith(" events without a run")
    assert all(p["kind"] == "orphans" for p in report["problems"])
