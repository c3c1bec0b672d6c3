"""Asset checks: ``@asset_check``, ``CheckResult``, the built-in checks, running a check
(``run_check`` with a ``CheckContext``, giving a ``CheckEvaluation``) and JUnit reports.

Importing this package stays light: pandas, pyarrow and DuckDB load when a check runs.
"""

from assets_core.checks.builtin import accepted_values, not_null, schema, unique
from assets_core.checks.builtin_table import freshness, row_count, sql
from assets_core.checks.check import AssetCheckDefinition, CheckResult, asset_check
from assets_core.checks.junit import write_junit
from assets_core.checks.relationships import relationships
from assets_core.checks.runner import CheckContext, CheckEvaluation, run_check

__all__ = [
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
]
