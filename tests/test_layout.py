"""The test suite's own conventions that keep it collectable in any order."""

from __future__ import annotations

from pathlib import Path

TESTS = Path(__file__).resolve().parent


def test_helpers_are_imported_by_package_path() -> None:
    """``from conftest import ...`` resolves to whichever conftest.py was imported
    first, so it breaks when folders are collected in another order; import
    ``tests.ui.conftest`` / ``tests.e2e.conftest`` instead."""
    offenders = [
        f"{path.relative_to(TESTS)}:{n}"
        for path in TESTS.rglob("*.py")
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if line.startswith(("from conftest import", "import conftest"))
    ]
    assert offenders == []
