"""``assetline reexecute RUN_ID [--from-failure]`` (SPEC §10): re-run a run's
selection, or only what failed or never ran."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from assets_core.catalog.catalog import Catalog


def take_calls(calls_dir: Path) -> list[str]:
    log = calls_dir / "calls"
    if not log.exists():
        return []
    lines = log.read_text().splitlines()
    log.unlink()
    return lines


def test_reexecute_from_failure_reruns_only_what_failed_or_never_ran(
    cli: Callable[..., Any],
    fixture_path: Callable[[str], Path],
    sqlite_catalog: Catalog,
    tmp_path: Path,
) -> None:
    loc = fixture_path("engine_branches")
    calls = tmp_path / "calls"
    first = cli("materialize", "-f", loc, env={"FAIL_ASSETS": "bad", "CALLS_DIR": str(calls)})
    assert first.returncode == 1, first
    take_calls(calls)
    parent = sqlite_catalog.list_runs()[0]

    again = cli(
        "reexecute", "-f", loc, parent.id[:10], "--from-failure", env={"CALLS_DIR": str(calls)}
    )
    assert again.returncode == 0, again
    assert take_calls(calls) == ["bad", "bad_child", "bad_grandchild"]
    child = sqlite_catalog.list_runs()[0]
    assert child.parent_run_id == parent.id
    assert child.status == "SUCCESS"
    assert {s.asset_key for s in sqlite_catalog.steps(child.id)} == {
        "bad",
        "bad_child",
        "bad_grandchild",
    }
    # The re-run read the root the first run stored.
    [bad] = [m for m in sqlite_catalog.materializations_for_run(child.id) if m.asset_key == "bad"]
    [root] = sqlite_catalog.provenance(bad.id)
    assert (root.asset_key, root.run_id) == ("root", parent.id)


def test_reexecute_without_from_failure_reruns_the_whole_selection(
    cli: Callable[..., Any],
    fixture_path: Callable[[str], Path],
    sqlite_catalog: Catalog,
    tmp_path: Path,
) -> None:
    loc = fixture_path("engine_branches")
    calls = tmp_path / "calls"
    first = cli("materialize", "-f", loc, "--select", "root+", "--tag", "team=qa")
    assert first.returncode == 0, first
    parent = sqlite_catalog.list_runs()[0]

    again = cli("reexecute", "-f", loc, parent.id, env={"CALLS_DIR": str(calls)})
    assert again.returncode == 0, again
    assert sorted(take_calls(calls)) == ["bad", "good", "root"]
    child = sqlite_catalog.list_runs()[0]
    assert (child.parent_run_id, child.selection, child.tags) == (
        parent.id,
        "root+",
        {"team": "qa"},
    )


def test_reexecute_from_failure_of_a_successful_run_is_a_usage_error(
    cli: Callable[..., Any], fixture_path: Callable[[str], Path], sqlite_catalog: Catalog
) -> None:
    loc = fixture_path("engine_branches")
    assert cli("materialize", "-f", loc, "--select", "lone").returncode == 0
    parent = sqlite_catalog.list_runs()[0]
    again = cli("reexecute", "-f", loc, parent.id, "--from-failure")
    assert again.returncode == 2, again
    assert "only a FAILURE or CANCELED run" in again.stderr
    assert len(sqlite_catalog.list_runs()) == 1


def test_reexecute_from_failure_of_a_backfill_reruns_only_failed_partitions(
    cli: Callable[..., Any],
    fixture_path: Callable[[str], Path],
    sqlite_catalog: Catalog,
    tmp_path: Path,
) -> None:
    loc = fixture_path("engine_partitioned")
    calls = tmp_path / "calls"
    args = ("--select", "daily or rollup", "--from", "2024-01-01", "--to", "2024-01-05")
    env = {"CALLS_DIR": str(calls)}
    first = cli("backfill", "-f", loc, *args, env={**env, "FAIL_PARTITIONS": "2024-01-03"})
    assert first.returncode == 1, first
    take_calls(calls)
    parent = sqlite_catalog.list_runs()[0]

    again = cli("reexecute", "-f", loc, parent.id, "--from-failure", env=env)
    assert again.returncode == 0, again
    assert take_calls(calls) == ["daily 2024-01-03", "rollup 2024-01-03"]


def test_reexecuting_a_reexecution_from_failure_runs_only_what_is_still_undone(
    cli: Callable[..., Any],
    fixture_path: Callable[[str], Path],
    sqlite_catalog: Catalog,
    tmp_path: Path,
) -> None:
    loc = fixture_path("engine_branches")
    calls = tmp_path / "calls"
    env = {"CALLS_DIR": str(calls)}
    assert (
        cli("materialize", "-f", loc, env={**env, "FAIL_ASSETS": "bad,good_child"}).returncode == 1
    )
    first = sqlite_catalog.list_runs()[0]
    take_calls(calls)

    second = cli(
        "reexecute", "-f", loc, first.id, "--from-failure", env={**env, "FAIL_ASSETS": "good_child"}
    )
    assert second.returncode == 1, second
    assert sorted(take_calls(calls)) == ["bad", "bad_child", "bad_grandchild", "good_child"]
    retry = sqlite_catalog.list_runs()[0]
    [start] = [e for e in sqlite_catalog.events(retry.id) if e.type == "RUN_START"]
    assert start.message.startswith("Started run of 4 steps")

    third = cli("reexecute", "-f", loc, retry.id, "--from-failure", env=env)
    assert third.returncode == 0, third
    assert take_calls(calls) == ["good_child"]
    last = sqlite_catalog.list_runs()[0]
    assert (last.parent_run_id, last.resume) == (retry.id, "from_failure")
    assert [s.asset_key for s in sqlite_catalog.steps(last.id)] == ["good_child"]
