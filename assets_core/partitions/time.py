"""Time-window partitions: hourly, daily, weekly and monthly, in any timezone.

A key names its window by the wall-clock time at which the window starts, in the
definition's timezone: ``2024-03-01`` (daily, weekly, monthly) or ``2024-03-01-13:00``
(hourly). The arithmetic of windows, and what daylight saving time does to them, is in
``time_grid``; this module holds the definitions: their arguments, ranges, keys and
error messages.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import ClassVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from assets_core.errors import DefinitionError, PartitionKeyError, did_you_mean
from assets_core.keys import shown
from assets_core.partitions.base import DynamicKeyStore, PartitionsDefinition, TimeWindow
from assets_core.partitions.static import key_problem
from assets_core.partitions.time_grid import (
    DAY,
    DEFAULT_FMT,
    FIXED_ZONES,
    HOUR,
    MONTH,
    WEEK,
    TimeGrid,
    as_utc,
    floor_at,
)

_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_PATTERN = {"%Y": "YYYY", "%m": "MM", "%d": "DD", "%H": "HH", "%M": "MM", "%y": "YY", "%%": "%"}


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

    _unit: ClassVar[str] = DAY
    start: str | date | datetime
    end: str | date | datetime | None = None
    timezone: str = "UTC"
    fmt: str | None = None
    end_offset: int = 0
    _tz: ZoneInfo = field(init=False, repr=False, compare=False)
    _key_fmt: str = field(init=False, repr=False, compare=False)
    _grid: TimeGrid = field(init=False, repr=False, compare=False)
    _end_wall: datetime | None = field(init=False, repr=False, compare=False)

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
        fixed = tz.key in FIXED_ZONES or tz.key.startswith("Etc/")
        key_fmt = self.fmt or DEFAULT_FMT[self._unit]
        set_ = object.__setattr__
        set_(self, "_tz", tz)
        set_(self, "_key_fmt", key_fmt)
        first = self._align(self._to_wall(self.start, "start"))
        origin = first.toordinal() if self._unit == WEEK else floor_at(self._unit, 0, first)
        offset = tz.utcoffset(datetime(2000, 1, 1)) if fixed else None
        grid = TimeGrid(self._unit, origin, tz, offset, key_fmt, self.fmt is not None)
        set_(self, "_grid", grid)
        set_(self, "start", _canonical(first))
        end = None if self.end is None else self._to_wall(self.end, "end")
        set_(self, "_end_wall", end)
        if end is not None:
            set_(self, "end", _canonical(end))
            if grid.floor(end) <= 0:
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
            for f in dict.fromkeys((self._key_fmt, DEFAULT_FMT[self._unit], "%Y-%m-%d")):
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
        if self._unit == HOUR:
            hour = w.replace(minute=0, second=0, microsecond=0)
            return hour if hour == w else hour + timedelta(hours=1)
        day = day if day == w else day + timedelta(days=1)
        if self._unit == WEEK:
            return day + timedelta(days=(getattr(self, "day_offset", 0) - day.weekday()) % 7)
        if self._unit == MONTH and day.day != 1:
            return datetime(day.year + day.month // 12, day.month % 12 + 1, 1)
        return day

    def _check_fmt(self, name: str) -> None:
        for g in range(3):
            key = self._grid.format(g)
            problem = key_problem(key)
            if problem or self._grid.parse(key) != self._grid.wall(g):
                why = problem or "does not name one window; include every field down to the unit"
                raise DefinitionError(
                    f"{name}(fmt={self._key_fmt!r}) makes keys like {key!r}, which {why}."
                )

    # --- the range and keys ---------------------------------------------------------

    def num_partitions(
        self, dynamic_keys: DynamicKeyStore | None = None, *, current_time: datetime | None = None
    ) -> int:
        """How many complete windows there are (up to ``end``, or now)."""
        if self._end_wall is not None:
            return self._grid.p_of_g(self._grid.floor(self._end_wall))
        now = current_time if current_time is not None else datetime.now(UTC)
        return max(self._grid.p_of_g(self._grid.grid_at(now)) + self.end_offset, 0)

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
        return (
            self._grid.format_range(self._grid.g_of_p(start), self._grid.g_of_p(stop))
            if start < stop
            else []
        )

    def index_of(
        self,
        key: str,
        dynamic_keys: DynamicKeyStore | None = None,
        *,
        current_time: datetime | None = None,
    ) -> int:
        """The position of ``key``; raises ``PartitionKeyError`` naming the format and range."""
        return self._grid.p_of_g(self._locate(key, current_time))

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
        return self._grid.format(self._grid.g_of_p(index))

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
        return self.window_at(self._grid.p_of_g(self._locate(key, current_time)))

    def window_at(self, index: int) -> TimeWindow:
        """The window at ``index``, which may lie outside the range (for offsets)."""
        g = self._grid.g_of_p(index)
        return TimeWindow(
            self._grid.instant(g).astimezone(self._tz),
            self._grid.instant(g + 1).astimezone(self._tz),
        )

    def index_at(self, t: datetime) -> int:
        """The index of the window holding instant ``t`` (naive: UTC); may lie outside
        the range."""
        return self._grid.p_of_g(self._grid.grid_at(t))

    def keys_overlapping(
        self, start: datetime, end: datetime, *, current_time: datetime | None = None
    ) -> list[str]:
        """The keys whose windows overlap ``[start, end)``, within the range."""
        if as_utc(end) <= as_utc(start):
            return []
        first = self.index_at(start)
        last = self.index_at(as_utc(end) - timedelta(microseconds=1))
        return self.keys_in_index_range(first, last + 1, current_time=current_time)

    def _locate(self, key: str, current_time: datetime | None) -> int:
        """The grid point of ``key``, or a ``PartitionKeyError`` saying what is wrong."""
        w = self._grid.parse(key) if isinstance(key, str) else None
        if w is None:
            raise self._key_error(key, "", current_time)
        g = self._grid.floor(w)
        if self._grid.wall(g) != w:
            raise self._key_error(key, self._misaligned(), current_time)
        if self._grid.is_empty(g):
            why = f"{w:%Y-%m-%d %H:%M} does not exist in {self.timezone} (the clocks skip it); "
            raise self._key_error(key, why, current_time)
        n = self.num_partitions(current_time=current_time)
        if g < 0 or self._grid.p_of_g(g) >= n:
            raise PartitionKeyError(
                f"Partition key {shown(key)} is out of range: expected a {self.kind} key "
                f"{self._range_text(n)}."
            )
        return g

    def _misaligned(self) -> str:
        if self._unit == WEEK:
            return f"weeks start on {_WEEKDAYS[self._grid.wall(0).weekday()]}; "
        if self._unit == MONTH:
            return "monthly keys are the first day of a month; "
        return "hourly keys are on the hour; " if self._unit == HOUR else "keys are at midnight; "

    def _key_error(self, key: object, why: str, current_time: datetime | None) -> Exception:
        n = self.num_partitions(current_time=current_time)
        return PartitionKeyError(
            f"Partition key {shown(key)} is not a valid {self.kind} key: {why}expected "
            f"{self._pattern()} {self._range_text(n)}."
        )

    def _range_text(self, n: int) -> str:
        if n == 0:
            return f"but {self.describe()} has no complete partition yet"
        return f"between {self._grid.format(0)} and {self._grid.format(self._grid.g_of_p(n - 1))}"

    def _pattern(self) -> str:
        return re.sub("%.", lambda m: _PATTERN.get(m.group(), m.group()), self._key_fmt)

    def describe(self) -> str:
        """``daily from 2024-01-01 (UTC)``, with the end and week start when set."""
        until = f" until {self.end}" if self.end is not None else ""
        week = getattr(self, "day_offset", 0)
        starts = f", weeks start on {_WEEKDAYS[week]}" if week else ""
        return f"{self.kind} from {self._grid.format(0)}{until}{starts} ({self.timezone})"

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

    See ``time_grid`` for the hours that daylight saving time skips or repeats.
    """

    kind: ClassVar[str] = "hourly"
    _unit: ClassVar[str] = HOUR


@dataclass(frozen=True, slots=True)
class DailyPartitions(TimePartitions):
    """One partition per day, midnight to midnight in the timezone: keys ``2024-03-01``."""

    kind: ClassVar[str] = "daily"
    _unit: ClassVar[str] = DAY


@dataclass(frozen=True, slots=True)
class WeeklyPartitions(TimePartitions):
    """One partition per week, keyed by the date the week starts: ``2024-03-04``.

    Attributes:
        day_offset: The weekday weeks start on: 0 Monday (default) .. 6 Sunday.
    """

    kind: ClassVar[str] = "weekly"
    _unit: ClassVar[str] = WEEK
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
    _unit: ClassVar[str] = MONTH
