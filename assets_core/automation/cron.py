"""Cron expressions in a timezone: the instants a schedule fires at.

A cron expression names wall-clock times (``30 2 * * *``: 02:30 every day). A schedule
fires **once per wall-clock time it names**, also across daylight saving changes:

- a time the clocks skip (02:30 on a spring-forward night in Europe/Berlin) fires at
  the transition (03:00 CEST), once;
- a time the clocks repeat (02:30 on a fall-back night) fires at its first
  occurrence (02:30 CEST), once.

So a daily schedule fires once a day, and an hourly one once per wall-clock hour,
which is also once per hourly partition key (see ``partitions/time.py``).

Standard five-field expressions (minute, hour, day of month, month, day of week; names,
ranges, steps and lists; Vixie cron's rule that a day matches if either restricted
day field does) are stepped through with a few comparisons per tick. Anything else
croniter accepts (``L``, ``#``, a seconds field) goes through croniter.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from assets_core.errors import DefinitionError

_MINUTE = timedelta(minutes=1)
_MAX_STEPS = 5000  # a five-field expression matches within a few years (or never)


@dataclass(frozen=True, slots=True)
class _Fields:
    minutes: tuple[int, ...]
    hours: tuple[int, ...]
    days: frozenset[int] | None  # None: any day of the month
    months: frozenset[int]
    weekdays: frozenset[int] | None  # Monday=0 .. Sunday=6; None: any

    def day_matches(self, d: date) -> bool:
        if self.days is None and self.weekdays is None:
            return True
        if self.days is None:
            return d.weekday() in self.weekdays  # type: ignore[operator]
        if self.weekdays is None:
            return d.day in self.days
        return d.day in self.days or d.weekday() in self.weekdays


@lru_cache(maxsize=1024)
def _parse(expr: str) -> _Fields | None:
    """The fields of a standard expression, or None when croniter must step it."""
    from croniter import croniter

    try:
        fields, nth = croniter.expand(expr)
    except Exception:
        raise DefinitionError(
            f"Invalid cron expression {expr!r}: use five fields, e.g. '0 6 * * *' (06:00 daily)."
        ) from None
    if len(fields) != 5 or nth or any(isinstance(v, str) and v != "*" for f in fields for v in f):
        return None

    def values(f: Sequence[object]) -> frozenset[int] | None:
        return None if list(f) == ["*"] else frozenset(int(str(v)) for v in f)

    minutes = values(fields[0]) or frozenset(range(60))
    hours = values(fields[1]) or frozenset(range(24))
    months = values(fields[3]) or frozenset(range(1, 13))
    cron_days = values(fields[4])  # croniter: Sunday=0 (7 folded into 0)
    weekdays = None if cron_days is None else frozenset((d - 1) % 7 for d in cron_days)
    return _Fields(
        tuple(sorted(minutes)), tuple(sorted(hours)), values(fields[2]), months, weekdays
    )


def _next_day(t: datetime) -> datetime:
    return datetime(t.year, t.month, t.day) + timedelta(days=1)


def _next_month(t: datetime) -> datetime:
    return datetime(t.year + (t.month == 12), t.month % 12 + 1, 1)


def _next_wall(f: _Fields, after: datetime) -> datetime:
    """The first wall-clock minute after ``after`` (naive) that ``f`` names."""
    t = after.replace(second=0, microsecond=0) + _MINUTE
    for _ in range(_MAX_STEPS):
        if t.month not in f.months:
            t = _next_month(t)
            continue
        if not f.day_matches(t.date()):
            t = _next_day(t)
            continue
        i = bisect_left(f.hours, t.hour)
        if i == len(f.hours):
            t = _next_day(t)
            continue
        if f.hours[i] != t.hour:
            t = t.replace(hour=f.hours[i], minute=0)
        j = bisect_left(f.minutes, t.minute)
        if j == len(f.minutes):
            t = t.replace(minute=0) + timedelta(hours=1)
            continue
        return t.replace(minute=f.minutes[j])
    raise DefinitionError(f"The cron expression {f!r} names no time in the coming years.")


def _prev_wall(f: _Fields, at: datetime) -> datetime:
    """The last wall-clock minute at or before ``at`` (naive) that ``f`` names."""
    t = at.replace(second=0, microsecond=0)
    for _ in range(_MAX_STEPS):
        if t.month not in f.months:
            first = datetime(t.year, t.month, 1)
            t = first - _MINUTE
            continue
        if not f.day_matches(t.date()):
            t = datetime(t.year, t.month, t.day) - _MINUTE
            continue
        i = bisect_right(f.hours, t.hour) - 1
        if i < 0:
            t = datetime(t.year, t.month, t.day) - _MINUTE
            continue
        if f.hours[i] != t.hour:
            t = t.replace(hour=f.hours[i], minute=59)
        j = bisect_right(f.minutes, t.minute) - 1
        if j < 0:
            t = t.replace(minute=0) - _MINUTE
            continue
        return t.replace(minute=f.minutes[j])
    raise DefinitionError(f"The cron expression {f!r} named no time in the past years.")


def _wall_of(ts: float, tz: ZoneInfo) -> datetime:
    return datetime.fromtimestamp(ts, tz).replace(tzinfo=None)


def instant_of(wall: datetime, tz: ZoneInfo) -> float:
    """The instant (epoch seconds) a naive wall-clock time names in ``tz``: its first
    occurrence when the clocks repeat it, the transition when they skip it."""
    early = wall.replace(tzinfo=tz, fold=0).timestamp()
    if _wall_of(early, tz) == wall:
        return early
    late = wall.replace(tzinfo=tz, fold=1).timestamp()
    lo, hi = min(early, late), max(early, late)
    if _wall_of(hi, tz) < wall:  # pragma: no cover - not a gap after all
        return hi
    while hi - lo > 1:  # the first second whose wall clock reads ``wall`` or later
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if _wall_of(mid, tz) < wall else (lo, mid)
    return float(hi)


@dataclass(frozen=True, slots=True)
class CronSchedule:
    """The instants a cron expression names in a timezone.

    Args:
        expr: A cron expression (five fields, or anything croniter accepts).
        timezone: An IANA timezone name whose wall clock the expression reads.
    """

    expr: str
    timezone: str = "UTC"
    _tz: ZoneInfo = field(init=False, repr=False, compare=False)
    _fields: _Fields | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_tz", zone(self.timezone))
        object.__setattr__(self, "_fields", _parse(self.expr))

    @property
    def tz(self) -> ZoneInfo:
        """The timezone."""
        return self._tz

    def _next(self, wall: datetime) -> datetime:
        if self._fields is not None:
            return _next_wall(self._fields, wall)
        from croniter import croniter

        out: datetime = croniter(self.expr, wall).get_next(datetime)
        return out

    def _prev(self, wall: datetime) -> datetime:
        if self._fields is not None:
            return _prev_wall(self._fields, wall)
        from croniter import croniter

        out: datetime = croniter(self.expr, wall + timedelta(seconds=1)).get_prev(datetime)
        return out

    def next_after(self, t: float) -> float:
        """The first instant after ``t`` (epoch seconds) that the schedule fires at."""
        wall = _wall_of(t, self._tz)
        for _ in range(_MAX_STEPS):
            wall = self._next(wall)
            instant = instant_of(wall, self._tz)
            if instant > t:
                return instant
        raise DefinitionError(f"The cron expression {self.expr!r} fires no more.")

    def ticks_between(self, after: float, until: float, limit: int | None = None) -> list[float]:
        """The instants in ``(after, until]`` the schedule fires at, in order; with
        ``limit``, only the last ``limit`` of them."""
        out: list[float] = []
        t = after
        while True:
            t = self.next_after(t)
            if t > until:
                break
            out.append(t)
            if limit is not None and len(out) > limit:
                out.pop(0)
        return out

    def latest_at_or_before(self, t: float) -> float:
        """The last instant at or before ``t`` that the schedule fired at."""
        wall = _wall_of(t, self._tz)
        for _ in range(_MAX_STEPS):
            candidate = self._prev(wall)
            instant = instant_of(candidate, self._tz)
            if instant <= t:
                # a wall time the clocks repeat fires at its first occurrence only
                return instant
            wall = candidate - _MINUTE
        raise DefinitionError(f"The cron expression {self.expr!r} never fired.")

    def local(self, t: float) -> datetime:
        """The instant ``t`` as an aware datetime in the schedule's timezone."""
        return datetime.fromtimestamp(t, self._tz)


@lru_cache(maxsize=256)
def zone(name: str) -> ZoneInfo:
    """The ``ZoneInfo`` of an IANA name; ``DefinitionError`` with close matches when it
    does not exist."""
    from zoneinfo import ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        from zoneinfo import available_timezones

        from assets_core.errors import did_you_mean

        raise DefinitionError(
            f"Unknown timezone {name!r}: use an IANA name such as 'UTC' or "
            f"'Europe/Berlin'.{did_you_mean(str(name), available_timezones())}"
        ) from None


def iso_utc(t: float) -> str:
    """``2024-03-01T06:00:00Z``."""
    return datetime.fromtimestamp(t, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


__all__ = ["CronSchedule", "instant_of", "iso_utc", "zone"]
