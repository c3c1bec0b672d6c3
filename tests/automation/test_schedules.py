"""Schedules: their definition errors, which partitions a tick runs, and ticking them in
the daemon on a fake clock (first seen, due ticks, catch-up, start/stop, run keys), on
SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from assets_core import (
    DailyPartitions,
    Definitions,
    HourlyPartitions,
    Schedule,
    StaticPartitions,
    asset,
)
from assets_core.automation.schedules import resolve_target, tick_partitions
from assets_core.automation.validate import automation_errors, check_automation
from assets_core.catalog.catalog import Catalog
from assets_core.errors import DefinitionError, UsageError
from assets_core.execution.plan import PartitionRequest
from tests.automation.conftest import Clock, held_daemon


@asset(partitions=DailyPartitions(start="2024-01-01"))
def orders() -> int:
    return 1


@asset(partitions=DailyPartitions(start="2024-01-01"))
def revenue(orders: int) -> int:
    return orders


@asset(partitions=HourlyPartitions(start="2024-01-01-00:00", timezone="Europe/Berlin"))
def clicks() -> int:
    return 1


@asset(partitions=StaticPartitions(["eu", "us"]))
def regions() -> int:
    return 1


@asset
def report() -> int:
    return 1


ASSETS = [orders, revenue, clicks, regions, report]


def line_of(text: str) -> int:
    source = Path(__file__).read_text().splitlines()
    return next(i for i, line in enumerate(source, start=1) if text in line)


# -- definitions ------------------------------------------------------------------------
def test_a_bad_selection_is_a_definition_error_at_the_schedule_line() -> None:
    nightly = Schedule("nightly", cron="0 6 * * *", select="ordres+")  # the typo line
    defs = Definitions(assets=ASSETS, schedules=[nightly])
    with pytest.raises(DefinitionError) as info:
        check_automation(defs)
    message = info.value.message
    assert message.startswith(f"{__file__}:{line_of('# the typo line')}: Schedule 'nightly'")
    assert "ordres" in message and "orders" in message  # with the close match


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (
            lambda: Schedule("bad name", "0 6 * * *", "report"),
            "Schedule name 'bad name' is not valid",
        ),
        (lambda: Schedule("s", "0 25 * * *", "report"), "Invalid cron expression '0 25 * * *'"),
        (lambda: Schedule("s", "0 6 * * *", "report", timezone="Mars/Base"), "Unknown timezone"),
        (
            lambda: Schedule("s", "0 6 * * *", "report", partition="yesterday"),
            "partition='yesterday'",
        ),
        (lambda: Schedule("s", "0 6 * * *", "report", default_status="on"), "default_status='on'"),
        (lambda: Schedule("s", "0 6 * * *", ""), "select must be a selection expression"),
        (lambda: Schedule("s", "0 6 * * *", "report", tags={"a": 1}), "tags must map strings"),
    ],
)
def test_bad_schedule_options(make: object, expected: str) -> None:
    with pytest.raises(DefinitionError) as info:
        make()  # type: ignore[operator]
    assert expected in info.value.message
    assert info.value.message.startswith(f"{__file__}:")


def test_selections_that_do_not_fit_partition_choices() -> None:
    def errors(*schedules: Schedule) -> list[str]:
        defs = Definitions(assets=ASSETS, schedules=list(schedules))
        return [e.message for e in automation_errors(defs)]

    assert (
        "selects no partitioned asset. Remove partition=."
        in errors(Schedule("s", "0 6 * * *", "report", partition="previous_day"))[0]
    )
    assert "only applies to time partitions" in errors(Schedule("s", "0 6 * * *", "regions"))[0]
    assert "different partitions" in errors(Schedule("s", "0 6 * * *", "orders, clicks"))[0]
    assert "matches no asset" in errors(Schedule("s", "0 6 * * *", "tag:none=x"))[0]
    assert "selects no asset" in errors(Schedule("s", "0 6 * * *", "report and not report"))[0]
    assert (
        "bad config" in errors(Schedule("s", "0 6 * * *", "report", config={"report": {"x": 1}}))[0]
    )
    dup = errors(Schedule("twin", "0 6 * * *", "report"), Schedule("twin", "0 7 * * *", "report"))
    assert len(dup) == 1 and "The name 'twin' is used by two schedules/sensors" in dup[0]
    # A callable names keys of any partitions.
    assert errors(Schedule("s", "0 6 * * *", "regions", partition=lambda t: ["eu", "us"])) == []


def test_definitions_rejects_other_objects_as_schedules() -> None:
    with pytest.raises(DefinitionError, match="holds 'nightly', which is not a Schedule"):
        Definitions(assets=ASSETS, schedules=["nightly"])  # type: ignore[list-item]


def test_validate_cli_reports_a_bad_schedule_with_file_and_line(
    cli: object, tmp_path: Path
) -> None:
    location = tmp_path / "loc.py"
    location.write_text(
        "from assets_core import asset, Definitions, Schedule\n"
        "@asset\n"
        "def a() -> int:\n"
        "    return 1\n"
        "s = Schedule('nightly', cron='0 6 * * *', select='b')\n"
        "defs = Definitions(assets=[a], schedules=[s])\n"
    )
    result = cli("validate", "-f", location)  # type: ignore[operator]
    assert result.returncode == 2, result
    assert result.stderr.splitlines()[:2] == [
        "error: Schedule 'nightly' has a bad selection 'b': Invalid selection: unknown asset 'b'.",
        f" --> {location}:5",
    ]
    assert "5 | s = Schedule('nightly', cron='0 6 * * *', select='b')" in result.stderr


# -- partitions of a tick -----------------------------------------------------------------
def _requests(schedule: Schedule, when: str) -> list[PartitionRequest]:
    target = resolve_target(schedule, Definitions(assets=ASSETS).graph)
    return tick_partitions(schedule, target, datetime.fromisoformat(when).timestamp())


def test_partition_choices() -> None:
    at_six = "2024-03-02T06:00:00+00:00"
    assert _requests(Schedule("s", "0 6 * * *", "orders+", "previous_day"), at_six) == [
        PartitionRequest(key="2024-03-01")
    ]
    # No partition=: the partition that just closed.
    assert _requests(Schedule("s", "0 6 * * *", "orders"), at_six) == [
        PartitionRequest(key="2024-03-01")
    ]
    assert _requests(Schedule("s", "0 6 * * *", "orders", "current"), at_six) == [
        PartitionRequest(key="2024-03-02")
    ]
    # Hourly partitions: the previous hour; the previous day is a range of hours, 23 of
    # them on the spring-forward day in Berlin.
    berlin = "2024-04-01T06:30:00+02:00"
    assert _requests(
        Schedule("s", "30 6 * * *", "clicks", "previous_hour", "Europe/Berlin"), berlin
    ) == [PartitionRequest(key="2024-04-01-05:00")]
    (day,) = _requests(
        Schedule("s", "30 6 * * *", "clicks", "previous_day", "Europe/Berlin"), berlin
    )
    assert (day.start, day.end) == ("2024-03-31-00:00", "2024-03-31-23:00")
    hours = HourlyPartitions(start="2024-01-01-00:00", timezone="Europe/Berlin")
    assert len(hours.keys_between(day.start, day.end)) == 23
    # A function: one run per key.
    pick = Schedule(
        "s", "0 6 * * *", "regions", partition=lambda t: ["eu", "us"] if t.hour == 6 else "eu"
    )
    assert _requests(pick, at_six) == [PartitionRequest(key="eu"), PartitionRequest(key="us")]


def test_a_partition_function_gets_the_tick_in_the_schedule_timezone() -> None:
    seen: list[datetime] = []

    def record(t: datetime) -> str:
        seen.append(t)
        return "eu"

    _requests(
        Schedule("s", "0 6 * * *", "regions", partition=record, timezone="America/New_York"),
        "2024-07-01T10:00:00+00:00",
    )
    assert seen[0].tzinfo == ZoneInfo("America/New_York") and seen[0].hour == 6


def test_a_partition_function_returning_nonsense_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="return a partition key or a list of keys"):
        _requests(
            Schedule("s", "0 6 * * *", "regions", partition=lambda t: 3),
            "2024-03-02T06:00:00+00:00",
        )


# -- ticking in the daemon ---------------------------------------------------------------
def test_a_schedule_ticks_once_per_cron_time(catalog: Catalog, catalog_url: str) -> None:
    nightly = Schedule(
        "nightly",
        cron="0 6 * * *",
        select="orders+",
        partition="previous_day",
        tags={"team": "sales"},
    )
    defs = Definitions(assets=ASSETS, schedules=[nightly])
    clock = Clock("2024-03-01T12:00:00+00:00")
    daemon = held_daemon(defs, catalog, catalog_url, clock)

    daemon.step(everything=True)  # first seen: starts now, no tick for the past
    assert catalog.list_ticks() == []
    assert catalog.instigator_states()["nightly"].last_tick_at == clock.now

    clock.set("2024-03-02T05:59:59+00:00")
    assert daemon.step().ticks == []
    clock.set("2024-03-02T06:00:03+00:00")
    (tick,) = daemon.step().ticks
    assert (tick.name, tick.kind, tick.status) == ("nightly", "schedule", "SUCCESS")
    assert tick.timestamp == datetime.fromisoformat("2024-03-02T06:00:00+00:00").timestamp()
    (run,) = [catalog.get_run(r) for r in tick.run_ids]
    assert run.status == "QUEUED" and run.selection == "orders+"
    assert run.partitions == ["2024-03-01"]
    assert run.tags == {"team": "sales", "assetline/schedule": "nightly"}
    assert run.launched_by == "schedule:nightly"
    assert run.run_key == "tests:schedule:nightly:2024-03-02T06:00:00Z"
    assert daemon.step().ticks == []  # the same tick is never evaluated twice


def test_missed_ticks_are_caught_up_within_a_limit(catalog: Catalog, catalog_url: str) -> None:
    nightly = Schedule("nightly", cron="0 6 * * *", select="orders", partition="previous_day")
    defs = Definitions(assets=ASSETS, schedules=[nightly])
    clock = Clock("2024-03-01T12:00:00+00:00")
    daemon = held_daemon(defs, catalog, catalog_url, clock, max_catchup_ticks=2)
    daemon.step(everything=True)
    clock.set("2024-03-05T07:00:00+00:00")  # the daemon was down for 4 ticks
    ticks = daemon.step().ticks
    assert [datetime.fromtimestamp(t.timestamp).astimezone().day for t in ticks] == [4, 5]
    assert "2 earlier tick(s) were not run" in (ticks[0].reason or "")
    runs = [catalog.get_run(t.run_ids[0]) for t in ticks]
    assert [r.partitions for r in runs] == [["2024-03-03"], ["2024-03-04"]]


def test_a_stopped_schedule_does_not_tick_and_restarts_from_now(
    catalog: Catalog, catalog_url: str, cli: object
) -> None:
    nightly = Schedule("nightly", cron="0 6 * * *", select="report", default_status="stopped")
    defs = Definitions(assets=ASSETS, schedules=[nightly])
    clock = Clock("2024-03-01T12:00:00+00:00")
    daemon = held_daemon(defs, catalog, catalog_url, clock)
    daemon.step(everything=True)
    clock.set("2024-03-03T07:00:00+00:00")
    assert daemon.step().ticks == []
    catalog.set_instigator_status("nightly", "schedule", "RUNNING", last_tick_at=clock.now)
    clock.set("2024-03-04T06:00:00+00:00")
    ticks = daemon.step().ticks
    assert len(ticks) == 1 and ticks[0].status == "SUCCESS"  # not the ticks while stopped


def test_a_run_key_launches_once_even_if_the_tick_is_evaluated_again(
    catalog: Catalog, catalog_url: str
) -> None:
    nightly = Schedule("nightly", cron="0 6 * * *", select="report")
    defs = Definitions(assets=ASSETS, schedules=[nightly])
    clock = Clock("2024-03-01T12:00:00+00:00")
    daemon = held_daemon(defs, catalog, catalog_url, clock)
    daemon.step(everything=True)
    start = catalog.instigator_states()["nightly"].last_tick_at
    clock.set("2024-03-02T06:00:00+00:00")
    (first,) = daemon.step().ticks
    # Another daemon (an older copy of the state, say) evaluates the same tick again.
    catalog.mark_instigator("nightly", "schedule", last_tick_at=start)
    (again,) = daemon.step().ticks
    assert first.status == "SUCCESS" and again.status == "SKIPPED"
    key = "tests:schedule:nightly:2024-03-02T06:00:00Z"
    assert again.reason == f"run key already launched: {key} (run {first.run_ids[0][:8]})"
    assert len(catalog.list_runs()) == 1


def test_a_schedule_whose_selection_broke_fails_its_tick_and_the_daemon_goes_on(
    catalog: Catalog, catalog_url: str
) -> None:
    # Version 1 of the code: both schedules are fine.
    a = Schedule("uses_orders", cron="0 6 * * *", select="orders", partition="previous_day")
    b = Schedule("uses_report", cron="0 6 * * *", select="report")
    clock = Clock("2024-03-01T12:00:00+00:00")
    first = held_daemon(Definitions(assets=ASSETS, schedules=[a, b]), catalog, catalog_url, clock)
    first.step(everything=True)
    first.lease.release()  # the daemon restarts with version 2 of the code

    # Version 2: orders was renamed, the schedule still selects it.
    @asset(partitions=DailyPartitions(start="2024-01-01"))
    def orders_v2() -> int:
        return 1

    defs = Definitions(assets=[orders_v2, report], schedules=[a, b])
    clock.set("2024-03-02T06:00:00+00:00")
    daemon = held_daemon(defs, catalog, catalog_url, clock)
    ticks = {t.name: t for t in daemon.step().ticks}
    failed = ticks["uses_orders"]
    assert failed.status == "FAILURE" and failed.run_ids == []
    assert "Schedule 'uses_orders' has a bad selection 'orders'" in (failed.error or "")
    assert "orders_v2" in (failed.error or "")  # did you mean
    assert ticks["uses_report"].status == "SUCCESS" and len(ticks["uses_report"].run_ids) == 1
    # The failed tick is not retried; the next one is evaluated (and fails again).
    assert daemon.step().ticks == []
    clock.set("2024-03-03T06:00:00+00:00")
    assert {t.name: t.status for t in daemon.step().ticks} == {
        "uses_orders": "FAILURE",
        "uses_report": "SUCCESS",
    }
