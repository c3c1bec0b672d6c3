"""Time-window partitions: keys, windows, ranges, daylight saving time, bad input."""

from __future__ import annotations

import pickle
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from assets_core.errors import DefinitionError, PartitionKeyError
from assets_core.partitions import (
    DailyPartitions,
    HourlyPartitions,
    MonthlyPartitions,
    TimeWindow,
    WeeklyPartitions,
)

NOW = datetime(2026, 11, 25, 10, 30, tzinfo=UTC)


def hours(window: TimeWindow) -> float:
    return window.duration.total_seconds() / 3600


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# --- daily ------------------------------------------------------------------------------


def test_daily_keys_stop_at_the_last_complete_day_before_now() -> None:
    daily = DailyPartitions("2024-01-01")
    keys = daily.get_partition_keys(current_time=NOW)
    assert keys[:2] == ["2024-01-01", "2024-01-02"]
    assert keys[-1] == "2026-11-24"
    assert daily.num_partitions(current_time=NOW) == len(keys) == 1059
    assert daily.kind == "daily"
    assert daily.describe() == "daily from 2024-01-01 (UTC)"


def test_end_offset_includes_the_window_in_progress_or_lags() -> None:
    assert DailyPartitions("2024-01-01", end_offset=1).key_at(1059, current_time=NOW) == (
        "2026-11-25"
    )
    lagging = DailyPartitions("2024-01-01", end_offset=-1)
    assert lagging.get_partition_keys(current_time=NOW)[-1] == "2026-11-23"


def test_end_is_exclusive_and_describe_shows_it() -> None:
    daily = DailyPartitions("2024-01-01", end="2024-02-01")
    assert daily.get_partition_keys()[-1] == "2024-01-31"
    assert daily.num_partitions() == 31
    assert daily.describe() == "daily from 2024-01-01 until 2024-02-01 (UTC)"


def test_index_arithmetic_round_trips() -> None:
    daily = DailyPartitions("2024-01-01", end="2025-01-01")
    assert daily.index_of("2024-02-29") == 59
    assert daily.key_at(59) == "2024-02-29"
    assert daily.indices_of(["2024-01-03", "2024-01-01"]) == [2, 0]
    many = daily.get_partition_keys()[::-1]
    assert daily.indices_of(many) == list(range(365, -1, -1))
    with pytest.raises(IndexError):
        daily.key_at(366)


def test_time_window_is_aware_and_end_exclusive() -> None:
    window = DailyPartitions("2024-01-01", timezone="Europe/Berlin").time_window_for(
        "2024-03-01", current_time=NOW
    )
    berlin = ZoneInfo("Europe/Berlin")
    assert window == TimeWindow(
        datetime(2024, 3, 1, tzinfo=berlin), datetime(2024, 3, 2, tzinfo=berlin)
    )
    assert window.start.astimezone(UTC) == utc(2024, 2, 29, 23)


def test_keys_between_is_inclusive() -> None:
    daily = DailyPartitions("2024-01-01", end="2024-03-01")
    assert daily.keys_between("2024-02-27", "2024-02-29") == [
        "2024-02-27",
        "2024-02-28",
        "2024-02-29",
    ]
    assert daily.keys_between("2024-01-05", "2024-01-05") == ["2024-01-05"]


def test_start_accepts_dates_datetimes_and_normalizes() -> None:
    assert DailyPartitions(date(2024, 1, 1)) == DailyPartitions("2024-01-01")
    assert hash(DailyPartitions(date(2024, 1, 1))) == hash(DailyPartitions("2024-01-01"))
    # an aware datetime is read in the definition's timezone
    berlin = DailyPartitions(datetime(2023, 12, 31, 23, tzinfo=UTC), timezone="Europe/Berlin")
    assert berlin.start == "2024-01-01"
    assert DailyPartitions("2024-01-01T06:00").start == "2024-01-02"


def test_definitions_pickle_and_stay_equal() -> None:
    hourly = HourlyPartitions("2024-01-01", end="2024-04-01", timezone="Europe/Berlin")
    clone = pickle.loads(pickle.dumps(hourly))
    assert clone == hourly
    assert clone.get_partition_keys() == hourly.get_partition_keys()
    assert DailyPartitions("2024-01-01") != HourlyPartitions("2024-01-01")  # type: ignore[comparison-overlap]


# --- error messages -------------------------------------------------------------------------


def error(fn: object, *args: object, **kwargs: object) -> str:
    with pytest.raises(PartitionKeyError) as info:
        fn(*args, **kwargs)  # type: ignore[operator]
    assert info.value.code == "INVALID_PARTITION"
    return str(info.value)


def test_bad_daily_key_names_the_format_and_the_range() -> None:
    daily = DailyPartitions("2024-01-01")
    assert error(daily.validate_key, "2024-13-01", current_time=NOW) == (
        "Partition key '2024-13-01' is not a valid daily key: expected YYYY-MM-DD between "
        "2024-01-01 and 2026-11-24."
    )
    assert error(daily.validate_key, "2024-1-1", current_time=NOW).startswith(
        "Partition key '2024-1-1' is not a valid daily key"
    )


def test_key_outside_the_range_names_the_range() -> None:
    daily = DailyPartitions("2024-01-01")
    assert error(daily.index_of, "2023-12-31", current_time=NOW) == (
        "Partition key '2023-12-31' is out of range: expected a daily key between 2024-01-01 "
        "and 2026-11-24."
    )
    assert error(daily.validate_key, "2026-11-25", current_time=NOW) == (
        "Partition key '2026-11-25' is out of range: expected a daily key between 2024-01-01 "
        "and 2026-11-24."
    )


def test_keys_between_errors() -> None:
    daily = DailyPartitions("2024-01-01", end="2024-02-01")
    assert error(daily.keys_between, "2024-01-10", "2024-01-05") == (
        "Partition range 2024-01-10..2024-01-05 is reversed: --from must not be after --to."
    )
    assert error(daily.keys_between, "2024-01-10", "2024-02-05") == (
        "Partition key '2024-02-05' is out of range: expected a daily key between 2024-01-01 "
        "and 2024-01-31."
    )


def test_misaligned_weekly_and_monthly_keys() -> None:
    weekly = WeeklyPartitions("2024-01-01", end="2024-03-01")
    assert error(weekly.validate_key, "2024-01-03") == (
        "Partition key '2024-01-03' is not a valid weekly key: weeks start on Monday; "
        "expected YYYY-MM-DD between 2024-01-01 and 2024-02-19."
    )
    monthly = MonthlyPartitions("2024-01-01", end="2025-01-01")
    assert error(monthly.validate_key, "2024-02-15") == (
        "Partition key '2024-02-15' is not a valid monthly key: monthly keys are the first day "
        "of a month; expected YYYY-MM-DD between 2024-01-01 and 2024-12-01."
    )


def test_a_definition_without_complete_windows_says_so() -> None:
    future = DailyPartitions("2099-01-01")
    assert future.get_partition_keys(current_time=NOW) == []
    assert error(future.validate_key, "2099-01-01", current_time=NOW) == (
        "Partition key '2099-01-01' is out of range: expected a daily key but daily from "
        "2099-01-01 (UTC) has no complete partition yet."
    )


# --- hourly, weekly, monthly -----------------------------------------------------------------


def test_hourly_100k_keys_and_o1_lookups() -> None:
    start = datetime(2015, 1, 1)
    end = start + timedelta(hours=100_000)
    hourly = HourlyPartitions("2015-01-01", end=end)
    keys = hourly.get_partition_keys()
    assert len(keys) == 100_000 == hourly.num_partitions()
    assert keys[0] == "2015-01-01-00:00"
    assert keys[-1] == (end - timedelta(hours=1)).strftime("%Y-%m-%d-%H:%M")
    for i in (0, 1, 23, 24, 4_321, 99_999):
        assert hourly.index_of(keys[i]) == i
        assert hourly.key_at(i) == keys[i]
    assert hourly.keys_in_index_range(99_998, 200_000) == keys[-2:]
    assert hourly.time_window_for("2024-03-01-13:00") == TimeWindow(
        datetime(2024, 3, 1, 13, tzinfo=ZoneInfo("UTC")),
        datetime(2024, 3, 1, 14, tzinfo=ZoneInfo("UTC")),
    )


def test_hourly_start_is_rounded_up_to_the_hour() -> None:
    hourly = HourlyPartitions("2024-01-01-13:30", end="2024-01-01-16:00")
    assert hourly.get_partition_keys() == ["2024-01-01-14:00", "2024-01-01-15:00"]
    assert error(hourly.validate_key, "2024-01-01-14:30") == (
        "Partition key '2024-01-01-14:30' is not a valid hourly key: expected YYYY-MM-DD-HH:MM "
        "between 2024-01-01-14:00 and 2024-01-01-15:00."
    )


def test_weekly_keys_are_the_week_start_and_day_offset_moves_it() -> None:
    weekly = WeeklyPartitions("2024-01-03", end="2024-02-01")
    assert weekly.get_partition_keys() == ["2024-01-08", "2024-01-15", "2024-01-22"]
    assert all(date.fromisoformat(k).weekday() == 0 for k in weekly.get_partition_keys())
    sundays = WeeklyPartitions("2024-01-01", end="2024-02-01", day_offset=6)
    assert sundays.get_partition_keys() == ["2024-01-07", "2024-01-14", "2024-01-21"]
    assert (
        sundays.describe() == "weekly from 2024-01-07 until 2024-02-01, weeks start on Sunday (UTC)"
    )
    assert hours(weekly.time_window_for("2024-01-15")) == 7 * 24


def test_monthly_windows_follow_month_ends() -> None:
    monthly = MonthlyPartitions("2023-11-15", end="2024-04-01")
    assert monthly.start == "2023-12-01"
    assert monthly.get_partition_keys() == ["2023-12-01", "2024-01-01", "2024-02-01", "2024-03-01"]
    assert [hours(monthly.time_window_for(k)) / 24 for k in monthly.get_partition_keys()] == [
        31,
        31,
        29,
        31,
    ]
    assert monthly.key_at(3) == "2024-03-01"
    assert monthly.index_of("2024-02-01") == 2


def test_daily_keys_at_month_ends_and_leap_days() -> None:
    daily = DailyPartitions("2023-01-01", end="2025-01-01")
    assert daily.has_key("2024-02-29")
    assert not daily.has_key("2023-02-29")
    assert error(daily.validate_key, "2023-02-29").startswith(
        "Partition key '2023-02-29' is not a valid daily key"
    )
    assert daily.keys_between("2024-02-28", "2024-03-01") == [
        "2024-02-28",
        "2024-02-29",
        "2024-03-01",
    ]


def test_custom_format() -> None:
    daily = DailyPartitions("2024-01-01", end="2024-01-04", fmt="%Y%m%d")
    assert daily.get_partition_keys() == ["20240101", "20240102", "20240103"]
    assert daily.index_of("20240102") == 1
    assert error(daily.validate_key, "2024-01-02") == (
        "Partition key '2024-01-02' is not a valid daily key: expected YYYYMMDD between "
        "20240101 and 20240103."
    )


# --- daylight saving time -----------------------------------------------------------------


def test_berlin_spring_forward_has_no_0200_key() -> None:
    hourly = HourlyPartitions("2024-03-30", end="2024-04-01", timezone="Europe/Berlin")
    day = [k for k in hourly.get_partition_keys() if k.startswith("2024-03-31")]
    assert len(day) == 23
    assert "2024-03-31-02:00" not in day
    window = hourly.time_window_for("2024-03-31-01:00")
    assert (window.start.astimezone(UTC), window.end.astimezone(UTC)) == (
        utc(2024, 3, 31, 0),
        utc(2024, 3, 31, 1),
    )
    assert hourly.index_of("2024-03-31-03:00") == hourly.index_of("2024-03-31-01:00") + 1
    assert error(hourly.validate_key, "2024-03-31-02:00") == (
        "Partition key '2024-03-31-02:00' is not a valid hourly key: 2024-03-31 02:00 does not "
        "exist in Europe/Berlin (the clocks skip it); expected YYYY-MM-DD-HH:MM between "
        "2024-03-30-00:00 and 2024-03-31-23:00."
    )


def test_berlin_fall_back_repeated_hour_is_one_two_hour_key() -> None:
    hourly = HourlyPartitions("2024-10-27", end="2024-10-28", timezone="Europe/Berlin")
    keys = hourly.get_partition_keys()
    assert len(keys) == 24
    window = hourly.time_window_for("2024-10-27-02:00")
    assert (window.start.astimezone(UTC), window.end.astimezone(UTC)) == (
        utc(2024, 10, 27, 0),
        utc(2024, 10, 27, 2),
    )
    assert sum(hours(hourly.time_window_for(k)) for k in keys) == 25


def test_new_york_days_last_23_and_25_hours() -> None:
    daily = DailyPartitions("2024-01-01", end="2025-01-01", timezone="America/New_York")
    assert hours(daily.time_window_for("2024-03-10")) == 23
    assert hours(daily.time_window_for("2024-11-03")) == 25
    assert hours(daily.time_window_for("2024-07-04")) == 24


def test_lord_howe_half_hour_shift_keeps_a_30_minute_key() -> None:
    hourly = HourlyPartitions("2024-01-01", end="2025-01-01", timezone="Australia/Lord_Howe")
    # 2024-10-06: 02:00 becomes 02:30; 01:00 lasts until the jump, 02:00 is the half hour left
    assert hours(hourly.time_window_for("2024-10-06-01:00")) == 1
    assert hours(hourly.time_window_for("2024-10-06-02:00")) == 0.5  # 02:30 to 03:00
    assert hours(hourly.time_window_for("2024-04-07-01:00")) == 1.5  # 01:30-02:00 repeats
    assert len(hourly.get_partition_keys()) == 366 * 24


def test_midnight_gap_starts_the_day_at_the_transition() -> None:
    # Chile moves its clocks from 00:00 to 01:00 on 2024-09-08.
    daily = DailyPartitions("2024-09-01", end="2024-09-15", timezone="America/Santiago")
    window = daily.time_window_for("2024-09-08")
    assert window.start.astimezone(UTC) == utc(2024, 9, 8, 4)
    assert window.start == datetime(2024, 9, 8, 1, tzinfo=ZoneInfo("America/Santiago"))
    assert hours(window) == 23


def test_a_day_skipped_entirely_has_no_key() -> None:
    # Samoa skipped 2011-12-30 when it moved across the date line.
    daily = DailyPartitions("2011-12-28", end="2012-01-02", timezone="Pacific/Apia")
    assert daily.get_partition_keys() == ["2011-12-28", "2011-12-29", "2011-12-31", "2012-01-01"]
    assert daily.index_of("2011-12-31") == 2
    assert "does not exist in Pacific/Apia" in error(daily.validate_key, "2011-12-30")


def test_index_at_maps_instants_to_windows_across_fall_back() -> None:
    hourly = HourlyPartitions("2024-10-27", end="2024-10-28", timezone="Europe/Berlin")
    i = hourly.index_of("2024-10-27-02:00")
    assert hourly.index_at(utc(2024, 10, 27, 0, 30)) == i  # 02:30 CEST
    assert hourly.index_at(utc(2024, 10, 27, 1, 30)) == i  # 02:30 CET
    assert hourly.index_at(utc(2024, 10, 27, 2, 0)) == i + 1


def test_now_based_end_in_a_dst_zone() -> None:
    hourly = HourlyPartitions("2024-03-31", timezone="Europe/Berlin")
    now = utc(2024, 3, 31, 2, 15)  # 04:15 CEST: 00, 01, 03 are complete
    assert hourly.get_partition_keys(current_time=now) == [
        "2024-03-31-00:00",
        "2024-03-31-01:00",
        "2024-03-31-03:00",
    ]


# --- bad definitions --------------------------------------------------------------------------


def definition_error(fn: object, *args: object, **kwargs: object) -> str:
    """The problem ``fn(...)`` raises; the error is located at the line that called it."""
    with pytest.raises(DefinitionError) as info:
        fn(*args, **kwargs)  # type: ignore[operator]
    assert info.tb is not None
    assert str(info.value).startswith(f"{__file__}:{info.tb.tb_lineno}: {info.value.problem}")
    return info.value.problem


def test_unknown_timezone_suggests_the_closest() -> None:
    message = definition_error(DailyPartitions, "2024-01-01", timezone="Europe/Berln")
    # the list of close names depends on the installed tzdata; the best match comes first
    assert message.startswith(
        "Unknown timezone 'Europe/Berln' in DailyPartitions: use an IANA name such as 'UTC' or "
        "'Europe/Berlin'. Did you mean 'Europe/Berlin'"
    )


def test_bad_start_end_and_options() -> None:
    assert definition_error(DailyPartitions, "2024-13-45") == (
        "DailyPartitions(start='2024-13-45') is not a date: expected YYYY-MM-DD or an ISO date "
        "such as 2024-01-01."
    )
    assert definition_error(DailyPartitions, "2024-01-05", end="2024-01-05") == (
        "DailyPartitions: end 2024-01-05 leaves no complete window after start 2024-01-05; the "
        "end is exclusive."
    )
    assert definition_error(DailyPartitions, "2024-01-01", end="2024-02-01", end_offset=1) == (
        "DailyPartitions: end_offset applies only without an end; drop one of them."
    )
    assert definition_error(WeeklyPartitions, "2024-01-01", day_offset=7) == (
        "WeeklyPartitions(day_offset=7) must be 0 (Monday) to 6 (Sunday)."
    )


def test_formats_that_cannot_name_windows_are_rejected() -> None:
    assert definition_error(DailyPartitions, "2024-01-01", fmt="%m-%d") == (
        "DailyPartitions(fmt='%m-%d') makes keys like '01-01', which does not name one "
        "window; include every field down to the unit."
    )
    assert definition_error(DailyPartitions, "2024-01-01", fmt="%Y/%m/%d") == (
        "DailyPartitions(fmt='%Y/%m/%d') makes keys like '2024/01/01', which contains a path "
        "separator; partitions are stored one folder per key."
    )


def test_duration_counts_elapsed_time_not_wall_clock() -> None:
    window = DailyPartitions("2024-01-01", timezone="America/New_York").time_window_for(
        "2024-11-03", current_time=NOW
    )
    assert window.end - window.start == timedelta(hours=24)  # Python's wall-clock arithmetic
    assert window.duration == timedelta(hours=25)


def test_hourly_start_inside_a_skipped_day_begins_after_it() -> None:
    hourly = HourlyPartitions("2011-12-30", end="2012-01-01", timezone="Pacific/Apia")
    keys = hourly.get_partition_keys()
    assert keys[0] == "2011-12-31-00:00"
    assert len(keys) == 24
    assert hourly.index_of("2011-12-31-00:00") == 0
    assert hourly.key_at(0) == "2011-12-31-00:00"


def test_a_two_hour_fall_back_belongs_to_the_later_key() -> None:
    # Antarctica/Troll falls back two hours (+02 to +00) at 01:00 UTC on 2024-10-27, so
    # the wall clock reads 01:00-03:00 twice; the second 01:xx lies in the 02:00 window.
    hourly = HourlyPartitions("2024-10-26", end="2024-10-29", timezone="Antarctica/Troll")
    window = hourly.time_window_for("2024-10-27-02:00")
    assert (window.start.astimezone(UTC), window.end.astimezone(UTC)) == (
        utc(2024, 10, 27, 0),
        utc(2024, 10, 27, 3),
    )
    assert hourly.key_at(hourly.index_at(utc(2024, 10, 27, 1, 30))) == "2024-10-27-02:00"
    assert hourly.key_at(hourly.index_at(utc(2024, 10, 26, 23, 30))) == "2024-10-27-01:00"


def test_hours_inside_a_skipped_day_do_not_exist() -> None:
    hourly = HourlyPartitions("2011-12-29", end="2012-01-01", timezone="Pacific/Apia")
    assert len(hourly.get_partition_keys()) == 48
    assert error(hourly.validate_key, "2011-12-30-05:00") == (
        "Partition key '2011-12-30-05:00' is not a valid hourly key: 2011-12-30 05:00 does not "
        "exist in Pacific/Apia (the clocks skip it); expected YYYY-MM-DD-HH:MM between "
        "2011-12-29-00:00 and 2011-12-31-23:00."
    )
