"""The public surface of assets_core.checks, and that importing it stays light."""

from __future__ import annotations

import subprocess
import sys

import assets_core.checks as checks


def test_all_is_sorted_and_complete() -> None:
    assert checks.__all__ == sorted(checks.__all__)
    assert set(checks.__all__) == {
        "AssetCheckDefinition",
        "CheckContext",
        "CheckEvaluation",
        "CheckResult",
        "accepted_values",
        "asset_check",
        "freshness",
        "not_null",
        "relationships",
        "row_count",
        "run_check",
        "schema",
        "sql",
        "unique",
        "write_junit",
    }
    for name in checks.__all__:
        assert getattr(checks, name).__doc__, f"{name} has no docstring"


def test_import_loads_no_dataframe_or_database_library() -> None:
    code = (
        "import sys, assets_core.checks; "
        "print(sorted(m for m in ('pandas', 'pyarrow', 'duckdb', 'numpy', 'lxml') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
