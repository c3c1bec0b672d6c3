"""Running one check: ``CheckContext`` in, ``CheckEvaluation`` out.

``run_check`` is the user-code boundary for checks: whatever the check does (raise,
return the wrong type, return non-JSON metadata), it comes back as an evaluation —
``PASSED``, ``FAILED`` or ``ERRORED`` — and never as an exception.
"""

from __future__ import annotations

import inspect
import logging
import math
import time
import traceback as tb
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, Literal

from assets_core.checks.check import AssetCheckDefinition, CheckResult, Severity
from assets_core.errors import AssetlineError, UsageError
from assets_core.keys import AssetKey

if TYPE_CHECKING:
    from assets_core.execution.context import StepLog

CheckStatus = Literal["PASSED", "FAILED", "ERRORED"]

_MAX_ITEMS = 1000  # per list or mapping in metadata: metadata is for people, not data
_MAX_STR = 2000
_MAX_DEPTH = 20


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _default_log() -> logging.Logger:
    return logging.getLogger("assetline.checks")


@dataclass(frozen=True, slots=True)
class CheckContext:
    """What a check may know besides the asset's value.

    Attributes:
        asset_key: The checked asset (a string ``a/b`` is accepted and parsed).
        partition_key: The checked partition, or None for an unpartitioned asset.
        resources: The resources the check asked for, by attribute (``resources.db``).
        log: Where the check logs.
        run_id: The run the check belongs to, if any.
        last_materialized_at: When the asset (or partition) was last materialized,
            timezone-aware; None if never. Used by ``freshness``.
        now: The time the check runs at, timezone-aware (fixed in tests).
    """

    asset_key: AssetKey
    partition_key: str | None = None
    resources: Any = field(default_factory=SimpleNamespace)
    log: logging.Logger | logging.LoggerAdapter[Any] | StepLog = field(default_factory=_default_log)
    run_id: str | None = None
    last_materialized_at: datetime | None = None
    now: datetime = field(default_factory=_utc_now)

    def __post_init__(self) -> None:
        if not isinstance(self.asset_key, AssetKey):
            object.__setattr__(self, "asset_key", AssetKey.parse(self.asset_key))
        for name in ("now", "last_materialized_at"):
            value = getattr(self, name)
            if isinstance(value, datetime) and value.tzinfo is None:
                raise UsageError(
                    f"CheckContext.{name} must be timezone-aware (got {value.isoformat()}); "
                    "pass e.g. datetime.now(UTC) or value.replace(tzinfo=UTC)."
                )


@dataclass(frozen=True, slots=True)
class CheckEvaluation:
    """The recorded outcome of running one check on one asset value.

    ``passed`` is True only for ``PASSED``; an ``ERRORED`` check (it raised, or
    returned something other than a ``CheckResult``) counts as failed with the check's
    severity. ``metadata`` is JSON-safe. ``error`` and ``traceback`` are set only for
    ``ERRORED``.

    Attributes:
        check_name: The check's name.
        asset_key: The checked asset.
        partition_key: The checked partition, or None.
        passed: Whether the check passed.
        severity: ``"error"`` or ``"warn"`` (the result's, else the check's).
        blocking: Whether the check blocks downstream assets when it fails.
        metadata: What the check recorded, JSON-safe.
        description: One line saying what was found.
        error: The exception message of an ``ERRORED`` check.
        traceback: Its formatted traceback.
        duration_s: How long the check ran, in seconds.
        status: ``"PASSED"``, ``"FAILED"`` or ``"ERRORED"``.
    """

    check_name: str
    asset_key: AssetKey
    partition_key: str | None
    passed: bool
    severity: Severity
    blocking: bool
    metadata: dict[str, Any]
    description: str | None
    error: str | None
    traceback: str | None
    duration_s: float
    status: CheckStatus

    @property
    def check_id(self) -> str:
        """``asset/key:check_name``, as ``AssetCheckDefinition.id``."""
        return f"{self.asset_key}:{self.check_name}"

    @property
    def blocks_downstream(self) -> bool:
        """True when the engine must skip everything downstream of the asset: a
        blocking, error-severity check that failed or errored."""
        return self.blocking and not self.passed and self.severity == "error"

    def fails_run(self, strict: bool = False) -> bool:
        """Whether this evaluation makes ``assetline check`` exit 1: an error-severity
        check that failed or errored, or with ``strict`` any check that did."""
        return not self.passed and (self.severity == "error" or strict)

    @property
    def message(self) -> str:
        """One line for people: the error, else the description, else the status."""
        if self.error:
            return self.error
        if self.description:
            return self.description
        return "passed" if self.passed else "failed"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe dict of every field (``asset_key`` as ``a/b``)."""
        return {
            "check_name": self.check_name,
            "asset_key": str(self.asset_key),
            "partition_key": self.partition_key,
            "status": self.status,
            "passed": self.passed,
            "severity": self.severity,
            "blocking": self.blocking,
            "metadata": self.metadata,
            "description": self.description,
            "error": self.error,
            "traceback": self.traceback,
            "duration_s": self.duration_s,
        }


def run_check(
    check: AssetCheckDefinition,
    value: Any,
    context: CheckContext,
    inputs: Mapping[str, Any] | Callable[[], Mapping[str, Any]] | None = None,
) -> CheckEvaluation:
    """Run ``check`` on the asset's ``value`` and return its evaluation; never raises
    for what the check does (``KeyboardInterrupt`` and ``SystemExit`` still propagate).

    The check receives ``context`` if it takes it, and ``value`` as its value
    parameter if it has one. The ``CheckResult``'s severity, if set, overrides the
    check's.

    Args:
        check: The check to run.
        value: The asset's (or partition's) value; ignored when the check takes none.
        context: The run-time context; its ``partition_key`` is recorded.
        inputs: The values of the check's ``additional_ins`` by parameter name, or a
            function loading them (an error while loading makes the check ERRORED).

    Returns:
        A ``CheckEvaluation`` with status ``PASSED``, ``FAILED`` or ``ERRORED``.
    """
    where = f"Check '{check.name}' on {check.asset_key}"
    if check.location is not None:
        where += f" ({check.location})"
    start = time.perf_counter()
    try:
        given = inputs() if callable(inputs) else inputs
        result = _call(check, value, context, given or {})
        outcome = _read_result(result, where)
    except Exception as exc:
        if isinstance(exc, AssetlineError):
            message = f"{where}: {exc}"
        else:
            message = f"{where} raised {type(exc).__name__}: {exc}"
        return _evaluation(
            check,
            context,
            start,
            status="ERRORED",
            severity=check.severity,
            error=message,
            traceback="".join(tb.format_exception(exc)),
        )
    if isinstance(outcome, str):
        return _evaluation(check, context, start, "ERRORED", check.severity, error=outcome)
    passed, severity, metadata, description = outcome
    return _evaluation(
        check,
        context,
        start,
        status="PASSED" if passed else "FAILED",
        severity=severity or check.severity,
        metadata=metadata,
        description=description,
    )


def _call(
    check: AssetCheckDefinition, value: Any, context: CheckContext, inputs: Mapping[str, Any]
) -> Any:
    # ``asset_check`` accepts ``context`` only first and at most one value parameter,
    # which is passed by keyword only when it is keyword-only; additional_ins by keyword.
    args: list[Any] = [context] if check.takes_context else []
    if check.value_param is None:
        return check.fn(*args, **inputs)
    param = inspect.signature(check.fn).parameters.get(check.value_param)
    kind = param.kind if param is not None else inspect.Parameter.POSITIONAL_ONLY
    if kind is inspect.Parameter.KEYWORD_ONLY or (
        inputs and kind is not inspect.Parameter.POSITIONAL_ONLY
    ):
        return check.fn(*args, **{check.value_param: value}, **inputs)
    return check.fn(*args, value, **inputs)


_Outcome = tuple[bool, Severity | None, dict[str, Any], str | None]


def _read_result(result: Any, where: str) -> _Outcome | str:
    """The fields of a valid ``CheckResult``, or the message saying what is wrong."""
    fix = "return CheckResult(passed=..., metadata={...})"
    if not isinstance(result, CheckResult):
        if inspect.iscoroutine(result):
            result.close()  # never awaited: close it so Python does not warn
            return f"{where} is a coroutine function; checks must be plain functions that {fix}."
        return f"{where} returned {_type_name(result)}; a check must {fix}."
    passed = result.passed
    if type(passed).__module__ == "numpy" and type(passed).__name__ in ("bool", "bool_"):
        passed = bool(passed)
    if not isinstance(passed, bool):
        return (
            f"{where} returned CheckResult(passed={_type_name(passed)}); passed must be "
            "True or False, e.g. passed=bool((df.amount >= 0).all())."
        )
    if result.severity not in (None, "error", "warn"):
        return f"{where} returned severity={result.severity!r}; use 'error' or 'warn'."
    if not isinstance(result.metadata, Mapping):
        return f"{where} returned metadata of type {_type_name(result.metadata)}; pass a dict."
    description = None if result.description is None else str(result.description)
    return passed, result.severity, to_json_safe(dict(result.metadata)), description


def _type_name(value: object) -> str:
    kind = type(value)
    if kind.__module__ in ("builtins", "numpy"):
        return f"{kind.__name__} {_short(repr(value), 60)}"
    return f"{kind.__module__}.{kind.__qualname__}"


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _evaluation(
    check: AssetCheckDefinition,
    context: CheckContext,
    start: float,
    status: CheckStatus,
    severity: Severity,
    *,
    metadata: dict[str, Any] | None = None,
    description: str | None = None,
    error: str | None = None,
    traceback: str | None = None,
) -> CheckEvaluation:
    return CheckEvaluation(
        check_name=check.name,
        asset_key=check.asset_key,
        partition_key=context.partition_key,
        passed=status == "PASSED",
        severity=severity,
        blocking=check.blocking,
        metadata=metadata or {},
        description=description or check.description,
        error=error,
        traceback=traceback,
        duration_s=time.perf_counter() - start,
        status=status,
    )


def to_json_safe(value: Any, _depth: int = 0) -> Any:
    """``value`` as JSON types: numpy and pandas scalars become Python ones, dates ISO
    strings, timedeltas seconds, NaN and missing values None, infinities ``"inf"``,
    anything else its ``str``. Long strings and collections are truncated."""
    if value is None or isinstance(value, (bool, int)):
        return value
    module = type(value).__module__
    if module.startswith("pandas") and type(value).__name__ in ("NAType", "NaTType"):
        return None
    if isinstance(value, float):
        if math.isnan(value):
            return None
        return value if math.isfinite(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, str):
        return _short(value, _MAX_STR)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if module == "numpy" and hasattr(value, "item"):
        if getattr(value, "ndim", 0) == 0:
            if getattr(value, "dtype", None) is not None and value.dtype.kind in "mM":
                return None if value != value else str(value)  # NaT != NaT
            return to_json_safe(value.item(), _depth)
        if value.dtype.kind in "mM":  # tolist() would give integers
            value = value.astype(str)
        return to_json_safe(value.tolist(), _depth)
    if _depth >= _MAX_DEPTH:
        return _short(str(value), _MAX_STR)
    if isinstance(value, Mapping):
        items = list(value.items())
        out = {str(k): to_json_safe(v, _depth + 1) for k, v in items[:_MAX_ITEMS]}
        if len(items) > _MAX_ITEMS:
            out["..."] = f"{len(items) - _MAX_ITEMS} more"
        return out
    if isinstance(value, (list, tuple, set, frozenset)) or hasattr(value, "tolist"):
        seq = list(value.tolist() if hasattr(value, "tolist") else value)
        if isinstance(value, (set, frozenset)):
            seq.sort(key=repr)
        out_list = [to_json_safe(v, _depth + 1) for v in seq[:_MAX_ITEMS]]
        if len(seq) > _MAX_ITEMS:
            out_list.append(f"... {len(seq) - _MAX_ITEMS} more")
        return out_list
    if isinstance(value, bytes):
        return _short(value.decode("utf-8", "replace"), _MAX_STR)
    return _short(str(value), _MAX_STR)
