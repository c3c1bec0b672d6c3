"""The grid under time-window partitions: wall-clock arithmetic and daylight saving time.

Keys sit on a *grid* of wall-clock times (every hour, every midnight, every Monday,
every first of the month) numbered from the first window: grid point ``g`` starts at
``wall(g)``. Key -> index and index -> key are arithmetic, and listing 100,000 keys
builds strings, not datetimes.

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

Partition indices ``p`` number the windows that are not empty, so ``p_of_g`` and
``g_of_p`` step over the grid points a timezone skips.
"""

from __future__ import annotations

import calendar
import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

HOUR, DAY, WEEK, MONTH = "hour", "day", "week", "month"
#: The key format of each unit when the definition sets none.
DEFAULT_FMT = {HOUR: "%Y-%m-%d-%H:%M", DAY: "%Y-%m-%d", WEEK: "%Y-%m-%d", MONTH: "%Y-%m-%d"}
#: Zones without daylight saving time: offsets are constant, no transition tables.
FIXED_ZONES = frozenset({"UTC", "GMT", "UCT", "Universal", "Zulu", "Greenwich"})
_DATE_RE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_HOUR_RE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})-([0-9]{2}):00")
_HOURS = tuple(f"{h:02d}:00" for h in range(24))
_EPOCH = datetime(1970, 1, 1)


def wall_at(unit: str, origin: int, g: int) -> datetime:
    """The naive wall-clock start of grid point ``g``.

    Args:
        unit: ``hour``, ``day``, ``week`` or ``month``.
        origin: The grid's first point, counted in ``unit`` since year 0 (weeks: the
            ordinal of their first day).
        g: The grid point.
    """
    if unit == HOUR:
        n = origin + g
        return datetime.fromordinal(n // 24).replace(hour=n % 24)
    if unit == DAY:
        return datetime.fromordinal(origin + g)
    if unit == WEEK:
        return datetime.fromordinal(origin + 7 * g)
    n = origin + g
    return datetime(n // 12, n % 12 + 1, 1)


def floor_at(unit: str, origin: int, w: datetime) -> int:
    """The last grid point at or before wall-clock time ``w``.

    Args:
        unit: ``hour``, ``day``, ``week`` or ``month``.
        origin: The grid's first point (see ``wall_at``).
        w: A naive wall-clock time.
    """
    if unit == HOUR:
        return w.toordinal() * 24 + w.hour - origin
    if unit == DAY:
        return w.toordinal() - origin
    if unit == WEEK:
        return (w.toordinal() - origin) // 7
    return w.year * 12 + w.month - 1 - origin


def as_utc(t: datetime) -> datetime:
    """``t`` in UTC; a naive datetime is read as UTC."""
    return t.replace(tzinfo=UTC) if t.tzinfo is None else t.astimezone(UTC)


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
    for year in range(wall_at(unit, origin, 0).year - 1, year_hi + 2):
        for first, last, _ in _year_gaps(tz_key, year):
            g = floor_at(unit, origin, first)
            g += wall_at(unit, origin, g) < first
            while wall_at(unit, origin, g + 1) <= last:
                if g >= 0:
                    found.add(g)
                g += 1
    skips = tuple(sorted(found))
    return skips, tuple(s - i for i, s in enumerate(skips))


@dataclass(frozen=True, slots=True)
class TimeGrid:
    """The windows of one time-partitions definition as grid points ``g`` (wall-clock
    starts numbered from the first window) and partition indices ``p`` (the grid points
    whose window is not empty). Neither is bounded: the definition clamps to its range.

    Attributes:
        unit: ``hour``, ``day``, ``week`` or ``month``.
        origin: The first grid point (see ``wall_at``).
        tz: The timezone whose wall clock the keys are in.
        fixed: The UTC offset of a zone without daylight saving time, else None.
        key_fmt: The ``strftime`` format of the keys.
        custom_fmt: Whether ``key_fmt`` is the user's (parsed with ``strptime``) rather
            than the default (parsed with a regular expression, formatted in bulk).
    """

    unit: str
    origin: int
    tz: ZoneInfo
    fixed: timedelta | None
    key_fmt: str
    custom_fmt: bool

    def wall(self, g: int) -> datetime:
        """The naive wall-clock time at which window ``g`` starts."""
        return wall_at(self.unit, self.origin, g)

    def floor(self, w: datetime) -> int:
        """The last grid point at or before wall-clock time ``w``."""
        return floor_at(self.unit, self.origin, w)

    def format(self, g: int) -> str:
        """The key of grid point ``g``."""
        return self.wall(g).strftime(self.key_fmt)

    def parse(self, key: str) -> datetime | None:
        """The wall-clock time ``key`` names, or None when it is not in the key format."""
        if not self.custom_fmt:
            m = (_HOUR_RE if self.unit == HOUR else _DATE_RE).fullmatch(key)
            if m is None:
                return None
            parts = [int(p) for p in m.groups()] + [0]
            try:
                return datetime(parts[0], parts[1], parts[2], parts[3])
            except ValueError:
                return None
        try:
            w = datetime.strptime(key, self.key_fmt)
        except ValueError:
            return None
        return w if w.strftime(self.key_fmt) == key else None

    def instant(self, g: int) -> datetime:
        """The UTC instant window ``g`` starts: the first the clock reads its wall time."""
        w = self.wall(g)
        if self.fixed is not None:
            return (w - self.fixed).replace(tzinfo=UTC)
        utc = w.replace(tzinfo=self.tz).astimezone(UTC)
        if utc.astimezone(self.tz).replace(tzinfo=None) == w:
            return utc  # fold=0: a repeated wall time starts at its first occurrence
        for year in (w.year - 1, w.year, w.year + 1):
            for first, last, at in _year_gaps(self.tz.key, year):
                if first <= w < last:
                    return at.replace(tzinfo=UTC)
        return utc  # pragma: no cover - every skipped span is in _year_gaps

    def grid_at(self, t: datetime) -> int:
        """The grid point whose window holds instant ``t`` (naive: UTC)."""
        t = as_utc(t)
        if self.fixed is not None:
            return self.floor(t.replace(tzinfo=None) + self.fixed)
        g = self.floor(t.astimezone(self.tz).replace(tzinfo=None))
        # Window g starts at or before t (t's clock reads W_g or later). After a fall-back
        # longer than a window the clock reads earlier times again, and t belongs to a
        # later window: the last one that starts at or before t.
        while self.instant(g + 1) <= t:
            g += 1
        return g

    def is_empty(self, g: int) -> bool:
        """Whether the clocks skip all of window ``g`` (it has no key)."""
        return self.fixed is None and self.instant(g) == self.instant(g + 1)

    def _skips(self, g: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
        if self.fixed is not None:
            return (), ()
        return _skip_table(self.unit, self.origin, self.tz.key, self.wall(max(g, 0)).year)

    def p_of_g(self, g: int) -> int:
        """The partition index of grid point ``g`` (empty windows have none)."""
        return g if g <= 0 else g - bisect_left(self._skips(g)[0], g)

    def g_of_p(self, p: int) -> int:
        """The grid point of partition index ``p``."""
        return p if p < 0 else p + bisect_right(self._skips(p)[1], p)

    def format_range(self, g0: int, g1: int) -> list[str]:
        """Keys of grid points ``g0 .. g1-1`` that are not skipped, built without
        per-key datetime work for the default formats."""
        if g1 <= g0:
            return []
        unit, o = self.unit, self.origin
        if self.custom_fmt:
            keys = [self.format(g) for g in range(g0, g1)]
        elif unit == HOUR:
            d0, d1 = (o + g0) // 24, (o + g1 - 1) // 24
            prefixes = [date.fromordinal(d).isoformat() + "-" for d in range(d0, d1 + 1)]
            keys = [p + h for p in prefixes for h in _HOURS][o + g0 - d0 * 24 : o + g1 - d0 * 24]
        elif unit == DAY:
            keys = [date.fromordinal(n).isoformat() for n in range(o + g0, o + g1)]
        elif unit == WEEK:
            keys = [date.fromordinal(o + 7 * g).isoformat() for g in range(g0, g1)]
        else:
            keys = [f"{n // 12:04d}-{n % 12 + 1:02d}-01" for n in range(o + g0, o + g1)]
        skips = self._skips(g1)[0]
        drop = {s - g0 for s in skips[bisect_left(skips, g0) : bisect_left(skips, g1)]}
        return [k for i, k in enumerate(keys) if i not in drop] if drop else keys
