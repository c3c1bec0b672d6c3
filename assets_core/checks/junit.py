"""JUnit XML reports of check evaluations, which CI systems (GitHub Actions reporters,
GitLab, Jenkins, Azure DevOps) show as test results.

One ``<testsuite>`` holds one ``<testcase>`` per evaluation: ``classname`` is the asset
key, ``name`` the check name with ``[partition]`` for a partitioned asset, ``time``
its duration in seconds. The report says what ``assetline check`` decides, so that a
CI page and the exit code agree:

=======================  ===========================  ===========================
evaluation               default                      ``strict=True``
=======================  ===========================  ===========================
PASSED                   passed testcase              passed testcase
FAILED, severity error   ``<failure type="error">``   ``<failure type="error">``
FAILED, severity warn    ``<skipped>`` "warning: ..." ``<failure type="warning">``
ERRORED, severity error  ``<error>`` with traceback   ``<error>`` with traceback
ERRORED, severity warn   ``<skipped>`` "warning: ..." ``<error>`` with traceback
=======================  ===========================  ===========================

A warning is a ``<skipped>`` test because that is the one non-failing state every CI
system shows (counted and highlighted, with its message), where ``<system-out>``
alone would hide it behind a green test. The body of a ``<failure>`` or ``<error>``,
or else the testcase's ``<system-out>``, carries the status and message, the metadata
as JSON and, for an errored check, the traceback.
"""

from __future__ import annotations

import json
import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from assets_core.checks.runner import CheckEvaluation

# Characters XML 1.0 cannot carry, even escaped; ElementTree would write them as is.
_INVALID_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_MAX_MESSAGE = 1000


def write_junit(
    evaluations: Sequence[CheckEvaluation],
    path: str | os.PathLike[str],
    suite_name: str = "assetline",
    *,
    strict: bool = False,
) -> None:
    """Write ``evaluations`` as a JUnit XML report to ``path`` (atomically: a file
    beside it, then renamed; parent folders are created).

    Args:
        evaluations: The check evaluations, in the order to report them.
        path: Where to write the report.
        suite_name: The name of the test suite (and of the report).
        strict: Report failed and errored warnings as failures and errors, as
            ``assetline check --strict`` fails on them.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(junit_xml(evaluations, suite_name, strict=strict), encoding="utf-8")
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def junit_xml(
    evaluations: Sequence[CheckEvaluation], suite_name: str = "assetline", *, strict: bool = False
) -> str:
    """The JUnit XML report of ``evaluations`` as a string; see ``write_junit``."""
    counts = {"failures": 0, "errors": 0, "skipped": 0}
    suite = ET.Element("testsuite", name=_clean(suite_name))
    for evaluation in evaluations:
        suite.append(_testcase(evaluation, strict, counts))
    total_time = f"{sum(e.duration_s for e in evaluations):.3f}"
    stats = {"tests": str(len(evaluations)), **{k: str(v) for k, v in counts.items()}}
    suite.attrib.update(
        stats, time=total_time, timestamp=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    )
    root = ET.Element("testsuites", {"name": _clean(suite_name), "time": total_time, **stats})
    root.append(suite)
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _testcase(evaluation: CheckEvaluation, strict: bool, counts: dict[str, int]) -> ET.Element:
    name = evaluation.check_name
    if evaluation.partition_key is not None:
        name += f"[{evaluation.partition_key}]"
    case = ET.Element(
        "testcase",
        classname=_clean(str(evaluation.asset_key)),
        name=_clean(name),
        time=f"{evaluation.duration_s:.3f}",
    )
    message = _clean(evaluation.message)[:_MAX_MESSAGE]
    as_failure = evaluation.severity == "error" or strict
    if evaluation.status == "FAILED" and as_failure:
        counts["failures"] += 1
        failure = ET.SubElement(case, "failure", message=message, type=evaluation.severity)
        failure.text = _details(evaluation)
    elif evaluation.status == "ERRORED" and as_failure:
        counts["errors"] += 1
        error = ET.SubElement(case, "error", message=message, type="CheckErrored")
        error.text = _details(evaluation)
    else:
        if evaluation.status != "PASSED":
            counts["skipped"] += 1
            what = "check errored" if evaluation.status == "ERRORED" else "check failed"
            ET.SubElement(case, "skipped", message=f"warning: {what}: {message}"[:_MAX_MESSAGE])
        ET.SubElement(case, "system-out").text = _details(evaluation)
    return case


def _details(evaluation: CheckEvaluation) -> str:
    parts = [f"{evaluation.status}: {evaluation.message}"]
    if evaluation.metadata:
        parts.append(json.dumps(evaluation.metadata, indent=2, sort_keys=True, default=str))
    if evaluation.traceback:
        parts.append(evaluation.traceback)
    return _clean("\n\n".join(parts))


def _clean(text: str) -> str:
    return _INVALID_XML.sub("\ufffd", text)
