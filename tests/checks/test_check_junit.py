"""write_junit: reports valid against the JUnit schema CI systems use (junit.xsd beside
this file, validated with lxml), with what CI shows for each kind of evaluation."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from assets_core.checks import (
    CheckContext,
    CheckEvaluation,
    CheckResult,
    asset_check,
    run_check,
    write_junit,
)
from assets_core.keys import AssetKey

SCHEMA = etree.XMLSchema(etree.parse(str(Path(__file__).with_name("junit.xsd"))))
NOW = datetime(2024, 6, 1, tzinfo=UTC)


def evaluate(
    name: str, outcome: Any, severity: str = "error", partition: str | None = None
) -> CheckEvaluation:
    """Run a check named ``name`` on sales/orders that returns (or raises) ``outcome``."""

    def fn(orders: Any) -> Any:
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    fn.__name__ = name
    check = asset_check(asset="sales/orders", severity=severity)(fn)  # type: ignore[arg-type]
    context = CheckContext(AssetKey(("sales", "orders")), partition_key=partition, now=NOW)
    return run_check(check, None, context)


def evaluations() -> list[CheckEvaluation]:
    return [
        evaluate("ok", CheckResult(True, {"rows": 3}, description="3 rows")),
        evaluate("nulls", CheckResult(False, {"nulls": 2}, description="2 nulls in id")),
        evaluate("soft", CheckResult(False, description="slightly late"), severity="warn"),
        evaluate("boom", RuntimeError("kaput")),
        evaluate("soft_boom", KeyError("x"), severity="warn"),
        evaluate("daily", CheckResult(True), partition="2024-01-01"),
    ]


def write(tmp_path: Path, evs: list[CheckEvaluation], **kwargs: Any) -> ET.Element:
    """Write the report, validate it against the schema and return its root."""
    path = tmp_path / "reports" / "checks.xml"
    write_junit(evs, path, **kwargs)
    document = etree.parse(str(path))
    SCHEMA.assertValid(document)
    assert [p.name for p in path.parent.iterdir()] == ["checks.xml"]  # no temp file left
    return ET.parse(path).getroot()


def case(root: ET.Element, name: str) -> ET.Element:
    found = root.find(f"./testsuite/testcase[@name='{name}']")
    assert found is not None, name
    return found


def counts(element: ET.Element) -> dict[str, str]:
    return {k: element.attrib[k] for k in ("tests", "failures", "errors", "skipped")}


def test_report_is_valid_and_counts_like_the_exit_code(tmp_path: Path) -> None:
    root = write(tmp_path, evaluations())

    assert root.tag == "testsuites"
    assert root.attrib["name"] == "assetline"
    (suite,) = root.findall("testsuite")
    expected = {"tests": "6", "failures": "1", "errors": "1", "skipped": "2"}
    assert counts(root) == counts(suite) == expected
    assert [(c.attrib["classname"], c.attrib["name"]) for c in suite] == [
        ("sales/orders", "ok"),
        ("sales/orders", "nulls"),
        ("sales/orders", "soft"),
        ("sales/orders", "boom"),
        ("sales/orders", "soft_boom"),
        ("sales/orders", "daily[2024-01-01]"),
    ]
    assert all(float(c.attrib["time"]) >= 0 for c in suite)


def test_failures_errors_and_warnings(tmp_path: Path) -> None:
    root = write(tmp_path, evaluations())

    passed = case(root, "ok")
    assert [child.tag for child in passed] == ["system-out"]
    assert passed.findtext("system-out") == 'PASSED: 3 rows\n\n{\n  "rows": 3\n}'

    failure = case(root, "nulls").find("failure")
    assert failure is not None
    assert failure.attrib == {"message": "2 nulls in id", "type": "error"}
    assert failure.text == 'FAILED: 2 nulls in id\n\n{\n  "nulls": 2\n}'

    error = case(root, "boom").find("error")
    assert error is not None
    assert error.attrib["type"] == "CheckErrored"
    assert error.attrib["message"].startswith("Check 'boom' on sales/orders (")
    assert error.attrib["message"].endswith(") raised RuntimeError: kaput")
    assert error.text is not None and "Traceback (most recent call last)" in error.text
    assert error.text.rstrip().endswith("RuntimeError: kaput")

    skipped = case(root, "soft").find("skipped")
    assert skipped is not None
    assert skipped.attrib == {"message": "warning: check failed: slightly late"}
    assert case(root, "soft").findtext("system-out") == "FAILED: slightly late"
    errored_warning = case(root, "soft_boom").find("skipped")
    assert errored_warning is not None
    assert errored_warning.attrib["message"].startswith("warning: check errored: Check 'soft_boom'")


def test_strict_reports_warnings_as_failures_and_errors(tmp_path: Path) -> None:
    root = write(tmp_path, evaluations(), strict=True, suite_name="ci")

    assert root.attrib["name"] == "ci"
    assert counts(root) == {"tests": "6", "failures": "2", "errors": "2", "skipped": "0"}
    failure = case(root, "soft").find("failure")
    assert failure is not None
    assert failure.attrib == {"message": "slightly late", "type": "warn"}
    assert case(root, "soft_boom").find("error") is not None


def test_markup_and_characters_xml_cannot_carry(tmp_path: Path) -> None:
    text = '<b>&amp;</b> "quoted" \x00\x1b ok\U0001f600'
    root = write(tmp_path, [evaluate("odd", CheckResult(False, {"v": text}, description=text))])

    failure = case(root, "odd").find("failure")
    assert failure is not None
    assert failure.attrib["message"] == '<b>&amp;</b> "quoted" \ufffd\ufffd ok\U0001f600'


def test_empty_report_is_valid(tmp_path: Path) -> None:
    root = write(tmp_path, [])
    assert counts(root) == {"tests": "0", "failures": "0", "errors": "0", "skipped": "0"}


def test_the_schema_rejects_what_ci_would_not_read(tmp_path: Path) -> None:
    """The schema is a real check: a report with a misplaced element fails it."""
    bad = (
        '<testsuites><testsuite name="s" tests="1"><testcase name="c">'
        "<system-out>x</system-out><failure message='m'/></testcase></testsuite></testsuites>"
    )
    with pytest.raises(etree.DocumentInvalid):
        SCHEMA.assertValid(etree.fromstring(bad))
