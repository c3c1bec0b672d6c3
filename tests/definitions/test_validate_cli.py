"""`assetline validate` through the real program: exit codes, messages on stderr, and
never a Python traceback for a user's definition error."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

#: The ``cli`` fixtures of tests/conftest.py run the real ``assetline`` program.
Runner = Callable[..., Any]

LOCATIONS = Path(__file__).resolve().parents[1] / "fixtures" / "locations"

#: Each broken fixture and a phrase its error message must contain.
BROKEN = {
    "cyclic": "Dependency cycle: ",
    "unknown_upstream": "parameter 'ordrs' does not name an upstream asset",
    "duplicate_key": "Asset key sales/orders is defined twice",
    "ambiguous_input": "parameter 'orders' could be any of sales/orders, web/orders",
    "unknown_resource": "requires resource 'warehouse', which is not defined",
    "unknown_io_manager": "uses io_manager='duckbd', which is not defined",
    "bad_partition_mapping": "Asset monthly_revenue",
    "broken_import": "KeyError: 'warehouse_url'",
    "no_assets": "defines no assets and no `defs`",
    "check_on_unknown_asset": "is on unknown asset 'order'",
    "bad_key": "Invalid asset key 'sales/daily orders'",
    "syntax_error": "SyntaxError: '[' was never closed",
    "bad_daily_start": "DailyPartitions(start='2024-31-01') is not a date",
    "not_a_sensor": "Definitions(sensors=...) holds 42, which is not a sensor",
    "cycle_and_typo": "2 definition errors:",
}


def test_cycle_exits_2_with_the_cycle_path_on_stderr(cli: Runner) -> None:
    result = cli("validate", "-f", LOCATIONS / "cyclic.py")
    assert result.returncode == 2, result
    assert result.stdout == ""
    rotations = ["a -> b -> c -> a", "b -> c -> a -> b", "c -> a -> b -> c"]
    assert any(f"Dependency cycle: {r} (" in result.stderr for r in rotations), result
    assert "Remove one of these dependencies." in result.stderr
    assert "Traceback" not in result.stderr


def test_every_definition_error_exits_2_without_a_traceback(cli_many: Runner) -> None:
    results = cli_many([("validate", "-f", LOCATIONS / f"{name}.py") for name in BROKEN])
    for (name, phrase), result in zip(BROKEN.items(), results, strict=True):
        assert result.returncode == 2, result
        assert result.stderr.startswith("error: "), result
        assert phrase in result.stderr, result
        assert f"{LOCATIONS / name}.py:" in result.stderr or name == "no_assets", result
        assert "Traceback" not in result.stderr, result


def test_a_definition_error_shows_the_source_line_and_the_fix(cli: Runner) -> None:
    path = LOCATIONS / "unknown_upstream.py"
    result = cli("validate", "-f", path)
    assert result.returncode == 2, result
    assert result.stderr == (
        "error: Asset daily_revenue: parameter 'ordrs' does not name an upstream asset; no "
        "asset is called 'ordrs'.\n"
        f"  --> {path}:11\n"
        "   |\n"
        "11 | @asset\n"
        "12 | def daily_revenue(ordrs):\n"
        "   |                   ^^^^^\n"
        "   = fix: Did you mean 'orders'? Define that asset, rename the parameter, or map it "
        "with ins={...: AssetIn('key')}.\n"
    )


def test_validate_finds_columns_that_checks_read_but_their_asset_lacks(cli: Runner) -> None:
    path = LOCATIONS / "check_on_missing_column.py"
    result = cli("validate", "-f", path)
    assert result.returncode == 2, result
    assert result.stderr.startswith("error: 2 definition errors:"), result
    assert (
        "Check not_null_total_order_amount on customers reads column 'total_order_amount' "
        "of customers, which has no such column (its columns: customer_id, total_amount)."
    ) in result.stderr
    assert "Did you mean 'total_amount'?" in result.stderr
    # A SQL asset's columns come from its query; the parent of relationships is checked.
    assert (
        "Check relationships_customer_id_customers on orders reads column 'id' of customers"
    ) in result.stderr
    # unique(orders, [customer_id, amount]) is right; undeclared's columns are unknown.
    assert "unique_customer_id_amount" not in result.stderr
    assert "undeclared" not in result.stderr
    assert f"{path}:26" in result.stderr and f"{path}:28" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_syntax_error_names_the_users_file_not_the_loader(cli: Runner) -> None:
    path = LOCATIONS / "syntax_error.py"
    result = cli("validate", "-f", path)
    assert result.returncode == 2, result
    assert result.stderr == (
        f"error: Importing code location {path} failed: SyntaxError: '[' was never closed.\n"
        f" --> {path}:8\n"
        "  |\n"
        "8 |     return [1, 2, 3\n"
        "  |            ^\n"
        "  = fix: Fix the error in that file, then run `assetline validate`.\n"
    )
    assert "loader.py" not in result.stderr


def test_a_bad_partitions_definition_names_the_line_where_it_was_written(cli: Runner) -> None:
    path = LOCATIONS / "bad_daily_start.py"
    result = cli("validate", "-f", path)
    assert result.returncode == 2, result
    assert result.stderr == (
        "error: DailyPartitions(start='2024-31-01') is not a date: expected YYYY-MM-DD or an "
        "ISO date such as 2024-01-01.\n"
        f" --> {path}:5\n"
        "  |\n"
        '5 | DAILY = DailyPartitions(start="2024-31-01")\n'
        "  | ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n"
    )


def test_cycles_are_reported_with_the_other_errors(cli: Runner) -> None:
    path = LOCATIONS / "cycle_and_typo.py"
    result = cli("validate", "-f", path)
    assert result.returncode == 2, result
    blocks = result.stderr.split("\n\n")
    assert blocks[0] == "error: 2 definition errors:"
    assert blocks[1].startswith("Asset report: parameter 'aa' does not name an upstream asset")
    assert blocks[2].startswith(
        f"Dependency cycle: a -> b -> a (a at {path}:6; b at {path}:11).\n --> {path}:6\n"
    )
    assert len(blocks) == 3


def test_valid_location_exits_0(cli: Runner) -> None:
    result = cli("validate", "-f", LOCATIONS / "valid_small.py")
    assert result.returncode == 0, result
    assert "3 assets in 2 groups" in result.stdout
    assert "definitions are valid" in result.stdout
    assert result.stderr == ""


def test_sql_asset_with_a_cte_validates(cli: Runner) -> None:
    result = cli("validate", "-f", LOCATIONS / "sql_with_cte.py")
    assert result.returncode == 0, result


def test_module_found_from_the_working_directory(cli: Runner) -> None:
    result = cli("validate", "-m", "valid_small", cwd=LOCATIONS)
    assert result.returncode == 0, result


def test_module_named_in_pyproject(cli: Runner, tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text('[tool.assetline]\nmodule = "shop_pipeline"\n')
    (project / "shop_pipeline.py").write_text(
        (LOCATIONS / "valid_small.py").read_text(), encoding="utf-8"
    )
    result = cli("validate", cwd=project)
    assert result.returncode == 0, result
    assert "3 assets" in result.stdout


def test_missing_module_is_a_clear_error(cli: Runner, tmp_path: Path) -> None:
    result = cli("validate", "-m", "no_such_pipeline")
    assert result.returncode == 2, result
    assert result.stderr.startswith(
        f"error: Cannot import code location module 'no_such_pipeline' from {tmp_path}: "
        "No module named 'no_such_pipeline'."
    ), result
    assert "Traceback" not in result.stderr


def test_no_code_location_says_how_to_name_one(cli: Runner) -> None:
    result = cli("validate")
    assert result.returncode == 2, result
    assert "No code location: pass -m MODULE or -f FILE.py" in result.stderr
    assert "[tool.assetline] module" in result.stderr


@pytest.mark.parametrize(
    ("args", "phrase"),
    [
        (("-f", "missing_pipeline.py"), "missing_pipeline.py does not exist."),
        (("-m", "valid_small", "-f", "valid_small.py"), "Give either -m MODULE or -f FILE.py"),
    ],
)
def test_bad_location_arguments(cli: Runner, args: tuple[str, ...], phrase: str) -> None:
    result = cli("validate", *args, cwd=LOCATIONS)
    assert result.returncode == 2, result
    assert phrase in result.stderr
    assert "Traceback" not in result.stderr
