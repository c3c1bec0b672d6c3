"""Cron instants across daylight saving changes, in two time zones: a schedule fires
once per wall-clock time it names (a skipped time at the transition, a repeated time at
its first occurrence), and the fast five-field stepping agrees with croniter."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assets_core.automation.cron import CronSchedule
from assets_core.errors import DefinitionError


def ts(text: str) -> float:
    return datetime.fromisoformat(text).timestamp()


def local(cron: CronSchedule, instants: list[float]) -> list[str]:
    return [cron.local(t).isoformat() for t in instants]


@pytest.mark.parametrize(
    ("zone", "spring", "fall", "spring_fire", "fall_fire"),
    [
        (
            "Europe/Berlin",
            "2024-03-31",
            "2024-10-27",
            "2024-03-31T03:00:00+02:00",  # 02:30 does not exist: fires at the transition
            "2024-10-27T02:30:00+02:00",  # 02:30 happens twice: fires the first time
        ),
        (
            "America/New_York",
            "2024-03-10",
            "2024-11-03",
            "2024-03-10T03:00:00-04:00",
            "2024-11-03T02:30:00-05:00",  # NY repeats 01:00-02:00; 02:30 happens once
        ),
    ],
)
def test_a_daily_0230_schedule_fires_once_on_both_dst_days(
    zone: str, spring: str, fall: str, spring_fire: str, fall_fire: str
) -> None:
    cron = CronSchedule("30 2 * * *", zone)
    for day, fire in ((spring, spring_fire), (fall, fall_fire)):
        start = datetime.fromisoformat(day).replace(tzinfo=ZoneInfo(zone)) - timedelta(days=1)
        fired = local(cron, cron.ticks_between(start.timestamp(), start.timestamp() + 3 * 86400))
        on_the_day = [f for f in fired if f.startswith(day)]
        assert on_the_day == [fire]
        assert len(fired) == 3  # the day before, the day, the day after: once each


def test_an_hourly_schedule_fires_once_per_wall_clock_hour_across_dst() -> None:
    cron = CronSchedule("0 * * * *", "Europe/Berlin")
    # Spring forward: 02:00 does not exist; it fires at 03:00 once (not twice).
    fired = local(
        cron, cron.ticks_between(ts("2024-03-31T00:30:00+01:00"), ts("2024-03-31T05:00:00+02:00"))
    )
    assert fired == [
        "2024-03-31T01:00:00+01:00",
        "2024-03-31T03:00:00+02:00",
        "2024-03-31T04:00:00+02:00",
        "2024-03-31T05:00:00+02:00",
    ]
    # Fall back: 02:00 happens twice; it fires the first time only (one hourly key).
    fired = local(
        cron, cron.ticks_between(ts("2024-10-27T00:30:00+02:00"), ts("2024-10-27T04:00:00+01:00"))
    )
    assert fired == [
        "2024-10-27T01:00:00+02:00",
        "2024-10-27T02:00:00+02:00",
        "2024-10-27T03:00:00+01:00",
        "2024-10-27T04:00:00+01:00",
    ]


def test_latest_tick_at_or_before() -> None:
    cron = CronSchedule("*/15 9-17 * * mon-fri", "UTC")
    # Monday 08:00: the latest tick is Friday 17:45.
    assert cron.latest_at_or_before(ts("2024-03-04T08:00:00+00:00")) == ts(
        "2024-03-01T17:45:00+00:00"
    )
    assert cron.next_after(ts("2024-03-01T17:50:00+00:00")) == ts("2024-03-04T09:00:00+00:00")
    assert cron.latest_at_or_before(ts("2024-03-04T09:00:00+00:00")) == ts(
        "2024-03-04T09:00:00+00:00"
    )
    # During the repeated hour of a fall-back night, the last tick is the first 02:30.
    berlin = CronSchedule("30 2 * * *", "Europe/Berlin")
    second_0245 = ts("2024-10-27T02:45:00+01:00")
    assert berlin.local(berlin.latest_at_or_before(second_0245)).isoformat() == (
        "2024-10-27T02:30:00+02:00"
    )


def test_expressions_croniter_steps_still_work() -> None:
    last_day = CronSchedule("0 0 L * *", "UTC")
    assert last_day.next_after(ts("2024-02-10T00:00:00+00:00")) == ts("2024-02-29T00:00:00+00:00")
    second_friday = CronSchedule("0 9 * * 5#2", "UTC")
    assert second_friday.next_after(ts("2024-03-01T00:00:00+00:00")) == ts(
        "2024-03-08T09:00:00+00:00"
    )


def test_bad_expression_and_timezone_are_definition_errors() -> None:
    with pytest.raises(DefinitionError, match=r"Invalid cron expression '61 \* \* \* \*'"):
        CronSchedule("61 * * * *")
    with pytest.raises(DefinitionError, match=r"Unknown timezone 'Europe/Berlim'.*Europe/Berlin"):
        CronSchedule("0 6 * * *", "Europe/Berlim")


CRONS = [
    "0 6 * * *",
    "*/7 * * * *",
    "15 3,15 * * 1-5",
    "0 0 1,15 * 0",
    "30 23 * 2 *",
    "0 12 29 2 *",
]


@settings(max_examples=60, deadline=None)
@given(
    expr=st.sampled_from(CRONS),
    zone=st.sampled_from(["UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe"]),
    start=st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1)),
)
def test_fast_stepping_matches_croniter_on_wall_clock(
    expr: str, zone: str, start: datetime
) -> None:
    """Each instant names a distinct wall-clock time croniter also names, in order, and
    no wall-clock time croniter names in between is missed (except the second pass of a
    repeated hour)."""
    from croniter import croniter

    cron = CronSchedule(expr, zone)
    t = start.replace(tzinfo=UTC).timestamp()
    instants = cron.ticks_between(t, t + 6 * 86400)
    assert instants == sorted(set(instants)) and all(i > t for i in instants)
    walls = [cron.local(i).replace(tzinfo=None) for i in instants]
    expected = []
    it = croniter(expr, cron.local(t).replace(tzinfo=None))
    while True:
        w = it.get_next(datetime)
        if w > cron.local(t + 6 * 86400).replace(tzinfo=None):
            break
        expected.append(w)
    tz = ZoneInfo(zone)
    for w in expected:
        exists = w.replace(tzinfo=tz).astimezone(UTC).astimezone(tz).replace(tzinfo=None) == w
        if exists:
            assert w in walls, (w, walls[:5])
    assert len(walls) <= len(expected)
