"""Usage errors through the real program: exit 2, a clear message on stderr (a caret
under a bad selection, suggestions, the valid partition range, the asset and field of
bad config), no traceback, and nothing written to the catalog."""

from __future__ import annotations

import json
import pickle
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from assets_core.catalog.catalog import Catalog

Many = Callable[[list[tuple[Any, ...]]], list[Any]]


def assert_usage_error(result: Any, *fragments: str) -> None:
    assert result.returncode == 2, result
    assert result.stdout == "", result
    assert "Traceback" not in result.stderr, result
    assert result.stderr.startswith("error: "), result
    for fragment in fragments:
        assert fragment in result.stderr, f"{fragment!r} not in:\n{result.stderr}"


def test_bad_selection_shows_a_caret(
    cli_many: Many, fixture_path: Callable[[str], Path], sqlite_catalog: Catalog
) -> None:
    loc = fixture_path("engine_branches")
    results = cli_many(
        [
            ("materialize", "-f", loc, "--select", "good_child and ("),
            ("list", "-f", loc, "--select", "root+ or or lone"),
            ("status", "-f", loc, "--select", "good_chlid"),
            ("lineage", "-f", loc, "lnoe"),
        ]
    )
    bad_paren, double_or, typo, lineage = results
    assert_usage_error(bad_paren, "Invalid selection", "expected")
    lines = bad_paren.stderr.splitlines()
    assert lines[-2].strip() == "good_child and ("
    # The caret sits under the position where the expression went wrong.
    assert lines[-1].index("^") == lines[-2].index("(") + 1
    assert_usage_error(double_or, "Invalid selection")
    assert "^" in double_or.stderr
    assert_usage_error(typo, "unknown asset 'good_chlid'", "Did you mean 'good_child'")
    caret = typo.stderr.splitlines()[-1]
    assert caret.strip() == "^" * len("good_chlid")
    assert lineage.returncode == 2, lineage
    assert "'lone'" in lineage.stderr and "Traceback" not in lineage.stderr
    assert sqlite_catalog.list_runs() == []


#: (extra arguments after `materialize -f engine_partitioned.py`, expected fragments)
PARTITION_ERRORS: list[tuple[tuple[str, ...], tuple[str, ...]]] = [
    (
        ("--select", "daily", "--partition", "2024-13-01"),
        ("daily", "2024-13-01", "2024-01-01", "2024-01-31"),
    ),
    (
        ("--select", "daily", "--partition", "2024-02-03"),
        ("daily", "'2024-02-03' is out of range", "2024-01-31"),
    ),
    (
        ("--select", "daily", "--from", "2023-12-30", "--to", "2024-01-02"),
        ("daily", "2023-12-30", "out of range"),
    ),
    (
        ("--select", "multi", "--partition", "2024-01-01|eu|x"),
        ("multi", "'2024-01-01|eu|x'", "date|region"),
    ),
    (
        ("--select", "multi", "--partition", "2024-01-01|mars"),
        ("multi", "'mars'", "eu, us"),
    ),
    (
        ("--select", "plain", "--partition", "2024-01-01"),
        ("no selected asset is partitioned",),
    ),
    (
        ("--select", "daily or rollup or plain"),
        ("partitioned assets", "daily (", "rollup (", "2024-01-01 ... 2024-01-31", "--partition"),
    ),
    (
        ("--select", "daily", "--from", "2024-01-01"),
        ("--from and --to go together",),
    ),
    (
        (
            "--select",
            "daily",
            "--partition",
            "2024-01-01",
            "--from",
            "2024-01-01",
            "--to",
            "2024-01-02",
        ),
        ("either --partition KEY or --from A --to B",),
    ),
]


def test_partition_errors_name_the_asset_and_the_valid_range(
    cli_many: Many, fixture_path: Callable[[str], Path], sqlite_catalog: Catalog
) -> None:
    loc = fixture_path("engine_partitioned")
    commands: list[tuple[Any, ...]] = [("materialize", "-f", loc, *a) for a, _ in PARTITION_ERRORS]
    commands.append(
        ("backfill", "-f", loc, "--select", "daily", "--from", "2024-01-30", "--to", "2024-02-02")
    )
    results = cli_many(commands)
    for (_, fragments), result in zip(PARTITION_ERRORS, results, strict=False):
        assert_usage_error(result, *fragments)
    no_args = results[6]
    assert "plain" not in no_args.stderr
    assert_usage_error(results[-1], "daily", "2024-02-02", "out of range")
    # Nothing was written: no run, no stored value.
    assert sqlite_catalog.list_runs() == []
    assert not (Path(str(sqlite_catalog.engine.url.database)).parent / "storage").exists()


@pytest.mark.usefixtures("sqlite_catalog")  # migrated here, not in the first process
def test_unknown_code_location_and_bad_arguments(
    cli_many: Many, tmp_path: Path, fixture_path: Callable[[str], Path]
) -> None:
    results = cli_many(
        [
            ("list", "-f", tmp_path / "nowhere.py"),
            ("list", "-m", "no_such_module_anywhere"),
            ("list",),
            ("materialize", "-f", fixture_path("engine_branches"), "--tag", "novalue"),
            ("runs", "--limit", "0"),
            ("run", "0000000000"),
        ]
    )
    missing_file, missing_module, no_location, bad_tag, bad_limit, no_run = results
    assert_usage_error(missing_file, "nowhere.py", "does not exist")
    assert_usage_error(missing_module, "no_such_module_anywhere")
    assert_usage_error(no_location, "No code location", "-m MODULE", "-f FILE.py")
    assert_usage_error(bad_tag, "--tag 'novalue'", "key=value")
    assert_usage_error(bad_limit, "--limit")
    # A run id that names no run is a bad argument like any other: exit 2, with a hint.
    assert_usage_error(no_run, "No run '0000000000'", "assetline runs")


def write_config(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_run_config_from_json_and_toml_files(
    cli: Callable[..., Any],
    tmp_path: Path,
    fixture_path: Callable[[str], Path],
    sqlite_catalog: Catalog,
    assetline_home: Path,
) -> None:
    loc = fixture_path("engine_config")
    stored = assetline_home / "storage" / "configured" / "data.pickle"
    cases = [
        (
            "run.json",
            '{"configured": {"limit": 5}}',
            {"limit": 5, "label": "default", "ratio": 0.5},
        ),
        (
            "run.toml",
            '[configured]\nlimit = 7\nlabel = "t"\nratio = 2\n',
            {"limit": 7, "label": "t", "ratio": 2},
        ),
    ]
    for name, text, expected in cases:
        config = write_config(tmp_path / name, text)
        result = cli("materialize", "-f", loc, "--select", "configured", "--config", config)
        assert result.returncode == 0, result
        assert pickle.loads(stored.read_bytes()) == expected
        parsed = json.loads(text) if name.endswith(".json") else tomllib.loads(text)
        assert sqlite_catalog.list_runs(limit=1)[0].config == parsed


BAD_CONFIGS = [
    ("missing.json", "{}", ["Missing config field 'limit'", "configured"]),
    ("unknown.json", '{"configured": {"limit": 1, "limt": 2}}', ["'limt'", "configured"]),
    ("mistyped.json", '{"configured": {"limit": "ten"}}', ["'limit'", "configured", "int"]),
    ("mistyped.toml", '[configured]\nlimit = 1\nratio = "high"\n', ["'ratio'", "configured"]),
    ("other.json", '{"nonexistent": {}}', ["unknown asset 'nonexistent'"]),
    ("broken.json", '{"configured": ', ["does not parse"]),
]


def test_bad_run_config_is_a_usage_error(
    cli_many: Many,
    tmp_path: Path,
    fixture_path: Callable[[str], Path],
    sqlite_catalog: Catalog,
) -> None:
    commands = []
    for name, text, _ in BAD_CONFIGS:
        write_config(tmp_path / name, text)
        commands.append(
            ("materialize", "-f", fixture_path("engine_config"), "--config", tmp_path / name)
        )
    for (_, _, fragments), result in zip(BAD_CONFIGS, cli_many(commands), strict=True):
        assert_usage_error(result, *fragments)
    assert sqlite_catalog.list_runs() == []


def test_executor_options_that_do_not_apply_are_usage_errors(
    cli_many: Many, fixture_path: Callable[[str], Path], sqlite_catalog: Catalog
) -> None:
    loc = fixture_path("engine_branches")
    workers_inprocess, bad_workers, address_inprocess, bad_address, both, backfill = cli_many(
        [
            ("materialize", "-f", loc, "--select", "lone", "--workers", "2"),
            ("materialize", "-f", loc, "--select", "lone", "--executor", "multiprocess",
             "--workers", "0"),
            ("materialize", "-f", loc, "--select", "lone", "--dask-address", "tcp://x:1"),
            ("materialize", "-f", loc, "--select", "lone", "--executor", "dask",
             "--dask-address", "localhost:8786"),
            ("materialize", "-f", loc, "--select", "lone", "--executor", "dask",
             "--dask-address", "tcp://127.0.0.1:8786", "--workers", "3"),
            ("backfill", "-f", loc, "--select", "lone", "--from", "a", "--to", "b",
             "--executor", "dask", "--dask-address", "tcp://127.0.0.1:8786",
             "--max-parallel", "4"),
        ]
    )  # fmt: skip
    assert_usage_error(workers_inprocess, "--workers applies to the multiprocess and dask")
    assert_usage_error(bad_workers, "--workers must be 1 or more")
    assert_usage_error(
        address_inprocess, "--dask-address applies to the dask executor, not inprocess"
    )
    assert_usage_error(bad_address, "'localhost:8786' is not a Dask scheduler address")
    assert_usage_error(both, "a running scheduler at --dask-address has its own workers")
    assert_usage_error(backfill, "its workers decide. Drop --max-parallel.")
    assert sqlite_catalog.list_runs() == []
