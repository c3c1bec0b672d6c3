"""What a newcomer trips over, through the real program: a filter that matches nothing
is a usage error with suggestions (never a green no-op), an expression that is valid
but empty says so and exits 0, a missing run id is a usage error, and the catalog
commands take -m/-f like every other command."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from assets_core.catalog.catalog import Catalog

Many = Callable[[list[tuple[Any, ...]]], list[Any]]


def assert_usage_error(result: Any, *fragments: str) -> None:
    assert result.returncode == 2, result
    assert "Traceback" not in result.stderr, result
    assert result.stderr.startswith("error: "), result
    for fragment in fragments:
        assert fragment in result.stderr, f"{fragment!r} not in:\n{result.stderr}"


def test_a_filter_that_matches_nothing_is_a_usage_error_in_every_command(
    cli_many: Many, fixture_path: Callable[[str], Path], sqlite_catalog: Catalog
) -> None:
    loc = fixture_path("newcomer_shop")
    results = cli_many(
        [
            ("materialize", "-f", loc, "--select", "group:mart"),
            ("check", "-f", loc, "--select", "group:mart"),
            ("backfill", "-f", loc, "--select", "group:mart", "--from", "a", "--to", "b"),
            ("list", "-f", loc, "--select", "tag:tier=platnum"),
            ("status", "-f", loc, "--select", "owner:team:dta"),
            ("list", "-f", loc, "--select", "kind:dbt"),
            ("list", "-f", loc, "--select", "key:stg_*"),
            ("list", "-f", loc, "--select", "stg_*"),
            ("list", "-f", loc, "--select", "not group:mrts"),
        ]
    )
    materialize, check, backfill, tag, owner, kind, key, bare_glob, negated = results
    for r in (materialize, check, backfill):
        assert_usage_error(r, "'group:mart' matches no asset", "Did you mean 'group:marts'?")
        assert "Known groups: marts, staging." in r.stderr
        assert r.stderr.splitlines()[-1].strip() == "^" * len("group:mart")
    assert_usage_error(tag, "'tag:tier=platnum' matches no asset", "tag:tier=gold, tag:tier=silver")
    assert_usage_error(owner, "Did you mean 'owner:team:data'?")
    assert_usage_error(kind, "'kind:dbt' matches no asset", "Known kinds: external, python, sql.")
    assert_usage_error(key, "Did you mean 'key:*/stg_*'?")
    assert_usage_error(bare_glob, "unknown asset 'stg_'", "write 'key:*/stg_*'")
    assert_usage_error(negated, "'group:mrts' matches no asset", "'group:marts'")
    assert sqlite_catalog.list_runs() == []


def test_a_valid_selection_that_is_empty_says_so_and_exits_0(
    cli_many: Many, fixture_path: Callable[[str], Path], sqlite_catalog: Catalog
) -> None:
    loc = fixture_path("newcomer_shop")
    empty = "group:marts and group:staging"
    results = cli_many(
        [
            ("materialize", "-f", loc, "--select", empty),
            ("check", "-f", loc, "--select", empty),
            ("list", "-f", loc, "--select", "not (group:marts or group:staging)"),
            ("status", "-f", loc, "--select", empty, "--format", "json"),
        ]
    )
    for r in results:
        assert r.returncode == 0, r
        assert "selects no assets" in r.stderr, r
    assert "nothing to materialize, no run recorded" in results[0].stderr
    assert "no checks to run" in results[1].stderr
    assert results[3].json() == {"assets": []}
    assert sqlite_catalog.list_runs() == []


def test_a_missing_run_id_is_a_usage_error(
    cli_many: Many, fixture_path: Callable[[str], Path], sqlite_catalog: Catalog
) -> None:
    loc = fixture_path("newcomer_shop")
    run, reexecute = cli_many([("run", "nosuchrun"), ("reexecute", "-f", loc, "nosuchrun")])
    assert_usage_error(run, "No run 'nosuchrun' in the catalog", "assetline runs")
    assert_usage_error(reexecute, "No run 'nosuchrun' in the catalog")


def test_catalog_commands_take_the_code_location_like_every_other(
    cli_many: Many, fixture_path: Callable[[str], Path], sqlite_catalog: Catalog, tmp_path: Path
) -> None:
    loc = fixture_path("newcomer_shop")
    (done,) = cli_many([("materialize", "-f", loc, "--select", "*marts/orders")])
    assert done.returncode == 0, done
    run_id = sqlite_catalog.list_runs()[0].id
    missing = tmp_path / "nope.py"
    results = cli_many(
        [
            ("runs", "-f", loc, "--format", "json"),
            ("run", run_id, "-f", loc, "--format", "json"),
            ("catalog", "upgrade", "-f", loc),
            ("catalog", "prune", "-f", loc, "--older-than-days", "30"),
            ("partitions", "list", "-f", loc, "nosuch"),
            ("runs", "-f", missing),
            ("run", run_id, "-m", "no_such_module_here"),
        ]
    )
    runs, run, upgrade, prune, partitions, bad_file, bad_module = results
    assert [r["id"] for r in runs.json()["runs"]] == [run_id]
    assert run.json()["status"] == "SUCCESS"
    assert upgrade.returncode == 0 and "up to date" in upgrade.stdout, upgrade
    assert prune.returncode == 0 and "Deleted 0 events" in prune.stdout, prune
    assert_usage_error(partitions, "nosuch")
    for r in (bad_file, bad_module):
        assert r.returncode == 2, r
        assert "unrecognized arguments" not in r.stderr, r


def test_materialize_summary_counts_checks_and_prints_why_a_blocking_check_failed(
    cli_many: Many, fixture_path: Callable[[str], Path], sqlite_catalog: Catalog
) -> None:
    (failed,) = cli_many([("materialize", "-f", fixture_path("newcomer_checks"))])
    assert failed.returncode == 1, failed
    out = " ".join(failed.stdout.split())  # the console folds long lines
    assert (
        "✗ blocking check customers:not_null_total_order_amount FAILED: Column "
        "'total_order_amount' not found in customers; available columns: customer_id, "
        "status, total_amount. Did you mean 'total_amount'?"
    ) in out
    # The warning's reason holds "[red]": printed as written, not as markup.
    assert (
        "! warning customers:accepted_values_status FAILED: status has 1 unexpected value "
        "in 1 rows: '[red]gone' (1)."
    ) in out
    assert out.endswith("1 failed, 1 skipped. Checks: 1 passed, 1 failed, 1 warned.")
    # The blocking failure comes first, before the warning.
    assert out.index("blocking check") < out.index("! warning")

    (ok,) = cli_many([("materialize", "-f", fixture_path("newcomer_shop"))])
    assert ok.returncode == 0, ok
    assert ok.stdout.rstrip().endswith("4 success. Checks: 2 passed, 0 failed, 0 warned.")


def test_list_json_shows_static_metadata_and_the_sql_of_sql_assets(
    cli_many: Many, fixture_path: Callable[[str], Path]
) -> None:
    (listed,) = cli_many(
        [("list", "-f", fixture_path("ui_location"), "--select", "raw_orders+", "--format", "json")]
    )
    assert listed.returncode == 0, listed
    assets = {a["key"]: a for a in listed.json()["assets"]}
    assert assets["raw_orders"]["metadata"] == {
        "source": "shop export",
        "docs": {"sla_hours": 24},
    }
    assert assets["orders_clean"]["metadata"] == {}
    (sql,) = cli_many(
        [("list", "-f", fixture_path("ui_location"), "--select", "revenue", "--format", "json")]
    )
    assert sql.json()["assets"][0]["metadata"] == {
        "sql": "SELECT day, sum(amount) AS revenue FROM orders_clean GROUP BY day"
    }


def test_options_that_would_be_ignored_are_usage_errors(
    cli_many: Many, fixture_path: Callable[[str], Path], sqlite_catalog: Catalog
) -> None:
    loc = fixture_path("newcomer_shop")
    status, check, partition = cli_many(
        [
            ("status", "-f", loc, "--select", "group:marts", "--partitions", "marts/orders"),
            ("check", "-f", loc, "--materialize", "--all-partitions"),
            ("check", "-f", loc, "--partition", "2024-01-01"),
        ]
    )
    assert_usage_error(status, "--select does not apply")
    assert_usage_error(check, "--all-partitions checks every stored partition")
    assert_usage_error(partition, "--partition chooses partitions of partitioned assets")
    assert sqlite_catalog.list_runs() == []
