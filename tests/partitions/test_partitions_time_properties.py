"""Properties of time windows across daylight saving changes and month ends.

The oracle is independent of the implementation: walk the timeline in 15-minute steps
(every UTC offset is a multiple of 15 minutes), read the wall clock with ``zoneinfo`` and
floor it to the hour, day, week or month. The keys, in order of first appearance, and the
instant each first appears must be exactly the definition's keys and window starts.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assets_core.partitions import (
    DailyPartitions,
    HourlyPartitions,
    MonthlyPartitions,
    TimePartitions,
    WeeklyPartitions,
)

ZONES = (
    "UTC",
    "Europe/Berlin",
    "America/New_York",
    "Australia/Lord_Howe",  # 30-minute shift
    "America/Santiago",  # shifts at midnight
    "Asia/Kathmandu",  # +05:45
    "Pacific/Apia",  # skipped 2011-12-30 entirely
    "Antarctica/Troll",  # falls back two hours
)
SPAN_DAYS = {
    HourlyPartitions: (1, 5),
    DailyPartitions: (1, 100),
    WeeklyPartitions: (14, 120),
    MonthlyPartitions: (62, 250),
}
STEP = timedelta(minutes=15)


def offset_changes(zone: str, year: int) -> list[date]:
    """Days of ``year`` on which the UTC offset of ``zone`` changes (daily sampling)."""
    tz = ZoneInfo(zone)
    days = [date(year, 1, 1) + timedelta(days=i) for i in range(366)]
    offsets = [datetime(d.year, d.month, d.day, 12, tzinfo=tz).utcoffset() for d in days]
    return [days[i] for i in range(1, len(days)) if offsets[i] != offsets[i - 1]]


@st.composite
def time_definitions(draw: st.DrawFn) -> TimePartitions:
    cls = draw(st.sampled_from(list(SPAN_DAYS)))
    zone = draw(st.sampled_from(ZONES))
    year = draw(st.integers(2005, 2030))
    near: list[date] = offset_changes(zone, year)
    if zone == "Pacific/Apia" and draw(st.booleans()):
        near = [date(2011, 12, 30)]
    close: int = draw(st.integers(0, 3))
    if near and close:  # mostly start close to a change
        start = draw(st.sampled_from(near)) - timedelta(days=draw(st.integers(0, 3)))
    else:
        start = draw(st.dates(date(year, 1, 1), date(year, 12, 31)))
    low, high = SPAN_DAYS[cls]
    end = start + timedelta(days=draw(st.integers(low, high)))
    if cls is WeeklyPartitions:
        return WeeklyPartitions(start, end=end, timezone=zone, day_offset=draw(st.integers(0, 6)))
    return cls(start, end=end, timezone=zone)


def floor_key(definition: TimePartitions, wall: datetime) -> str:
    if isinstance(definition, HourlyPartitions):
        return wall.strftime("%Y-%m-%d-%H:00")
    day = wall.date()
    if isinstance(definition, WeeklyPartitions):
        return (day - timedelta(days=(day.weekday() - definition.day_offset) % 7)).isoformat()
    if isinstance(definition, MonthlyPartitions):
        return day.replace(day=1).isoformat()
    return day.isoformat()


def utc(t: datetime) -> datetime:
    return t.astimezone(UTC)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(time_definitions())
def test_windows_match_the_wall_clock_oracle(definition: TimePartitions) -> None:
    keys = definition.get_partition_keys()
    if not keys:
        return
    windows = [definition.time_window_for(k) for k in keys]
    tz = ZoneInfo(definition.timezone)
    seen: dict[str, datetime] = {}
    t, stop = utc(windows[0].start), utc(windows[-1].end)
    while t < stop:
        seen.setdefault(floor_key(definition, t.astimezone(tz).replace(tzinfo=None)), t)
        t += STEP
    assert list(seen) == keys
    assert [utc(w.start) for w in windows] == list(seen.values())


@settings(max_examples=150, deadline=None)
@given(time_definitions(), st.data())
def test_windows_are_contiguous_ordered_and_round_trip(
    definition: TimePartitions, data: st.DataObject
) -> None:
    keys = definition.get_partition_keys()
    n = definition.num_partitions()
    assert len(keys) == n == len(set(keys))
    windows = [definition.time_window_for(k) for k in keys]
    for i, (key, window) in enumerate(zip(keys, windows, strict=True)):
        assert utc(window.start) < utc(window.end)
        assert window.start.tzinfo == ZoneInfo(definition.timezone)
        assert definition.index_of(key) == i
        assert definition.key_at(i) == key
        assert definition.index_at(window.start) == i
        assert definition.index_at(utc(window.end) - timedelta(microseconds=1)) == i
        if i + 1 < n:
            assert utc(window.end) == utc(windows[i + 1].start)
    if n:
        i = data.draw(st.integers(0, n - 1))
        j = data.draw(st.integers(i, n - 1))
        assert definition.keys_between(keys[i], keys[j]) == keys[i : j + 1]
        assert definition.keys_in_index_range(i, j + 1) == keys[i : j + 1]


@settings(max_examples=100, deadline=None)
@given(time_definitions(), st.data())
def test_keys_overlapping_matches_the_windows(
    definition: TimePartitions, data: st.DataObject
) -> None:
    keys = definition.get_partition_keys()
    if not keys:
        return
    windows = [definition.time_window_for(k) for k in keys]
    first, last = utc(windows[0].start), utc(windows[-1].end)
    span = int((last - first).total_seconds())
    a = first + timedelta(seconds=data.draw(st.integers(-7200, span + 7200)))
    b = a + timedelta(seconds=data.draw(st.integers(1, span)))
    expected = [
        k for k, w in zip(keys, windows, strict=True) if utc(w.start) < b and utc(w.end) > a
    ]
    assert definition.keys_overlapping(a, b) == expected


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(ZONES), st.integers(2005, 2030))
def test_month_ends_and_daily_keys_agree(zone: str, year: int) -> None:
    monthly = MonthlyPartitions(f"{year}-01-01", end=f"{year + 1}-01-01", timezone=zone)
    daily = DailyPartitions(f"{year}-01-01", end=f"{year + 1}-01-01", timezone=zone)
    assert len(monthly.get_partition_keys()) == 12
    days = daily.get_partition_keys()
    for month in monthly.get_partition_keys():
        window = monthly.time_window_for(month)
        inside = daily.keys_overlapping(window.start, window.end)
        assert inside == [d for d in days if d[:7] == month[:7]]
        assert utc(daily.time_window_for(inside[-1]).end) == utc(window.end)


@settings(max_examples=100, deadline=None)
@given(time_definitions(), st.integers(-3 * 86_400, 400 * 86_400), st.integers(-2, 2))
def test_without_end_keys_stop_at_the_last_complete_window(
    bounded: TimePartitions, seconds: int, end_offset: int
) -> None:
    definition: TimePartitions
    if isinstance(bounded, WeeklyPartitions):
        definition = WeeklyPartitions(
            bounded.start,
            timezone=bounded.timezone,
            end_offset=end_offset,
            day_offset=bounded.day_offset,
        )
    else:
        definition = type(bounded)(bounded.start, timezone=bounded.timezone, end_offset=end_offset)
    first = utc(definition.window_at(0).start)
    now = first + timedelta(seconds=seconds)
    n = definition.num_partitions(current_time=now)
    complete = definition.index_at(now)  # windows before the one holding now are complete
    assert n == max(complete + end_offset, 0)
    if n and end_offset == 0:
        assert utc(definition.window_at(n - 1).end) <= now < utc(definition.window_at(n).end)
