"""Stored values damaged outside Assetline (a truncated Parquet file, a truncated
pickle): ``check`` marks the check ERRORED naming the file and still writes its JUnit
report (exit 1); a run that reads a damaged upstream fails that step with the same
clear message, and no traceback reaches the terminal."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.cli.test_cli_check import validate_junit
from tests.conftest import Cli


def _truncate(path: Path, size: int) -> None:
    assert path.is_file(), path
    with open(path, "r+b") as f:
        f.truncate(size)


def test_truncated_values_error_the_checks_and_the_reading_step(
    cli: Cli, fixture_path: Callable[[str], Path], assetline_home: Path, tmp_path: Path
) -> None:
    loc = fixture_path("stored_values")
    assert cli("materialize", "-f", loc, "--select", "table, report").returncode == 0
    parquet = assetline_home / "storage" / "table" / "data.parquet"
    pickled = assetline_home / "storage" / "report" / "data.pickle"
    _truncate(parquet, parquet.stat().st_size // 2)
    _truncate(pickled, pickled.stat().st_size // 2)

    junit = tmp_path / "checks.xml"
    check = cli("check", "-f", loc, "--junit", junit)
    assert check.returncode == 1, check
    assert "Traceback" not in check.stdout + check.stderr, check
    assert (
        f"table:table_has_rows ERRORED (error) stored value of table is unreadable: {parquet}"
        in (check.stdout)
    ), check
    assert "report:report_has_rows ERRORED (error) stored value of report is unreadable: " in (
        check.stdout
    ), check
    cases = {c.get("name"): c for c in validate_junit(junit).findall(".//testcase")}
    assert set(cases) == {"table_has_rows", "report_has_rows"}
    error = cases["table_has_rows"].find("error")
    assert error is not None
    assert error.get("message", "").startswith(f"stored value of table is unreadable: {parquet}")
    assert "materialize it again" in error.get("message", "")

    run = cli("materialize", "-f", loc, "--select", "summary")
    assert run.returncode == 1, run
    assert "Traceback" not in run.stdout + run.stderr, run
    assert "Loading input table of asset summary failed: stored value" in run.stdout, run
    shown = cli("run", run.stdout.split()[1].rstrip(":"), "--format", "json")
    (step,) = shown.json()["steps"]  # type: ignore[index]
    assert step["status"] == "FAILED"
    assert step["error"].startswith(
        f"Loading input table of asset summary failed: stored value of table is unreadable: "
        f"{parquet} (ArrowInvalid: "
    ), step

    # Materializing again repairs it.
    assert cli("materialize", "-f", loc, "--select", "table, report").returncode == 0
    assert cli("check", "-f", loc).returncode == 0


def test_status_notices_values_deleted_or_changed_outside_assetline(
    cli: Cli, fixture_path: Callable[[str], Path], assetline_home: Path
) -> None:
    loc = fixture_path("stored_values")
    assert cli("materialize", "-f", loc).returncode == 0
    parquet = assetline_home / "storage" / "table" / "data.parquet"
    pickled = assetline_home / "storage" / "report" / "data.pickle"
    summary = assetline_home / "storage" / "summary" / "data.pickle"
    before = cli("status", "-f", loc, "--format", "json").json()
    assert {a["key"]: a["status"] for a in before["assets"]} == {  # type: ignore[index]
        "table": "FRESH",
        "report": "FRESH",
        "summary": "FRESH",
    }
    parquet.unlink()
    _truncate(pickled, pickled.stat().st_size // 2)
    # Rewritten with the same size: only its modification time tells.
    data = summary.read_bytes()
    summary.write_bytes(data)
    after = cli("status", "-f", loc, "--format", "json").json()
    found = {a["key"]: (a["status"], a["reasons"]) for a in after["assets"]}  # type: ignore[index]
    assert found["table"] == ("STALE", [f"stored value missing: {parquet}"])
    assert found["report"] == ("STALE", [f"stored value changed outside Assetline: {pickled}"])
    assert found["summary"] == ("STALE", [f"stored value changed outside Assetline: {summary}"])
    # Materializing again makes them fresh.
    assert cli("materialize", "-f", loc).returncode == 0
    again = cli("status", "-f", loc, "--format", "json").json()
    assert {a["status"] for a in again["assets"]} == {"FRESH"}  # type: ignore[index]
