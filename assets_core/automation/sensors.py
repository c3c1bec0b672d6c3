"""``@sensor``: a function the daemon calls every ``interval`` to decide whether
something happened that needs a run (a file landed, a table changed).

It returns ``RunRequest``s (or a list of them), ``SkipReason("why")`` or None. A
request's ``run_key`` makes it idempotent: a key launches one run per code location,
ever, so a sensor can safely return the same request again (after a crash, or because
its cursor did not move). ``context.update_cursor`` keeps state between ticks; it is
committed with the tick's runs, so a tick that did not complete leaves the cursor as
it was.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Generic, overload

from typing_extensions import TypeVar

from assets_core.automation.schedules import check_default_status, check_name
from assets_core.automation.where import definition_error, text_of, user_location
from assets_core.errors import DefinitionError, SourceLocation, UsageError

if TYPE_CHECKING:
    from assets_core.catalog.catalog import Catalog
    from assets_core.catalog.records import MaterializationRecord


FnT_co = TypeVar("FnT_co", covariant=True, default=Any)
FnT = TypeVar("FnT", bound=Callable[..., Any])


class SensorError(UsageError):
    """A sensor returned something it may not (the tick fails with this message)."""

    code = "SENSOR_ERROR"


@dataclass(frozen=True, slots=True)
class RunRequest:
    """A run a sensor asks for.

    Args:
        select: A selection expression; default: the sensor's ``select``.
        partition: One partition key.
        partitions: Several partition keys (consecutive keys run as one range).
        run_key: Makes the request idempotent: a key launches at most one run per code
            location (e.g. the file name that triggered it).
        config: Run config, keyed by asset.
        tags: Tags of the run.
    """

    select: str | None = None
    partition: str | None = None
    partitions: Sequence[str] | None = None
    run_key: str | None = None
    config: Mapping[str, Any] | None = None
    tags: Mapping[str, str] | None = None

    def __post_init__(self) -> None:
        if self.select is not None and not isinstance(self.select, str):
            raise SensorError(f"RunRequest(select={self.select!r}): use a selection string.")
        if self.partition is not None and self.partitions is not None:
            raise SensorError("RunRequest takes partition= or partitions=, not both.")
        if self.partition is not None and not isinstance(self.partition, str):
            raise SensorError(f"RunRequest(partition={self.partition!r}): use a key string.")
        if self.partitions is not None:
            if isinstance(self.partitions, str) or not all(
                isinstance(k, str) for k in self.partitions
            ):
                raise SensorError(
                    f"RunRequest(partitions={self.partitions!r}): use a list of key strings."
                )
            object.__setattr__(self, "partitions", tuple(self.partitions))
        if self.run_key is not None and not isinstance(self.run_key, str):
            raise SensorError(f"RunRequest(run_key={self.run_key!r}): use a string.")
        if self.config is not None and not isinstance(self.config, Mapping):
            raise SensorError("RunRequest(config=...) must be a mapping keyed by asset.")
        if self.tags is not None and not (
            isinstance(self.tags, Mapping)
            and all(isinstance(k, str) and isinstance(v, str) for k, v in self.tags.items())
        ):
            raise SensorError("RunRequest(tags=...) must map strings to strings.")

    @property
    def partition_keys(self) -> list[str]:
        """The requested partition keys (empty: none)."""
        if self.partition is not None:
            return [self.partition]
        return list(self.partitions or ())


@dataclass(frozen=True, slots=True)
class SkipReason:
    """A sensor's answer "nothing to do", with why (shown on the tick).

    Args:
        text: Why the sensor requested no run.
    """

    text: str = ""


class SensorContext:
    """What a sensor's ``context`` parameter gives it.

    Args:
        sensor_name: The sensor's name.
        cursor: The cursor stored by the previous tick (None at first).
        last_tick_at: When the sensor was last evaluated (None at first).
        resources: The code location's resources (``EnvVar``s resolved on use).
        catalog: The catalog to read (None: the reads raise).
        dry_run: Preview: ``add_dynamic_partitions`` only records what it would add.

    Tests can build one directly: ``my_sensor(SensorContext(cursor="..."))``.
    """

    def __init__(
        self,
        sensor_name: str = "sensor",
        cursor: str | None = None,
        last_tick_at: datetime | None = None,
        resources: Mapping[str, Any] | None = None,
        catalog: Catalog | None = None,
        dry_run: bool = False,
    ) -> None:
        self.sensor_name = sensor_name
        self._cursor = cursor
        self.cursor_updated = False
        self.last_tick_at = last_tick_at
        self._raw_resources = dict(resources or {})
        self._resources: Any = None
        self._catalog = catalog
        self.dry_run = dry_run
        self.added_partitions: list[tuple[str, list[str]]] = []
        self.log = logging.getLogger(f"assetline.sensor.{sensor_name}")

    @property
    def cursor(self) -> str | None:
        """The cursor: what the previous tick stored with ``update_cursor``."""
        return self._cursor

    def update_cursor(self, cursor: str | None) -> None:
        """Store ``cursor`` for the next tick (committed with this tick's runs).

        Args:
            cursor: Any string (JSON, a timestamp, a file name), or None to clear it.
        """
        if cursor is not None and not isinstance(cursor, str):
            raise SensorError(
                f"Sensor {self.sensor_name}: update_cursor takes a string (or None), got "
                f"{type(cursor).__name__}; serialize it, e.g. json.dumps(...)."
            )
        self._cursor = cursor
        self.cursor_updated = True

    @property
    def resources(self) -> Any:
        """The resources by attribute: ``context.resources.warehouse``."""
        if self._resources is None:
            from assets_core.definitions.resources import Resources, resolve_resource

            self._resources = Resources(
                {k: resolve_resource(v, k) for k, v in self._raw_resources.items()}
            )
        return self._resources

    def _need_catalog(self) -> Catalog:
        if self._catalog is None:
            raise SensorError(
                f"Sensor {self.sensor_name}: this context has no catalog; pass "
                "SensorContext(catalog=...) to read materializations in a test."
            )
        return self._catalog

    def latest_materialization(
        self, key: str, partition: str | None = None
    ) -> MaterializationRecord | None:
        """The latest materialization of asset ``key`` (of ``partition``), or None.

        Args:
            key: An asset key (``a/b``).
            partition: A partition key; None: the latest of any partition.
        """
        return self._need_catalog().latest_materializations([key], partition).get(key)

    def dynamic_partitions(self, name: str) -> list[str]:
        """The keys of ``DynamicPartitions(name)``, including those added in this tick.

        Args:
            name: The dynamic partitions' name.
        """
        keys = list(self._need_catalog().dynamic_partitions(name))
        for added_name, added in self.added_partitions:
            if added_name == name:
                keys += [k for k in added if k not in keys]
        return keys

    def add_dynamic_partitions(self, name: str, keys: Iterable[str]) -> None:
        """Add keys to ``DynamicPartitions(name)`` (before the tick's runs are queued;
        adding a key twice is harmless). In a preview nothing is added.

        Args:
            name: The dynamic partitions' name.
            keys: The keys to add.
        """
        from assets_core.keys import shown
        from assets_core.partitions.static import key_problem

        values = [keys] if isinstance(keys, str) else list(keys)
        for k in values:
            problem = key_problem(k)
            if problem is not None:
                raise SensorError(
                    f"Sensor {self.sensor_name}: dynamic partition key {shown(k)} {problem}."
                )
        self.added_partitions.append((name, values))
        if not self.dry_run:
            self._need_catalog().add_dynamic_partitions(name, values)


@dataclass(frozen=True, slots=True, eq=False)
class SensorDefinition(Generic[FnT_co]):
    """A sensor: made with ``@sensor``; calling it calls the function (for tests; a
    sensor taking ``context`` called without one gets an empty ``SensorContext``).

    Attributes:
        name: Unique among the code location's schedules and sensors.
        fn: The decorated function.
        interval_s: Seconds between two evaluations.
        select: The default selection of its ``RunRequest``s.
        default_status: ``running`` or ``stopped`` until started or stopped.
    """

    name: str
    fn: FnT_co
    interval_s: float = 30.0
    select: str | None = None
    default_status: str = "running"
    description: str | None = None
    location: SourceLocation | None = field(default=None, repr=False)
    takes_context: bool = False

    if TYPE_CHECKING:
        # To the type checker, calling the definition is calling the function.
        @property
        def __call__(self) -> FnT_co: ...

    else:

        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            if self.takes_context and not args and "context" not in kwargs:
                args = (SensorContext(self.name),)
            return self.fn(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<SensorDefinition {self.name} every {self.interval_s:g}s>"


@overload
def sensor(fn: FnT, /) -> SensorDefinition[FnT]: ...


@overload
def sensor(
    fn: None = None,
    /,
    *,
    name: str | None = None,
    interval: str | float = "30s",
    select: str | None = None,
    default_status: str = "running",
    description: str | None = None,
) -> Callable[[FnT], SensorDefinition[FnT]]: ...


def sensor(
    fn: Callable[..., Any] | None = None,
    /,
    *,
    name: str | None = None,
    interval: str | float = "30s",
    select: str | None = None,
    default_status: str = "running",
    description: str | None = None,
) -> SensorDefinition[Any] | Callable[[Callable[..., Any]], SensorDefinition[Any]]:
    """Turn a function into a sensor that the daemon evaluates every ``interval``.

    Args:
        fn: The function: no parameter, or one (``context``, a ``SensorContext``).
        name: Default: the function's name.
        interval: Time between evaluations: ``"30s"``, ``"5m"``, or seconds.
        select: The selection of its ``RunRequest``s that name none.
        default_status: ``"running"`` or ``"stopped"`` until started or stopped with
            ``assetline sensors start|stop``.
        description: Default: the docstring.

    Example::

        @sensor(interval="30s", select="raw/readings")
        def new_files(context):
            ...
            return [RunRequest(partition=..., run_key=name) for name in new]
    """

    def wrap(f: Callable[..., Any]) -> SensorDefinition[Any]:
        from assets_core.definitions.policies import parse_duration
        from assets_core.definitions.spec import location_of

        loc = location_of(f) or user_location()
        sensor_name = check_name(name or getattr(f, "__name__", ""), "Sensor", loc)
        what = f"Sensor {sensor_name!r}"
        try:
            interval_s = parse_duration(interval).total_seconds()
        except DefinitionError as e:
            raise definition_error(f"{what}: {text_of(e)}", None, loc) from None
        if interval_s < 0:
            raise definition_error(f"{what}: interval must not be negative.", None, loc)
        if select is not None and (not isinstance(select, str) or not select.strip()):
            raise definition_error(f"{what}: select must be a selection expression.", None, loc)
        check_default_status(default_status, what, loc)
        params = [
            p
            for p in inspect.signature(f).parameters.values()
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
            and p.default is inspect.Parameter.empty
        ]
        if len(params) > 1:
            raise definition_error(
                f"{what}: the function takes {len(params)} parameters.",
                "A sensor takes no parameter, or one: context.",
                loc,
            )
        return SensorDefinition(
            name=sensor_name,
            fn=f,
            interval_s=interval_s,
            select=select,
            default_status=default_status,
            description=description or inspect.getdoc(f),
            location=loc,
            takes_context=bool(params),
        )

    if fn is not None:
        return wrap(fn)
    return wrap


@dataclass(slots=True)
class SensorResult:
    """What one evaluation of a sensor decided.

    Attributes:
        requests: The run requests, in order.
        skip_reason: Why nothing was requested (None when something was).
        cursor: The cursor after the evaluation.
        cursor_updated: Whether the sensor called ``update_cursor``.
        added_partitions: ``(name, keys)`` it added to dynamic partitions.
    """

    requests: list[RunRequest]
    skip_reason: str | None
    cursor: str | None
    cursor_updated: bool = False
    added_partitions: list[tuple[str, list[str]]] = field(default_factory=list)


def evaluate_sensor(definition: SensorDefinition, context: SensorContext) -> SensorResult:
    """Call the sensor once and check what it returned.

    Raises:
        SensorError: It returned something other than run requests, a skip reason or
            None (the message names the sensor and the type).
    """
    value = definition.fn(context) if definition.takes_context else definition.fn()
    requests: list[RunRequest] = []
    skip: str | None = None
    if value is None:
        skip = "the sensor requested no run"
    elif isinstance(value, SkipReason):
        skip = value.text or "the sensor skipped without a reason"
    elif isinstance(value, RunRequest):
        requests = [value]
    elif isinstance(value, (list, tuple)) or inspect.isgenerator(value):
        for item in value:
            if not isinstance(item, RunRequest):
                raise SensorError(
                    f"Sensor {definition.name} returned a list holding "
                    f"{type(item).__name__} ({_short(item)}); a list may only hold "
                    "RunRequest objects."
                )
            requests.append(item)
        if not requests:
            skip = "the sensor returned no run request"
    else:
        raise SensorError(
            f"Sensor {definition.name} returned {type(value).__name__} ({_short(value)}); "
            "return a RunRequest, a list of them, SkipReason('why') or None."
        )
    return SensorResult(
        requests, skip, context.cursor, context.cursor_updated, list(context.added_partitions)
    )


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def sensor_run_key(location: str, sensor_name: str, run_key: str, part: str | None) -> str:
    """The stored run key of a sensor's request: unique per code location and sensor;
    long keys are shortened with a hash."""
    import hashlib

    key = f"{location}:sensor:{sensor_name}:{run_key}" + (f":{part}" if part else "")
    if len(key) > 300:
        digest = hashlib.sha256(key.encode()).hexdigest()[:32]
        key = f"{key[:260]}#{digest}"
    return key


def as_datetime(t: float | None) -> datetime | None:
    """Epoch seconds as an aware UTC datetime (None stays None)."""
    return datetime.fromtimestamp(t, UTC) if t is not None else None


__all__ = [
    "RunRequest",
    "SensorContext",
    "SensorDefinition",
    "SensorError",
    "SensorResult",
    "SkipReason",
    "as_datetime",
    "evaluate_sensor",
    "sensor",
    "sensor_run_key",
]
