"""Small option objects for ``@asset``: retry, freshness and automation policies
(``Automation`` lives in ``automation/conditions.py``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from typing import TYPE_CHECKING

from assets_core.automation.conditions import Automation
from assets_core.errors import DefinitionError

if TYPE_CHECKING:
    from assets_core.automation.cron import CronSchedule

_DURATION = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)\s*")
_UNIT_SECONDS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(value: str | float | int | timedelta) -> timedelta:
    """Parse ``"26h"``, ``"1h30m"``, ``"90s"``, a number of seconds, or a timedelta."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return timedelta(seconds=value)
    if isinstance(value, str) and value.strip():
        pos, total = 0, 0.0
        text = value.strip()
        while pos < len(text):
            m = _DURATION.match(text, pos)
            if not m:
                break
            total += float(m.group(1)) * _UNIT_SECONDS[m.group(2)]
            pos = m.end()
        if pos == len(text):
            return timedelta(seconds=total)
    raise DefinitionError(
        f"Invalid duration {value!r}: write it like '26h', '1h30m', '90s' or '7d' "
        "(units ms, s, m, h, d, w)."
    )


@dataclass(frozen=True, slots=True)
class Retry:
    """Retry a failing asset: ``max_attempts`` in all, waiting ``backoff_s`` then
    doubling up to ``max_backoff_s``, plus up to ``jitter`` (a fraction) at random.
    ``retry_on`` limits retries to these exception types.

    Attributes:
        max_attempts: Attempts in all, the first included (>= 1).
        backoff_s: Seconds before the second attempt; doubled for each next one.
        max_backoff_s: The longest wait between two attempts, in seconds.
        jitter: Up to this fraction of the wait is added at random (0 to 1).
        retry_on: Exception types that are retried; others fail at once.
    """

    max_attempts: int = 3
    backoff_s: float = 1.0
    max_backoff_s: float = 60.0
    jitter: float = 0.0
    retry_on: tuple[type[BaseException], ...] = (Exception,)

    def __post_init__(self) -> None:
        if not isinstance(self.max_attempts, int) or self.max_attempts < 1:
            raise DefinitionError(f"Retry(max_attempts={self.max_attempts!r}): use an int >= 1.")
        if self.backoff_s < 0 or self.max_backoff_s < 0:
            raise DefinitionError("Retry backoff_s and max_backoff_s must be >= 0 seconds.")
        if not 0 <= self.jitter <= 1:
            raise DefinitionError(f"Retry(jitter={self.jitter!r}): use a fraction in [0, 1].")
        if isinstance(self.retry_on, type):
            object.__setattr__(self, "retry_on", (self.retry_on,))

    def delay_s(self, attempt: int) -> float:
        """Seconds to wait before attempt ``attempt + 1`` (attempts count from 1)."""
        import random

        base = min(self.backoff_s * (2.0 ** (attempt - 1)), self.max_backoff_s)
        return base * (1 + random.uniform(0, self.jitter)) if self.jitter else base


@dataclass(frozen=True, slots=True)
class Freshness:
    """How recent an asset's data must be; violated, its status is OVERDUE.

    Without ``cron``: a materialization within ``max_lag`` of now. With ``cron``: a
    materialization since the last cron tick, within ``max_lag`` of that tick —
    ``Freshness(cron="0 6 * * *", max_lag="1h")`` wants every day's data by 07:00 (in
    ``timezone``), materialized after 06:00; at 06:30 yesterday's 06:00 still counts.

    Attributes:
        max_lag: A duration (``"26h"``, ``"1h30m"``, seconds or a timedelta).
        cron: A five-field cron expression: when new data is due, or None.
        timezone: The IANA timezone whose wall clock ``cron`` reads (default UTC).
    """

    max_lag: timedelta | str = "24h"
    cron: str | None = None
    timezone: str = "UTC"

    def __post_init__(self) -> None:
        object.__setattr__(self, "max_lag", parse_duration(self.max_lag))
        if self.cron is not None:
            _check_cron(self.cron)
        if self.timezone != "UTC":
            from assets_core.automation.cron import zone

            zone(self.timezone)
            if self.cron is None:
                raise DefinitionError(
                    f"Freshness(timezone={self.timezone!r}) is the timezone of cron=, which "
                    "is not given: add cron='...' or drop timezone=."
                )

    @property
    def max_lag_s(self) -> float:
        assert isinstance(self.max_lag, timedelta)
        return self.max_lag.total_seconds()

    def overdue_at(self, materialized_at: float) -> float:
        """The instant (epoch seconds) after which data materialized at
        ``materialized_at`` violates the policy: ``max_lag`` after it, or with ``cron``
        ``max_lag`` after the first cron tick that follows it.

        Args:
            materialized_at: When the asset was last materialized (epoch seconds).
        """
        if self.cron is None:
            return materialized_at + self.max_lag_s
        return _schedule(self.cron, self.timezone).next_after(materialized_at) + self.max_lag_s

    def describe(self) -> str:
        """``max_lag 26h``, or ``cron '0 6 * * *' (UTC), max_lag 1h``."""
        lag = _short(self.max_lag_s)
        if self.cron is None:
            return f"max_lag {lag}"
        return f"cron {self.cron!r} ({self.timezone}), max_lag {lag}"


@lru_cache(maxsize=64)
def _schedule(expr: str, timezone: str) -> CronSchedule:
    from assets_core.automation.cron import CronSchedule

    return CronSchedule(expr, timezone)


def _short(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"


def _check_cron(expr: str) -> None:
    from croniter import croniter

    if not croniter.is_valid(expr):
        raise DefinitionError(
            f"Invalid cron expression {expr!r}: use five fields, e.g. '0 6 * * *' (06:00 daily)."
        )


__all__ = ["Automation", "Freshness", "Retry", "parse_duration"]
