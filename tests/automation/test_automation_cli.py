"""The automation commands as a user runs them: the ``--format json`` shapes of SPEC §9,
start/stop stored in the catalog, a preview that changes nothing, ``automation why``,
and usage errors (exit 2) for unknown names with suggestions."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.automation.test_daemon_processes import Workspace


@pytest.fixture
def ws(tmp_path: Path, assetline_home: Path) -> Iterator[Workspace]:
    w = Workspace(tmp_path, f"sqlite:///{assetline_home / 'catalog.db'}", {"interval_s": 0.2})
    yield w
    w.close()


def test_schedules_list_start_and_stop(ws: Workspace) -> None:
    listed = ws.cli("schedules", "list", "--format", "json")
    assert listed.returncode == 0, listed
    schedules = json.loads(listed.stdout)["schedules"]
    yearly, nightly = schedules
    assert set(yearly) == {"name", "cron", "timezone", "select", "status", "next_tick_at"}
    assert yearly["name"] == "yearly" and yearly["cron"] == "0 0 1 1 *"
    assert yearly["status"] == "RUNNING" and yearly["next_tick_at"].endswith("-01-01T00:00:00Z")
    assert nightly == {
        "name": "nightly",
        "cron": "0 6 * * *",
        "timezone": "Europe/Berlin",
        "select": "readings+",
        "status": "STOPPED",
        "next_tick_at": None,
    }
    started = ws.cli("schedules", "start", "nightly")
    assert started.returncode == 0 and started.stdout.startswith(
        "Started schedule nightly; next tick "
    )
    nightly = json.loads(ws.cli("schedules", "list", "--format", "json").stdout)["schedules"][1]
    assert nightly["status"] == "RUNNING" and nightly["next_tick_at"].endswith(
        ("T04:00:00Z", "T05:00:00Z")
    )
    assert ws.cli("schedules", "stop", "yearly").returncode == 0
    assert (
        ws.cli("schedules", "stop", "yearly").stdout
        == "Stopped schedule yearly (it already was).\n"
    )
    table = ws.cli("schedules", "list").stdout
    assert "yearly" in table and "STOPPED" in table and "previous_day" in table


def test_unknown_names_are_usage_errors_with_suggestions(ws: Workspace) -> None:
    for args, message in [
        (
            ("schedules", "start", "nightli"),
            "Unknown schedule 'nightli'. Did you mean 'nightly'? Known: nightly, yearly.",
        ),
        (("sensors", "stop", "new_file"), "Unknown sensor 'new_file'. Did you mean 'new_files'?"),
        (("sensors", "preview", "brokn"), "Unknown sensor 'brokn'. Did you mean 'broken'?"),
        (
            ("ticks", "new_file"),
            "No schedule or sensor named 'new_file'. Did you mean 'new_files'?",
        ),
        (
            ("automation", "why", "daily_sumary"),
            "Unknown asset 'daily_sumary'. Did you mean 'daily_summary'?",
        ),
    ]:
        result = ws.cli(*args)
        assert result.returncode == 2, result
        assert message in result.stderr, result
        assert "Traceback" not in result.stderr


def test_sensors_list_preview_and_stop(ws: Workspace) -> None:
    ws.land("2024-01-02.csv")
    preview = ws.cli("sensors", "preview", "new_files", "--format", "json")
    assert preview.returncode == 0, preview
    assert json.loads(preview.stdout) == {
        "sensor": "new_files",
        "skip_reason": None,
        "run_requests": [
            {
                "select": "readings",
                "partitions": ["2024-01-02"],
                "run_key": "2024-01-02.csv",
                "tags": {},
            }
        ],
    }
    text = ws.cli("sensors", "preview", "new_files").stdout
    assert "RunRequest select=readings partitions=2024-01-02 run_key=2024-01-02.csv" in text
    assert "Would set the cursor to '[\"2024-01-02.csv\"]' (unchanged: this is a preview)." in text
    sensors = json.loads(ws.cli("sensors", "list", "--format", "json").stdout)["sensors"]
    assert sensors[0] == {
        "name": "new_files",
        "interval_s": 0.0,
        "select": "readings",
        "status": "RUNNING",
        "cursor": None,  # the preview moved nothing
    }
    assert [s["status"] for s in sensors[1:]] == ["STOPPED"] * 3
    assert ws.runs() == []
    failed = ws.cli("sensors", "preview", "broken")
    assert failed.returncode == 1
    assert "sensor broken failed: ValueError: boom (at " in failed.stderr
    assert ws.cli("sensors", "stop", "new_files").returncode == 0
    result = ws.cli("daemon", "--once")
    assert result.returncode == 0, result
    assert ws.runs() == [] and ws.catalog.list_ticks(["new_files"]) == []  # stopped


def test_ticks_and_automation_why_after_a_daemon_tick(ws: Workspace) -> None:
    ws.land("2024-01-02.csv")
    assert ws.cli("daemon", "--once").returncode == 0
    ticks = json.loads(ws.cli("ticks", "--format", "json").stdout)["ticks"]
    assert [(t["name"], t["kind"], t["status"]) for t in ticks] == [
        ("automation", "automation", "SKIPPED"),
        ("new_files", "sensor", "SUCCESS"),
    ]
    assert set(ticks[1]) == {"name", "kind", "timestamp", "status", "reason", "run_ids"}
    assert ticks[0]["reason"] == "no condition requested a run" and ticks[0]["run_ids"] == []
    (run_id,) = ticks[1]["run_ids"]
    assert ws.catalog.get_run(run_id).partitions == ["2024-01-02"]
    assert len(json.loads(ws.cli("ticks", "--limit", "1", "--format", "json").stdout)["ticks"]) == 1
    assert (
        json.loads(ws.cli("ticks", "automation", "--format", "json").stdout)["ticks"] == ticks[:1]
    )

    why = json.loads(ws.cli("automation", "why", "daily_summary", "--format", "json").stdout)
    assert why["asset"] == "daily_summary" and why["condition"] == "eager()"
    reasons = {e["reason"]: e for e in why["evaluations"]}
    assert reasons["waiting: upstream readings has a run queued or in progress"]["partitions"] == [
        ["2024-01-02", "2024-01-02"]
    ]
    missing = reasons["skipped: upstream readings is missing"]
    assert missing["requested"] is False and missing["partition_count"] == 30
    one = json.loads(
        ws.cli(
            "automation", "why", "daily_summary", "--partition", "2024-01-02", "--format", "json"
        ).stdout
    )
    assert [e["reason"] for e in one["evaluations"]] == [
        "waiting: upstream readings has a run queued or in progress"
    ]
    plain = ws.cli("automation", "why", "readings")
    assert "readings has no automation condition" in plain.stdout
    bad = ws.cli("automation", "why", "daily_summary", "--partition", "2024-13-01")
    assert bad.returncode == 2 and "2024-13-01" in bad.stderr


def test_daemon_settings_are_checked(ws: Workspace) -> None:
    result = ws.cli("daemon", "--once", "--interval", "0")
    assert result.returncode == 2
    assert "--interval must be a positive number of seconds (got 0.0)." in result.stderr
    (ws.root / "pyproject.toml").write_text("[tool.assetline.daemon]\nsensor_timeout = 5\n")
    result = ws.cli("daemon", "--once")
    assert result.returncode == 2
    assert "[tool.assetline.daemon] in" in result.stderr
    assert (
        "unknown setting(s) sensor_timeout; known: interval_s, automation_interval_s"
        in result.stderr
    )
