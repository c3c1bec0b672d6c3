"""The run queue: runs from the API, schedules, sensors and the automation conditions
wait QUEUED until the daemon's coordinator starts them, within the limits of
``[tool.assetline.run_queue]``::

    [tool.assetline.run_queue]
    max_concurrent_runs = 10            # runs STARTED at once (default 10)
    tag_limits = [
      {key = "team", limit = 2},                        # runs with a "team" tag
      {key = "team", value = "ml", limit = 1},          # runs tagged team=ml
      {key = "database", limit = 1, per_value = true},  # per distinct value
    ]

The queue order is the launch order; a run tagged ``assetline/priority`` (an integer,
default 0) goes before runs of lower priority. A run held back by a tag limit does not
hold back the runs behind it that the limit does not concern.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from assets_core.errors import UsageError

if TYPE_CHECKING:
    from assets_core.catalog.records import RunRecord

PRIORITY_TAG = "assetline/priority"
DEFAULT_MAX_CONCURRENT_RUNS = 10


@dataclass(frozen=True, slots=True)
class TagLimit:
    """At most ``limit`` runs with tag ``key`` (equal to ``value`` when given; counted
    per distinct value with ``per_value``) run at once.

    Args:
        key: The tag's key.
        limit: How many such runs may run at once.
        value: Only runs whose tag has this value.
        per_value: Count each distinct value of the tag separately.
    """

    key: str
    limit: int
    value: str | None = None
    per_value: bool = False

    def bucket(self, tags: Mapping[str, str]) -> str | None:
        """The counter a run with ``tags`` uses under this limit (None: not concerned)."""
        if self.key not in tags:
            return None
        v = tags[self.key]
        if self.value is not None and v != self.value:
            return None
        return v if self.per_value else ""


@dataclass(frozen=True, slots=True)
class QueueSettings:
    """``[tool.assetline.run_queue]``.

    Args:
        max_concurrent_runs: How many runs may be STARTED at once.
        tag_limits: Limits on runs with given tags.
    """

    max_concurrent_runs: int = DEFAULT_MAX_CONCURRENT_RUNS
    tag_limits: tuple[TagLimit, ...] = ()

    @classmethod
    def parse(cls, raw: Mapping[str, Any], where: str = "pyproject.toml") -> QueueSettings:
        """Read the ``[tool.assetline.run_queue]`` table; usage errors for bad values."""
        table = "[tool.assetline.run_queue]"
        unknown = sorted(set(raw) - {"max_concurrent_runs", "tag_limits"})
        if unknown:
            raise UsageError(
                f"{table} in {where}: unknown setting(s) {', '.join(unknown)}; known: "
                "max_concurrent_runs, tag_limits."
            )
        n = raw.get("max_concurrent_runs", DEFAULT_MAX_CONCURRENT_RUNS)
        if not isinstance(n, int) or isinstance(n, bool) or n < 1:
            raise UsageError(f"{table} max_concurrent_runs in {where} must be an int >= 1.")
        limits = raw.get("tag_limits", [])
        if not isinstance(limits, list):
            raise UsageError(
                f'{table} tag_limits in {where} must be a list: [{{key = "team", limit = 2}}].'
            )
        return cls(n, tuple(_tag_limit(item, table, where) for item in limits))


def _tag_limit(item: object, table: str, where: str) -> TagLimit:
    example = '{key = "team", limit = 2}'
    if not isinstance(item, Mapping):
        raise UsageError(f"{table} tag_limits in {where}: {item!r} is not a table like {example}.")
    unknown = sorted(set(item) - {"key", "limit", "value", "per_value"})
    if unknown:
        raise UsageError(
            f"{table} tag_limits in {where}: unknown field(s) {', '.join(unknown)} in "
            f"{dict(item)!r}; fields: key, limit, value, per_value."
        )
    key, limit = item.get("key"), item.get("limit")
    value, per_value = item.get("value"), item.get("per_value", False)
    if not isinstance(key, str) or not key:
        raise UsageError(f'{table} tag_limits in {where}: {dict(item)!r} needs key = "...".')
    if not isinstance(limit, int) or isinstance(limit, bool) or limit < 0:
        raise UsageError(
            f"{table} tag_limits in {where}: {dict(item)!r} needs limit = an int >= 0."
        )
    if value is not None and not isinstance(value, str):
        raise UsageError(
            f"{table} tag_limits in {where}: value in {dict(item)!r} must be a string."
        )
    if not isinstance(per_value, bool) or (per_value and value is not None):
        raise UsageError(
            f"{table} tag_limits in {where}: per_value in {dict(item)!r} must be true or "
            "false, and not combined with value."
        )
    return TagLimit(key, limit, value, per_value)


def priority(run: RunRecord) -> int:
    """The run's ``assetline/priority`` tag as an int (0 when absent or not an int)."""
    try:
        return int(run.tags.get(PRIORITY_TAG, 0))
    except (TypeError, ValueError):
        return 0


def queue_order(queued: Iterable[RunRecord]) -> list[RunRecord]:
    """Queued runs in the order they start: higher priority first, then oldest first."""
    return sorted(queued, key=lambda r: (-priority(r), r.created_at, r.id))


def runs_to_start(
    queued: Sequence[RunRecord], running: Sequence[RunRecord], settings: QueueSettings
) -> list[RunRecord]:
    """Which queued runs start now, in order, given the runs already running.

    Args:
        queued: The QUEUED runs (any order).
        running: Runs that count against the limits (STARTED, CANCELING, and queued
            ones already handed to a process).
        settings: The limits.
    """
    slots = settings.max_concurrent_runs - len(running)
    counts: dict[tuple[int, str], int] = {}
    for run in running:
        for n, limit in enumerate(settings.tag_limits):
            bucket = limit.bucket(run.tags)
            if bucket is not None:
                counts[(n, bucket)] = counts.get((n, bucket), 0) + 1
    out: list[RunRecord] = []
    for run in queue_order(queued):
        if slots <= 0:
            break
        buckets = []
        for n, limit in enumerate(settings.tag_limits):
            bucket = limit.bucket(run.tags)
            if bucket is not None:
                if counts.get((n, bucket), 0) >= limit.limit:
                    break
                buckets.append((n, bucket))
        else:
            for b in buckets:
                counts[b] = counts.get(b, 0) + 1
            slots -= 1
            out.append(run)
    return out


def queue_positions(queued: Iterable[RunRecord]) -> dict[str, int]:
    """run id -> its place in the queue (1: next to start), for listings."""
    return {run.id: i for i, run in enumerate(queue_order(queued), start=1)}


__all__ = [
    "DEFAULT_MAX_CONCURRENT_RUNS",
    "PRIORITY_TAG",
    "QueueSettings",
    "TagLimit",
    "priority",
    "queue_order",
    "queue_positions",
    "runs_to_start",
]
