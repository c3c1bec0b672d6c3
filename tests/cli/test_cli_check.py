"""``assetline check`` through the real program (SPEC §6): exit 0 when all pass, 1
when an error-severity check fails (warnings only with --strict), 2 on a usage or
definition error; --junit writes a valid JUnit XML report; --materialize runs first."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from assets_core.catalog.catalog import Catalog

JUNIT_XSD = Path(__file__).resolve().parents[1] / "checks" / "junit.xsd"
Many = Callable[[list[tuple[Any, ...]]], list[Any]]


def validate_junit(path: Path) -> Any:
    """Parse ``path`` and validate it against the JUnit schema CI systems use."""
    from lxml import etree

    document = etree.parse(str(path))
    assert JUNIT_XSD.is_file(), f"the JUnit schema moved: {JUNIT_XSD}"
    etree.XMLSchema(etree.parse(str(JUNIT_XSD))).assertValid(document)
    return document.getroot()


def test_check_exit_codes_and_reports(
    cli: Callable[..., Any],
    cli_many: Many,
    fixture_path: Callable[[str], Path],
    sqlite_catalog: Catalog,
    tmp_path: Path,
) -> None:
    loc = fixture_path("engine_checks")
    # Good data stored: every check passes.
    assert cli("materialize", "-f", loc).returncode == 0
    passing = cli("check", "-f", loc, "--format", "json")
    assert passing.returncode == 0, passing
    report = passing.json()
    assert report["passed"] is True and report["notes"] == []
    [evaluation] = report["checks"]
    assert (evaluation["asset_key"], evaluation["check_name"]) == ("src", "no_negative_amounts")
    assert (evaluation["status"], evaluation["passed"]) == ("PASSED", True)
    assert evaluation["metadata"] == {"bad_rows": 0}

    # Bad data stored (by a run whose blocking check failed: exit 1 for the run).
    bad_run = cli("materialize", "-f", loc, env={"CHECK_MODE": "error"})
    assert bad_run.returncode == 1, bad_run
    junit = tmp_path / "reports" / "checks.xml"
    error, error_json, usage, both = cli_many(
        [
            ("check", "-f", loc, "--junit", junit),
            ("check", "-f", loc, "--format", "json"),
            ("check", "-f", loc, "--select", "sorc"),
            ("check", "-f", loc, "--partition", "x", "--all-partitions"),
        ]
    )
    assert error.returncode == 1, error
    assert "src:no_negative_amounts FAILED (error)" in error.stdout
    assert "0 passed, 1 failed" in error.stdout
    root = validate_junit(junit)
    cases = root.findall(".//testcase")
    assert [(c.get("classname"), c.get("name")) for c in cases] == [("src", "no_negative_amounts")]
    assert cases[0].find("failure") is not None

    assert error_json.returncode == 1, error_json
    assert error_json.json()["passed"] is False
    [evaluation] = error_json.json()["checks"]
    assert (evaluation["status"], evaluation["severity"]) == ("FAILED", "error")
    assert evaluation["metadata"] == {"bad_rows": 1}
    assert usage.returncode == 2, usage
    assert "unknown asset 'sorc'" in usage.stderr and "Did you mean 'src'?" in usage.stderr
    assert both.returncode == 2, both
    assert "--all-partitions" in both.stderr
    checks = sqlite_catalog.latest_check_results(["src"])
    assert checks[("src", "no_negative_amounts")].passed is False


@pytest.mark.usefixtures("sqlite_catalog")  # migrated here, not in the first process
def test_warnings_fail_only_with_strict(
    cli: Callable[..., Any],
    cli_many: Many,
    fixture_path: Callable[[str], Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    loc = fixture_path("engine_checks")
    monkeypatch.setenv("CHECK_MODE", "warn")
    stored = cli("materialize", "-f", loc)
    assert stored.returncode == 0, stored  # a failed warning blocks nothing
    junit = tmp_path / "strict.xml"
    lenient, strict = cli_many(
        [
            ("check", "-f", loc, "--format", "json"),
            ("check", "-f", loc, "--strict", "--junit", junit),
        ]
    )
    assert lenient.returncode == 0, lenient
    [evaluation] = lenient.json()["checks"]
    assert (evaluation["passed"], evaluation["severity"]) == (False, "warn")
    assert lenient.json()["passed"] is True
    assert strict.returncode == 1, strict
    cases = validate_junit(junit).findall(".//testcase")
    assert len(cases) == 1 and cases[0].find("failure") is not None


def test_check_materialize_runs_first(
    cli: Callable[..., Any], fixture_path: Callable[[str], Path], sqlite_catalog: Catalog
) -> None:
    loc = fixture_path("engine_checks")
    result = cli(
        "check", "-f", loc, "--materialize", "--format", "json", env={"CHECK_MODE": "error"}
    )
    assert result.returncode == 1, result
    report = result.json()
    assert report["passed"] is False
    assert any(n.startswith("run failed") for n in report["notes"])
    [run] = sqlite_catalog.list_runs()
    assert run.tags == {"assetline/check": "true"}
    assert run.status == "FAILURE"
    steps = {s.asset_key: s.status for s in sqlite_catalog.steps(run.id)}
    assert steps == {"src": "FAILED", "mid": "SKIPPED", "other": "SKIPPED", "leaf": "SKIPPED"}


@pytest.mark.usefixtures("sqlite_catalog")  # migrated here, not in the first process
def test_check_before_anything_is_stored_errors(
    cli: Callable[..., Any], fixture_path: Callable[[str], Path]
) -> None:
    result = cli("check", "-f", fixture_path("engine_checks"))
    assert result.returncode == 1, result
    assert "materialize it first" in result.stdout
