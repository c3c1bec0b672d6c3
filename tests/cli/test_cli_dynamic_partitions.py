"""Dynamic partitions from the command line, alone and as a dimension of a
``MultiPartitions`` (issue 11): ``partitions add/list`` check the name against the code
location, ``materialize`` takes a full key or one day's key, ``status`` counts and lists
every partition. The fixture ``multi_dynamic.py`` writes each call to
``$CALLS_DIR/calls``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

Cli = Callable[..., Any]


@pytest.fixture
def location(fixture_path: Callable[[str], Path]) -> Path:
    return fixture_path("multi_dynamic")


def take_calls(calls_dir: Path) -> list[str]:
    log = calls_dir / "calls"
    if not log.exists():
        return []
    lines = log.read_text().splitlines()
    log.unlink()
    return lines


@pytest.mark.usefixtures("sqlite_catalog")  # migrated here, not in the first process
def test_partitions_add_checks_the_name_against_the_code_location(
    cli: Cli, location: Path, tmp_path: Path
) -> None:
    typo = cli("partitions", "add", "-f", location, "region", "eu")
    assert typo.returncode == 2, typo
    assert typo.stderr == (
        "error: No DynamicPartitions named 'region' in the code location (known: regions). "
        "Did you mean 'regions'?\n"
    )
    listed = cli("partitions", "list", "-f", location, "regoins")
    assert listed.returncode == 2, listed
    assert "Did you mean 'regions'?" in listed.stderr

    bad_key = cli("partitions", "add", "-f", location, "regions", "eu", "north|south")
    assert bad_key.returncode == 2, bad_key
    assert bad_key.stderr == (
        "error: Cannot add partition key 'north|south' to dynamic partitions 'regions': it "
        "contains '|', which joins the parts of multi-partition keys.\n"
    )

    added = cli("partitions", "add", "-f", location, "regions", "eu", "us")
    assert added.returncode == 0, added
    assert "Added 2 new key(s) to regions (0 already present)" in added.stdout
    shown = cli("partitions", "list", "-f", location, "regions")
    assert (shown.returncode, shown.stdout.split()) == (0, ["eu", "us"])

    # The code location configured in pyproject.toml is checked too.
    project = tmp_path / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text('[tool.assetline]\nmodule = "multi_dynamic"\n')
    (project / "multi_dynamic.py").write_text(location.read_text())
    configured = cli("partitions", "add", "customers", "acme", cwd=project)
    assert configured.returncode == 2, configured
    assert "No DynamicPartitions named 'customers'" in configured.stderr


@pytest.mark.usefixtures("sqlite_catalog")
def test_materialize_and_status_of_days_by_dynamic_regions(
    cli: Cli, location: Path, tmp_path: Path
) -> None:
    calls = tmp_path / "calls"
    env = {"CALLS_DIR": str(calls)}
    assert cli("partitions", "add", "regions", "eu", "us").returncode == 0

    # A full key: one region of one day, and its report.
    one = cli(
        "materialize", "-f", location, "--select", "+sales_report", "--partition", "2024-01-02|eu",
        env=env,
    )  # fmt: skip
    assert one.returncode == 0, one
    assert take_calls(calls) == ["sales 2024-01-02|eu ", "sales_report 2024-01-02|eu 13"]

    # A day's key: every region of that day, then the day's total reads them all.
    day = cli("materialize", "-f", location, "--partition", "2024-01-03", env=env)
    assert day.returncode == 0, day
    assert take_calls(calls) == [
        "sales 2024-01-03|eu ",
        "sales 2024-01-03|us ",
        "sales_report 2024-01-03|eu 13",
        "sales_report 2024-01-03|us 13",
        "daily_total 2024-01-03 2024-01-03|eu,2024-01-03|us",
    ]

    # A region that is not (yet) a key: a usage error naming the dimension.
    unknown = cli("materialize", "-f", location, "--select", "sales", "--partition",
                  "2024-01-02|apac")  # fmt: skip
    assert unknown.returncode == 2, unknown
    assert unknown.stderr.startswith(
        "error: Asset sales: Partition key '2024-01-02|apac' has a bad 'region' part: 'apac' "
        "is not a key of dynamic partitions 'regions' (known keys: eu, us). Add it with: "
        "assetline partitions add regions apac"
    )
    assert "Traceback" not in unknown.stderr


@pytest.mark.usefixtures("sqlite_catalog")
def test_status_counts_and_lists_days_by_dynamic_regions(cli: Cli, location: Path) -> None:
    assert cli("partitions", "add", "regions", "eu", "us").returncode == 0
    before = cli("status", "-f", location, "--format", "json")
    assert before.returncode == 0, before
    assets: Any = before.json()
    totals = {a["key"]: a["partitions"]["total"] for a in assets["assets"]}
    assert totals == {"sales": 6, "sales_report": 6, "daily_total": 3}
    nothing = cli("status", "-f", location, "--partitions", "sales", "--format", "json")
    assert nothing.returncode == 0, nothing
    ranges: Any = nothing.json()
    assert ranges["ranges"]["missing"] == [["2024-01-01|eu", "2024-01-03|us"]]

    for selection, key in (("+sales_report", "2024-01-02|eu"), ("*", "2024-01-03")):
        run = cli("materialize", "-f", location, "--select", selection, "--partition", key)
        assert run.returncode == 0, run
    status = cli("status", "-f", location, "--format", "json")
    assert status.returncode == 0, status
    assets = status.json()
    partitions = {a["key"]: a.get("partitions") for a in assets["assets"]}
    assert partitions == {
        "sales": {"total": 6, "materialized": 3, "failed": 0, "missing": 3},
        "sales_report": {"total": 6, "materialized": 3, "failed": 0, "missing": 3},
        "daily_total": {"total": 3, "materialized": 1, "failed": 0, "missing": 2},
    }
    table = cli("status", "-f", location)
    assert table.returncode == 0, table
    assert "3/6" in table.stdout

    sales = cli("status", "-f", location, "--partitions", "sales", "--format", "json")
    assert sales.returncode == 0, sales
    data: Any = sales.json()
    assert data["partitions"] == (
        "multi (date: daily from 2024-01-01 until 2024-01-04 (UTC); region: dynamic 'regions')"
    )
    assert (data["total"], data["materialized"], data["missing"]) == (6, 3, 3)
    assert data["ranges"]["materialized"] == [
        ["2024-01-02|eu", "2024-01-02|eu"],
        ["2024-01-03|eu", "2024-01-03|us"],
    ]
    assert data["ranges"]["missing"] == [
        ["2024-01-01|eu", "2024-01-01|us"],
        ["2024-01-02|us", "2024-01-02|us"],
    ]


@pytest.mark.usefixtures("sqlite_catalog")
def test_partitions_add_applies_the_key_rules(cli: Cli) -> None:
    """One validation for every entry: what the API and definitions reject, the CLI
    rejects too, with the rule broken, before anything is written."""
    cases = {
        "../../x": "contains a path separator",
        "/abs": "contains a path separator",
        "..": "starts with '.'",
        "é" * 130: "is 260 bytes long in UTF-8; the limit is 255 bytes",
        "a" * 5000: "is 5,000 bytes long in UTF-8",
    }
    for key, problem in cases.items():
        result = cli("partitions", "add", "customers", key)
        assert result.returncode == 2, result
        assert result.stderr.startswith("error: Cannot add partition key "), result
        assert problem in result.stderr, result
        assert "Traceback" not in result.stderr and len(result.stderr) < 400, result
    assert cli("partitions", "list", "customers").stdout == ""
    fits = cli("partitions", "add", "customers", "é" * 127)
    assert fits.returncode == 0, fits
    assert cli("partitions", "list", "customers").stdout == "é" * 127 + "\n"
