"""``Schedule``: materialize a selection at the times a cron expression names.

Each tick of a schedule queues runs of its selection, with a run key made of the code
location, the schedule's name and the tick's instant, so a tick launches its runs at
most once even when the daemon is killed and restarted mid-tick. Which partitions a
tick materializes is the schedule's ``partition=`` choice (see ``Schedule``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal

from assets_core.automation.cron import CronSchedule, iso_utc
from assets_core.automation.where import definition_error, text_of, user_location
from assets_core.errors import AssetlineError, DefinitionError, SourceLocation

if TYPE_CHECKING:
    from assets_core.execution.plan import PartitionRequest
    from assets_core.graph.asset_graph import AssetGraph
    from assets_core.keys import AssetKey
    from assets_core.partitions.base import PartitionsDefinition

#: How a schedule picks the partitions of a tick (see ``Schedule``).
PartitionChoice = (
    Literal["previous_day", "previous_hour", "current"]
    | Callable[[datetime], "str | Sequence[str]"]
    | None
)
PARTITION_CHOICES = ("previous_day", "previous_hour", "current")
DEFAULT_STATUSES = ("running", "stopped")
_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,199}")


def check_name(name: object, what: str, location: SourceLocation | None) -> str:
    """A schedule's or sensor's name, or a definition error."""
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise definition_error(
            f"{what} name {name!r} is not valid.",
            "Use letters, digits, '_', '.' and '-' (up to 200 characters), e.g. 'daily_sales'.",
            location,
        )
    return name


def check_default_status(value: object, what: str, location: SourceLocation | None) -> str:
    """``running`` or ``stopped``, or a definition error."""
    if value not in DEFAULT_STATUSES:
        raise definition_error(
            f"{what}: default_status={value!r} is not valid.",
            "Use 'running' or 'stopped'.",
            location,
        )
    return str(value)


def check_tags(value: object, what: str, location: SourceLocation | None) -> dict[str, str]:
    """A ``{str: str}`` mapping, or a definition error."""
    if not isinstance(value, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise definition_error(
            f"{what}: tags must map strings to strings, got {value!r}.", None, location
        )
    return dict(value)


@dataclass(frozen=True, slots=True, eq=False)
class Schedule:
    """Materialize ``select`` at each time ``cron`` names, in ``timezone``.

    Args:
        name: Unique among the code location's schedules and sensors.
        cron: A cron expression, e.g. ``"0 6 * * *"`` (06:00 every day). Across
            daylight saving changes a schedule fires once per wall-clock time it names
            (a skipped time fires at the transition, a repeated one the first time).
        select: A selection expression (SPEC §2), validated with the definitions.
        partition: For a partitioned selection, which partitions a tick runs:
            ``"previous_day"`` (the partitions of the day before the tick, in
            ``timezone``: one daily partition, or 24 hourly ones as one range),
            ``"previous_hour"``, ``"current"`` (the partition holding the tick), or a
            function ``(tick_time) -> key | [keys]`` (one run per key). None: the
            partition that has just closed at the tick. A selection without
            partitioned assets takes no ``partition``. The selection's partitioned
            assets share one definition (multi-partitions with that time dimension
            run for the whole day, every region say).
        timezone: The IANA timezone whose wall clock ``cron`` reads.
        tags: Tags of the runs it queues (plus ``assetline/schedule``).
        config: Run config of the runs it queues, keyed by asset.
        default_status: ``"running"`` or ``"stopped"`` until started or stopped with
            ``assetline schedules start|stop``.
        description: Shown in listings.

    Example::

        daily = Schedule("daily_sales", cron="0 6 * * *", select="group:sales",
                         partition="previous_day", timezone="UTC")
    """

    name: str
    cron: str
    select: str
    partition: PartitionChoice = None
    timezone: str = "UTC"
    tags: Mapping[str, str] = field(default_factory=dict)
    config: Mapping[str, Any] = field(default_factory=dict)
    default_status: str = "running"
    description: str | None = None
    location: SourceLocation | None = field(default=None, repr=False)
    _cron: CronSchedule = field(init=False, repr=False)

    def __post_init__(self) -> None:
        loc = self.location or user_location()
        object.__setattr__(self, "location", loc)
        check_name(self.name, "Schedule", loc)
        what = f"Schedule {self.name!r}"
        if not isinstance(self.cron, str):
            raise definition_error(f"{what}: cron must be a string like '0 6 * * *'.", None, loc)
        if not isinstance(self.timezone, str):
            raise definition_error(f"{what}: timezone must be an IANA name.", None, loc)
        try:
            object.__setattr__(self, "_cron", CronSchedule(self.cron, self.timezone))
        except DefinitionError as e:
            raise definition_error(f"{what}: {text_of(e)}", None, loc) from None
        if not isinstance(self.select, str) or not self.select.strip():
            raise definition_error(
                f"{what}: select must be a selection expression such as 'group:sales'.",
                None,
                loc,
            )
        choice = self.partition
        if not (choice is None or choice in PARTITION_CHOICES or callable(choice)):
            raise definition_error(
                f"{what}: partition={self.partition!r} is not valid.",
                "Use 'previous_day', 'previous_hour', 'current', a function "
                "(tick_time) -> key | [keys], or leave it out for the partition that just "
                "closed.",
                loc,
            )
        object.__setattr__(self, "tags", check_tags(self.tags, what, loc))
        if not isinstance(self.config, Mapping):
            raise definition_error(f"{what}: config must be a mapping keyed by asset.", None, loc)
        object.__setattr__(self, "config", dict(self.config))
        check_default_status(self.default_status, what, loc)

    @property
    def schedule(self) -> CronSchedule:
        """The cron expression in the schedule's timezone."""
        return self._cron

    def next_tick_after(self, t: float) -> float:
        """The first tick after ``t`` (epoch seconds)."""
        return self._cron.next_after(t)

    def __repr__(self) -> str:
        return f"<Schedule {self.name} {self.cron!r} {self.timezone}>"


@dataclass(frozen=True, slots=True)
class ScheduleTarget:
    """A schedule's selection resolved against the definitions.

    Attributes:
        keys: The selected assets, parents first.
        partitions: The partitions definition of its partitioned assets, if any.
    """

    keys: tuple[AssetKey, ...]
    partitions: PartitionsDefinition | None


def resolve_target(schedule: Schedule, graph: AssetGraph) -> ScheduleTarget:
    """Check a schedule's selection and ``partition=`` against the graph.

    Raises:
        DefinitionError: The selection is malformed, names an unknown asset, selects
            nothing, or does not fit ``partition=`` (with the schedule's file:line).
    """
    from assets_core.graph.select import select_sorted

    what, loc = f"Schedule {schedule.name!r}", schedule.location
    try:
        keys = [k for k in select_sorted(graph, schedule.select) if not graph.get(k).is_external]
    except AssetlineError as e:
        raise definition_error(
            f"{what} has a bad selection {schedule.select!r}: {text_of(e)}",
            None,
            loc,
            highlight=schedule.select,
        ) from None
    if not keys:
        raise definition_error(
            f"{what}: selection {schedule.select!r} selects no asset that can be materialized.",
            "Check the selection with `assetline list --select ...`.",
            loc,
        )
    defs: dict[str, PartitionsDefinition] = {}
    for k in keys:
        p = graph.get(k).spec.partitions
        if p is not None:
            defs.setdefault(p.describe(), p)
    # Multi-partitions with a dimension equal to the selection's time partitions run
    # for the day (every key holding it): a daily schedule covers day x region too.
    times = [p for p in defs.values() if hasattr(p, "keys_overlapping")]
    if len(times) == 1 and not callable(schedule.partition):
        defs = {
            name: p
            for name, p in defs.items()
            if times[0] not in [d for _, d in getattr(p, "dimensions", ())]
        }
    if len(defs) > 1:
        raise definition_error(
            f"{what} selects assets with different partitions ({'; '.join(defs)}).",
            "Make one schedule per partitioning.",
            loc,
        )
    pdef = next(iter(defs.values()), None)
    if pdef is None and schedule.partition is not None:
        raise definition_error(
            f"{what} has partition={_show(schedule.partition)} but selects no partitioned asset.",
            "Remove partition=.",
            loc,
        )
    is_time = pdef is not None and hasattr(pdef, "keys_overlapping")
    if pdef is not None and not is_time and not callable(schedule.partition):
        raise definition_error(
            f"{what} selects {pdef.describe()} assets: {_show(schedule.partition)} only "
            "applies to time partitions.",
            "Pass partition=lambda tick_time: KEY (or a list of keys).",
            loc,
        )
    return ScheduleTarget(tuple(keys), pdef)


def _show(choice: PartitionChoice) -> str:
    if choice is None:
        return "the partition that just closed (no partition=)"
    return repr(choice) if isinstance(choice, str) else getattr(choice, "__name__", "a function")


def tick_partitions(
    schedule: Schedule, target: ScheduleTarget, tick: float
) -> list[PartitionRequest]:
    """The partitions each run of the tick at ``tick`` materializes: one request per
    run (``[PartitionRequest()]`` for an unpartitioned selection).

    Raises:
        UsageError: The choice names no partition at this tick, or the function
            returned something other than keys.
    """
    from assets_core.errors import UsageError
    from assets_core.execution.plan import PartitionRequest

    pdef, choice = target.partitions, schedule.partition
    if pdef is None:
        return [PartitionRequest()]
    local = schedule.schedule.local(tick)
    if callable(choice):
        value = choice(local)
        if isinstance(value, str):
            keys = [value]
        elif isinstance(value, (list, tuple)):
            keys = list(value)
        else:
            keys = []
        if not keys or not all(isinstance(k, str) for k in keys):
            raise UsageError(
                f"partition= of schedule {schedule.name!r} returned {value!r} for "
                f"{local.isoformat()}; return a partition key or a list of keys."
            )
        return [PartitionRequest(key=k) for k in dict.fromkeys(keys)]
    keys = _window_keys(pdef, choice, local)
    if not keys:
        raise UsageError(
            f"Schedule {schedule.name!r}: {_show(choice)} names no partition of "
            f"{pdef.describe()} at {local.isoformat()}."
        )
    if len(keys) == 1:
        return [PartitionRequest(key=keys[0])]
    return [PartitionRequest(start=keys[0], end=keys[-1])]


@lru_cache(maxsize=4096)
def _window_keys(pdef: PartitionsDefinition, choice: str | None, local: datetime) -> list[str]:
    """The keys ``choice`` names at the tick ``local`` (cached: the schedules ticking
    on one day ask for the same window, and time is arithmetic here anyway)."""
    now = local.astimezone(UTC)
    windows: Any = pdef  # a time partitions definition (checked by resolve_target)
    if choice == "current":
        return list(
            windows.keys_overlapping(
                local, local + timedelta(microseconds=1), current_time=now + timedelta(days=400)
            )
        )
    if choice == "previous_day":
        end = local.replace(hour=0, minute=0, second=0, microsecond=0)
        return list(windows.keys_overlapping(end - timedelta(days=1), end, current_time=now))
    if choice == "previous_hour":
        end = local.replace(minute=0, second=0, microsecond=0)
        return list(windows.keys_overlapping(end - timedelta(hours=1), end, current_time=now))
    return pdef.get_partition_keys(current_time=now)[-1:]  # the last complete window


def schedule_run_key(location: str, schedule: Schedule, tick: float, part: str | None) -> str:
    """The run key of a tick's run: it launches once per code location."""
    key = f"{location}:schedule:{schedule.name}:{iso_utc(tick)}"
    return f"{key}:{part}" if part else key


__all__ = [
    "PARTITION_CHOICES",
    "PartitionChoice",
    "Schedule",
    "ScheduleTarget",
    "resolve_target",
    "schedule_run_key",
    "tick_partitions",
]
