"""Time-window partitions: hourly, daily, weekly and monthly, in any timezone.

A key names its window by the wall-clock time at which the window starts, in the
definition's timezone: ``2024-03-01`` (daily, weekly, monthly) or ``2024-03-01-13:00``
(hourly). The keys sit on a *grid* of wall-clock times (every hour, every midnight,
every Monday, every first of the month) numbered from the first window, so key -> index
and index -> key are arithmetic, and listing 100,000 keys builds strings, not datetimes.

Daylight saving time. A window starts at the first instant at which the clock reads
its key's time or later, and ends where the next window starts; windows are therefore
contiguous and never overlap:

- A wall-clock time the clocks skip (spring forward) starts at the transition. When
  that leaves a window empty its key does not exist: Europe/Berlin has no hourly key
  ``2024-03-31-02:00`` and ``01:00`` lasts one hour. Australia/Lord_Howe moves by 30
  minutes, so ``2024-10-06-02:00`` exists there and lasts 30 minutes.
- A wall-clock time the clocks repeat (fall back) belongs to one key: in Europe/Berlin
  ``2024-10-27-02:00`` lasts two hours (02:00 CEST to 03:00 CET).
- Daily, weekly and monthly windows last an hour more or less on those days.
"""

from __future__ import annotations

import calendar
import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import ClassVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from assets_core.errors import DefinitionError, PartitionKeyError, did_you_mean
from assets_core.partitions.base import DynamicKeyStore, PartitionsDefinition, TimeWindow
from assets_core.partitions.static import key_problem

_HOUR, _DAY, _WEEK, _MONTH = "hour", "day", "week", "month"
_DEFAULT_FMT = {_HOUR: "%Y-%m-%d-%H:%M", _DAY: "%Y-%m-%d", _WEEK: "%Y-%m-%d", _MONTH: "%Y-%m-%d"}
_DATE_RE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_HOUR_RE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})-([0-9]{2}):00")
_HOURS = tuple(f"{h:02d}:00" for h in range(24))
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_FIXED_ZONES = frozenset({"UTC", "GMT", "UCT", "Universal", "Zulu", "Greenwich"})
_PATTERN = {"%Y": "YYYY", "%m": "MM", "%d": "DD", "%H": "HH", "%M": "MM", "%y": "YY", "%%": "%"}
_EPOCH = datetime(1970, 1, 1)


def _wall(unit: str, origin: int, g: int) -> datetime:
    """The naive wall-clock start of grid point ``g``."""
    if unit == _HOUR:
        n = origin + g
        return datetime.fromordinal(n // 24).replace(hour=n % 24)
    if unit == _DAY:
        return datetime.fromordinal(origin + g)
    if unit == _WEEK:
        return datetime.fromordinal(origin + 7 * g)
    n = origin + g
    return datetime(n // 12, n % 12 + 1, 1)


def _floor(unit: str, origin: int, w: datetime) -> int:
    """The last grid point at or before wall-clock time ``w``."""
    if unit == _HOUR:
        return w.toordinal() * 24 + w.hour - origin
    if unit == _DAY:
        return w.toordinal() - origin
    if unit == _WEEK:
        return (w.toordinal() - origin) // 7
    return w.year * 12 + w.month - 1 - origin


def _offset(tz: ZoneInfo, ts: int) -> int:
    off = datetime.fromtimestamp(ts, tz).utcoffset()
    return int(off.total_seconds()) if off is not None else 0


@lru_cache(maxsize=4096)
def _year_gaps(tz_key: str, year: int) -> tuple[tuple[datetime, datetime, datetime], ...]:
    """The wall-clock spans ``[first, last)`` that clocks skip in ``year`` (a UTC year),
    each with the transition instant (naive UTC). Offsets are sampled daily, so two
    transitions within one day would be missed (tzdata has none)."""
    tz = ZoneInfo(tz_key)
    t0 = calendar.timegm((year, 1, 1, 0, 0, 0))
    t1 = calendar.timegm((year + 1, 1, 1, 0, 0, 0))
    gaps = []
    prev_t, prev = t0, _offset(tz, t0)
    for t in range(t0 + 86_400, t1 + 1, 86_400):
        off = _offset(tz, t)
        if off != prev:
            lo, hi = prev_t, t
            while hi - lo > 1:
                mid = (lo + hi) // 2
                lo, hi = (mid, hi) if _offset(tz, mid) == prev else (lo, mid)
            if off > prev:
                at = _EPOCH + timedelta(seconds=hi)
                gaps.append((at + timedelta(seconds=prev), at + timedelta(seconds=off), at))
        prev_t, prev = t, off
    return tuple(gaps)


@lru_cache(maxsize=256)
def _skip_table(
    unit: str, origin: int, tz_key: str, year_hi: int
) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Grid points whose window is empty (all inside a skipped span), up to the end of
    ``year_hi + 1``, and for each the number of non-skipped points before it."""
    found: set[int] = set()
    for year in range(_wall(unit, origin, 0).year - 1, year_hi + 2):
        for first, last, _ in _year_gaps(tz_key, year):
            g = _floor(unit, origin, first)
            g += _wall(unit, origin, g) < first
            while _wall(unit, origin, g + 1) <= last:
                if g >= 0:
                    found.add(g)
                g += 1
    skips = tuple(sorted(found))
    return skips, tuple(s - i for i, s in enumerate(skips))


def _as_utc(t: datetime) -> datetime:
    return t.replace(tzinfo=UTC) if t.tzinfo is None else t.astimezone(UTC)


def _canonical(w: datetime) -> str:
    if w.time() == datetime.min.time():
        return w.date().isoformat()
    return w.strftime("%Y-%m-%d-%H:%M") if not (w.second or w.microsecond) else w.isoformat()


@dataclass(frozen=True, slots=True)
class TimePartitions(PartitionsDefinition):
    """Shared implementation of the four time-window definitions (use those).

    Attributes:
        start: The first window starts here, or at the next window boundary. Stored
            normalized to that boundary (``2024-01-01``, ``2024-01-01-13:00``).
        end: Exclusive; only windows that end by ``end`` exist. None: up to the last
            window that is complete now.
        timezone: The IANA timezone whose wall clock the keys are in.
        fmt: A ``strftime`` format for keys instead of the default.
        end_offset: Without ``end``, how many windows past the last complete one exist
            (1: include the window in progress; -1: lag one window).
    """

    _unit: ClassVar[str] = _DAY
    start: str | date | datetime
    end: str | date | datetime | None = None
    timezone: str = "UTC"
    fmt: str | None = None
    end_offset: int = 0
    _tz: ZoneInfo = field(init=False, repr=False, compare=False)
    _fixed: timedelta | None = field(init=False, repr=False, compare=False)
    _origin: int = field(init=False, repr=False, compare=False)
    _end_wall: datetime | None = field(init=False, repr=False, compare=False)
    _key_fmt: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        name = type(self).__name__
        if not isinstance(self.timezone, str) or not self.timezone:
            raise DefinitionError(f"{name}(timezone={self.timezone!r}) must be an IANA name.")
        try:
            tz = ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            from zoneinfo import available_timezones

            hint = did_you_mean(self.timezone, available_timezones())
            raise DefinitionError(
                f"Unknown timezone {self.timezone!r} in {name}: use an IANA name such as "
                f"'UTC' or 'Europe/Berlin'.{hint}"
            ) from None
        fixed = tz.key in _FIXED_ZONES or tz.key.startswith("Etc/")
        key_fmt = self.fmt or _DEFAULT_FMT[self._unit]
        set_ = object.__setattr__
        set_(self, "_tz", tz)
        set_(self, "_fixed", tz.utcoffset(datetime(2000, 1, 1)) if fixed else None)
        set_(self, "_key_fmt", key_fmt)
        first = self._align(self._to_wall(self.start, "start"))
        origin = first.toordinal() if self._unit == _WEEK else _floor(self._unit, 0, first)
        set_(self, "_origin", origin)
        set_(self, "start", _canonical(first))
        end = None if self.end is None else self._to_wall(self.end, "end")
        set_(self, "_end_wall", end)
        if end is not None:
            set_(self, "end", _canonical(end))
            if self._floor(end) <= 0:
                raise DefinitionError(
                    f"{name}: end {self.end} leaves no complete window after start "
                    f"{self.start}; the end is exclusive."
                )
            if self.end_offset:
                raise DefinitionError(
                    f"{name}: end_offset applies only without an end; drop one of them."
                )
        if not isinstance(self.end_offset, int):
            raise DefinitionError(f"{name}(end_offset={self.end_offset!r}) must be an int.")
        self._check_fmt(name)

    # --- construction helpers -------------------------------------------------------

    def _to_wall(self, value: object, what: str) -> datetime:
        if isinstance(value, datetime):
            return (
                value if value.tzinfo is None else value.astimezone(self._tz).replace(tzinfo=None)
            )
        if isinstance(value, date):
            return datetime(value.year, value.month, value.day)
        if isinstance(value, str):
            for f in dict.fromkeys((self._key_fmt, _DEFAULT_FMT[self._unit], "%Y-%m-%d")):
                try:
                    return datetime.strptime(value, f)
                except ValueError:
                    pass
            try:
                return self._to_wall(datetime.fromisoformat(value), what)
            except ValueError:
                pass
        raise DefinitionError(
            f"{type(self).__name__}({what}={value!r}) is not a date: expected "
            f"{self._pattern()} or an ISO date such as 2024-01-01."
        )

    def _align(self, w: datetime) -> datetime:
        """The first grid boundary at or after ``w``."""
        day = w.replace(hour=0, minute=0, second=0, microsecond=0)
        if self._unit == _HOUR:
            hour = w.replace(minute=0, second=0, microsecond=0)
            return hour if hour == w else hour + timedelta(hours=1)
        day = day if day == w else day + timedelta(days=1)
        if self._unit == _WEEK:
            return day + timedelta(days=(getattr(self, "day_offset", 0) - day.weekday()) % 7)
        if self._unit == _MONTH and day.day != 1:
            return datetime(day.year + day.month // 12, day.month % 12 + 1, 1)
        return day

    def _check_fmt(self, name: str) -> None:
        for g in range(3):
            key = self._format(g)
            problem = key_problem(key)
            if problem or self._parse(key) != self._wall(g):
                why = problem or "does not name one window; include every field down to the unit"
                raise DefinitionError(
                    f"{name}(fmt={self._key_fmt!r}) makes keys like {key!r}, which {why}."
                )

    # --- the grid -------------------------------------------------------------------

    def _wall(self, g: int) -> datetime:
        return _wall(self._unit, self._origin, g)

    def _floor(self, w: datetime) -> int:
        return _floor(self._unit, self._origin, w)

    def _format(self, g: int) -> str:
        return self._wall(g).strftime(self._key_fmt)

    def _parse(self, key: str) -> datetime | None:
        if self.fmt is None:
            m = (_HOUR_RE if self._unit == _HOUR else _DATE_RE).fullmatch(key)
            if m is None:
                return None
            parts = [int(p) for p in m.groups()] + [0]
            try:
                return datetime(parts[0], parts[1], parts[2], parts[3])
            except ValueError:
                return None
        try:
            w = datetime.strptime(key, self._key_fmt)
        except ValueError:
            return None
        return w if w.strftime(self._key_fmt) == key else None

    def _instant(self, g: int) -> datetime:
        """The UTC instant window ``g`` starts: the first the clock reads its wall time."""
        w = self._wall(g)
        if self._fixed is not None:
            return (w - self._fixed).replace(tzinfo=UTC)
        utc = w.replace(tzinfo=self._tz).astimezone(UTC)
        if utc.astimezone(self._tz).replace(tzinfo=None) == w:
            return utc  # fold=0: a repeated wall time starts at its first occurrence
        for year in (w.year - 1, w.year, w.year + 1):
            for first, last, at in _year_gaps(self._tz.key, year):
                if first <= w < last:
                    return at.replace(tzinfo=UTC)
        return utc  # pragma: no cover - every skipped span is in _year_gaps

    def _grid_at(self, t: datetime) -> int:
        """The grid point whose window holds instant ``t`` (unbounded)."""
        t = _as_utc(t)
        if self._fixed is not None:
            return self._floor(t.replace(tzinfo=None) + self._fixed)
        g = self._floor(t.astimezone(self._tz).replace(tzinfo=None))
        # Window g starts at or before t (t's clock reads W_g or later). After a fall-back
        # longer than a window the clock reads earlier times again, and t belongs to a
        # later window: the last one that starts at or before t.
        while self._instant(g + 1) <= t:
            g += 1
        return g

    def _skips(self, g: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
        if self._fixed is not None:
            return (), ()
        return _skip_table(self._unit, self._origin, self._tz.key, self._wall(max(g, 0)).year)

    def _p_of_g(self, g: int) -> int:
        return g if g <= 0 else g - bisect_left(self._skips(g)[0], g)

    def _g_of_p(self, p: int) -> int:
        return p if p < 0 else p + bisect_right(self._skips(p)[1], p)

    def _format_range(self, g0: int, g1: int) -> list[str]:
        """Keys of grid points ``g0 .. g1-1`` that are not skipped, built without
        per-key datetime work for the default formats."""
        if g1 <= g0:
            return []
        unit, o = self._unit, self._origin
        if self.fmt is not None:
            keys = [self._format(g) for g in range(g0, g1)]
        elif unit == _HOUR:
            d0, d1 = (o + g0) // 24, (o + g1 - 1) // 24
            prefixes = [date.fromordinal(d).isoformat() + "-" for d in range(d0, d1 + 1)]
            keys = [p + h for p in prefixes for h in _HOURS][o + g0 - d0 * 24 : o + g1 - d0 * 24]
        elif unit == _DAY:
            keys = [date.fromordinal(n).isoformat() for n in range(o + g0, o + g1)]
        elif unit == _WEEK:
            keys = [date.fromordinal(o + 7 * g).isoformat() for g in range(g0, g1)]
        else:
            keys = [f"{n // 12:04d}-{n % 12 + 1:02d}-01" for n in range(o + g0, o + g1)]
        skips = self._skips(g1)[0]
        drop = {s - g0 for s in skips[bisect_left(skips, g0) : bisect_left(skips, g1)]}
        return [k for i, k in enumerate(keys) if i not in drop] if drop else keys

    # --- the range and keys ---------------------------------------------------------

    def num_partitions(
        self, dynamic_keys: DynamicKeyStore | None = None, *, current_time: datetime | None = None
    ) -> int:
        """How many complete windows there are (up to ``end``, or now)."""
        if self._end_wall is not None:
            return self._p_of_g(self._floor(self._end_wall))
        now = current_time if current_time is not None else datetime.now(UTC)
        return max(self._p_of_g(self._grid_at(now)) + self.end_offset, 0)

    def get_partition_keys(
        self, dynamic_keys: DynamicKeyStore | None = None, *, current_time: datetime | None = None
    ) -> list[str]:
        """Every key, in time order."""
        return self.keys_in_index_range(0, self.num_partitions(current_time=current_time))

    def keys_in_index_range(
        self,
        start: int,
        stop: int,
        dynamic_keys: DynamicKeyStore | None = None,
        *,
        current_time: datetime | None = None,
    ) -> list[str]:
        """The keys at indices ``start`` (inclusive) to ``stop`` (exclusive), clamped."""
        stop = min(stop, self.num_partitions(current_time=current_time))
        start = max(start, 0)
        return self._format_range(self._g_of_p(start), self._g_of_p(stop)) if start < stop else []

    def index_of(
        self,
        key: str,
        dynamic_keys: DynamicKeyStore | None = None,
        *,
        current_time: datetime | None = None,
    ) -> int:
        """The position of ``key``; raises ``PartitionKeyError`` naming the format and range."""
        return self._p_of_g(self._locate(key, current_time))

    def indices_of(
        self,
        keys: Iterable[str],
        dynamic_keys: DynamicKeyStore | None = None,
        *,
        current_time: datetime | None = None,
    ) -> list[int]:
        """The positions of many keys at once."""
        keys = list(keys)
        if len(keys) < 64:
            return [self.index_of(k, current_time=current_time) for k in keys]
        return PartitionsDefinition.indices_of(self, keys, current_time=current_time)

    def key_at(
        self,
        index: int,
        dynamic_keys: DynamicKeyStore | None = None,
        *,
        current_time: datetime | None = None,
    ) -> str:
        """The key at ``index``; raises ``IndexError`` outside ``0..num_partitions-1``."""
        n = self.num_partitions(current_time=current_time)
        if not 0 <= index < n:
            raise IndexError(f"partition index {index} out of range 0..{n - 1}")
        return self._format(self._g_of_p(index))

    def validate_key(
        self,
        key: str,
        dynamic_keys: DynamicKeyStore | None = None,
        *,
        current_time: datetime | None = None,
    ) -> None:
        """Raise ``PartitionKeyError`` naming the key format and the valid range."""
        self._locate(key, current_time)

    def time_window_for(self, key: str, *, current_time: datetime | None = None) -> TimeWindow:
        """The window of ``key``: timezone-aware datetimes in the timezone, end exclusive."""
        return self.window_at(self._p_of_g(self._locate(key, current_time)))

    def window_at(self, index: int) -> TimeWindow:
        """The window at ``index``, which may lie outside the range (for offsets)."""
        g = self._g_of_p(index)
        return TimeWindow(
            self._instant(g).astimezone(self._tz), self._instant(g + 1).astimezone(self._tz)
        )

    def index_at(self, t: datetime) -> int:
        """The index of the window holding instant ``t`` (naive: UTC); may lie outside
        the range."""
        return self._p_of_g(self._grid_at(t))

    def keys_overlapping(
        self, start: datetime, end: datetime, *, current_time: datetime | None = None
    ) -> list[str]:
        """The keys whose windows overlap ``[start, end)``, within the range."""
        if _as_utc(end) <= _as_utc(start):
            return []
        first = self.index_at(start)
        last = self.index_at(_as_utc(end) - timedelta(microseconds=1))
        return self.keys_in_index_range(first, last + 1, current_time=current_time)

    def _locate(self, key: str, current_time: datetime | None) -> int:
        """The grid point of ``key``, or a ``PartitionKeyError`` saying what is wrong."""
        w = self._parse(key) if isinstance(key, str) else None
        if w is None:
            raise self._key_error(key, "", current_time)
        g = self._floor(w)
        if self._wall(g) != w:
            raise self._key_error(key, self._misaligned(), current_time)
        if self._fixed is None and self._instant(g) == self._instant(g + 1):
            why = f"{w:%Y-%m-%d %H:%M} does not exist in {self.timezone} (the clocks skip it); "
            raise self._key_error(key, why, current_time)
        n = self.num_partitions(current_time=current_time)
        if g < 0 or self._p_of_g(g) >= n:
            raise PartitionKeyError(
                f"Partition key {key!r} is out of range: expected a {self.kind} key "
                f"{self._range_text(n)}."
            )
        return g

    def _misaligned(self) -> str:
        if self._unit == _WEEK:
            return f"weeks start on {_WEEKDAYS[self._wall(0).weekday()]}; "
        if self._unit == _MONTH:
            return "monthly keys are the first day of a month; "
        return "hourly keys are on the hour; " if self._unit == _HOUR else "keys are at midnight; "

    def _key_error(self, key: object, why: str, current_time: datetime | None) -> Exception:
        n = self.num_partitions(current_time=current_time)
        return PartitionKeyError(
            f"Partition key {key!r} is not a valid {self.kind} key: {why}expected "
            f"{self._pattern()} {self._range_text(n)}."
        )

    def _range_text(self, n: int) -> str:
        if n == 0:
            return f"but {self.describe()} has no complete partition yet"
        return f"between {self._format(0)} and {self._format(self._g_of_p(n - 1))}"

    def _pattern(self) -> str:
        return re.sub("%.", lambda m: _PATTERN.get(m.group(), m.group()), self._key_fmt)

    def describe(self) -> str:
        """``daily from 2024-01-01 (UTC)``, with the end and week start when set."""
        until = f" until {self.end}" if self.end is not None else ""
        week = getattr(self, "day_offset", 0)
        starts = f", weeks start on {_WEEKDAYS[week]}" if week else ""
        return f"{self.kind} from {self._format(0)}{until}{starts} ({self.timezone})"

    def key_mismatch(self, other: PartitionsDefinition) -> str | None:
        """None for the same kind, timezone and format (the ranges may differ)."""
        if type(other) is not type(self):
            return f"{self.kind} vs {other.kind}"
        fields = ("timezone", "fmt", "day_offset")
        differ = [f for f in fields if getattr(self, f, 0) != getattr(other, f, 0)]
        return f"different {' and '.join(differ)}" if differ else None

    def to_dict(self) -> dict[str, object]:
        """The constructor arguments, plus ``kind`` and ``description``."""
        out: dict[str, object] = {"kind": self.kind, "description": self.describe()}
        out |= {"start": self.start, "end": self.end, "timezone": self.timezone}
        out |= {"fmt": self.fmt, "end_offset": self.end_offset}
        return out


@dataclass(frozen=True, slots=True)
class HourlyPartitions(TimePartitions):
    """One partition per hour of wall-clock time: keys ``2024-03-01-13:00``.

    See the module docstring for the hours that daylight saving time skips or repeats.
    """

    kind: ClassVar[str] = "hourly"
    _unit: ClassVar[str] = _HOUR


@dataclass(frozen=True, slots=True)
class DailyPartitions(TimePartitions):
    """One partition per day, midnight to midnight in the timezone: keys ``2024-03-01``."""

    kind: ClassVar[str] = "daily"
    _unit: ClassVar[str] = _DAY


@dataclass(frozen=True, slots=True)
class WeeklyPartitions(TimePartitions):
    """One partition per week, keyed by the date the week starts: ``2024-03-04``.

    Attributes:
        day_offset: The weekday weeks start on: 0 Monday (default) .. 6 Sunday.
    """

    kind: ClassVar[str] = "weekly"
    _unit: ClassVar[str] = _WEEK
    day_offset: int = 0

    def __post_init__(self) -> None:
        if not isinstance(self.day_offset, int) or not 0 <= self.day_offset <= 6:
            raise DefinitionError(
                f"WeeklyPartitions(day_offset={self.day_offset!r}) must be 0 (Monday) "
                "to 6 (Sunday)."
            )
        TimePartitions.__post_init__(self)

    def to_dict(self) -> dict[str, object]:
        """The constructor arguments, plus ``kind`` and ``description``."""
        return TimePartitions.to_dict(self) | {"day_offset": self.day_offset}


@dataclass(frozen=True, slots=True)
class MonthlyPartitions(TimePartitions):
    """One partition per calendar month, keyed by its first day: ``2024-03-01``."""

    kind: ClassVar[str] = "monthly"
    _unit: ClassVar[str] = _MONTH
