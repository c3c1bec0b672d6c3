"""The public API's types, as mypy sees them in a user's project.

Each ``typecheck_*.py`` snippet beside this file holds ``assert_type`` checks and wrong
uses marked ``# type: ignore[code]`` under ``# E: message  [code]`` lines. ``make lint``
type-checks the snippets as they are; this test removes the ignores and asserts that mypy
reports exactly the ``# E:`` errors, line by line, and nothing else.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
SNIPPETS = sorted(HERE.glob("typecheck_*.py"))
IGNORE = re.compile(r"  # type: ignore\[[a-z, -]+\]$")
EXPECT = re.compile(r"^\s*# E: (.*)$")
DIAGNOSTIC = re.compile(r"^(?P<file>[^:]+\.py):(?P<line>\d+): error: (?P<message>.*)$")


def strip_ignores(source: str, name: str) -> tuple[str, list[tuple[str, int, str]]]:
    """The source without its ignores, and the (file, line, message) errors it must give."""
    lines: list[str] = []
    expected: list[tuple[str, int, str]] = []
    pending: list[str] = []
    for number, line in enumerate(source.splitlines(), start=1):
        match = EXPECT.match(line)
        if match:
            pending.append(match.group(1))
        elif line.strip():
            if bool(pending) != bool(IGNORE.search(line)):
                raise AssertionError(f"{name}:{number}: pair each `# type: ignore` with `# E:`")
            expected.extend((name, number, message) for message in pending)
            pending = []
            line = IGNORE.sub("", line)
        lines.append(line)
    return "\n".join(lines) + "\n", expected


def run_mypy(files: list[Path]) -> list[tuple[str, int, str]]:
    """mypy's errors on ``files`` with the project's configuration (strict)."""
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--config-file",
            str(ROOT / "pyproject.toml"),
            "--no-error-summary",
            "--hide-error-context",
            *map(str, files),
        ],
        cwd=ROOT,  # shares make lint's .mypy_cache: assets_core is not re-analysed
        capture_output=True,
        text=True,
        timeout=600,
    )
    if proc.returncode not in (0, 1) or proc.stderr:
        raise AssertionError(f"mypy failed (exit {proc.returncode}):\n{proc.stderr}")
    found = []
    for line in proc.stdout.splitlines():
        match = DIAGNOSTIC.match(line)
        if match:
            name = Path(match["file"]).name
            found.append((name, int(match["line"]), match["message"]))
    return found


def test_snippets_exist() -> None:
    assert [p.name for p in SNIPPETS] == [
        "typecheck_automation.py",
        "typecheck_decorators.py",
        "typecheck_definitions.py",
        "typecheck_materialize.py",
    ]


@pytest.mark.slow
def test_mypy_reports_exactly_the_expected_errors(tmp_path: Path) -> None:
    copies: list[Path] = []
    expected: list[tuple[str, int, str]] = []
    for snippet in SNIPPETS:
        source, errors = strip_ignores(snippet.read_text(), snippet.name)
        copy = tmp_path / snippet.name
        copy.write_text(source)
        copies.append(copy)
        expected.extend(errors)
    assert len(expected) >= 10  # the negative cases are there
    assert sorted(run_mypy(copies)) == sorted(expected)


def test_a_wrong_direct_call_of_an_asset_is_reported(tmp_path: Path) -> None:
    """The issue's example, as a user's file: mypy names the asset and the arguments."""
    user = tmp_path / "user_assets.py"
    user.write_text(
        "from assets_core import asset\n"
        "\n"
        "\n"
        "@asset\n"
        "def daily_orders(raw_orders: list[int]) -> int:\n"
        "    return len(raw_orders)\n"
        "\n"
        "\n"
        'daily_orders(1, 2, 3, "wrong")\n'
    )
    assert run_mypy([user]) == [
        ("user_assets.py", 9, 'Too many arguments for "daily_orders"  [call-arg]'),
        (
            "user_assets.py",
            9,
            'Argument 1 to "daily_orders" has incompatible type "int"; expected "list[int]"  '
            "[arg-type]",
        ),
    ]
