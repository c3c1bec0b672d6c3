"""Executing one step: load inputs -> call the user's function inside the user-code
boundary -> store outputs -> run checks -> record everything in one transaction."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from assets_core.catalog.records import StepRecord, WriteBatch
from assets_core.definitions.results import MaterializeResult, Output
from assets_core.errors import UserCodeError
from assets_core.execution.capture import DEFAULT_MAX_STEP_LOG_BYTES, capture_output
from assets_core.execution.context import AssetExecutionContext, StepLog
from assets_core.execution.failures import user_traceback
from assets_core.execution.plan import Step
from assets_core.execution.pools import pool_slot
from assets_core.execution.run_logs import STEP_OUTPUT
from assets_core.execution.step_values import load_inputs, split_outputs, store_outputs
from assets_core.execution.user_code import RunCanceled as RunCanceled
from assets_core.execution.user_code import user_call
from assets_core.io.base import OutputContext, UnreadableValueError

if TYPE_CHECKING:
    from assets_core.definitions.resources import Resources
    from assets_core.execution.events import RunEventWriter
    from assets_core.execution.pools import PoolSlots
    from assets_core.graph.asset_graph import AssetGraph, AssetNode
    from assets_core.io.base import IOManager
    from assets_core.keys import AssetKey

#: (asset key, partition) -> (materialization id, data version)
Versions = dict[tuple[str, str | None], tuple[int, str | None]]


@dataclass(slots=True)
class StepOutcome:
    step_id: str
    status: str  # SUCCESS | FAILED | SKIPPED | CANCELED
    attempts: int = 0
    started_at: float | None = None
    ended_at: float | None = None
    error: str | None = None
    materialized: list[str] = field(default_factory=list)
    #: A failure's traceback trimmed to the user's frames, the user's ``file:line``
    #: that raised and the original exception in one line (``TypeError: ...``).
    traceback: str | None = None
    location: str | None = None
    exception: str | None = None


@dataclass(slots=True)
class RunState:
    """What every step of a run shares."""

    run_id: str
    graph: AssetGraph
    io_managers: dict[str, IOManager]
    resources: Resources
    configs: dict[AssetKey, Any]
    writer: RunEventWriter
    versions: Versions
    redact: Callable[[str], str]
    sleep: Callable[[float], None] = time.sleep
    #: Pool slots this process leases (None: steps of pools are not limited here, e.g.
    #: on a Dask worker, whose driver holds the slots).
    pools: PoolSlots | None = None
    #: What ``resources`` were built from (EnvVars unresolved): the Dask executor builds
    #: them again on each worker.
    resource_definitions: dict[str, Any] = field(default_factory=dict)
    #: At most this much captured stdout/stderr is kept per step attempt
    #: (``[tool.assetline] max_step_log_bytes``).
    max_log_bytes: int = DEFAULT_MAX_STEP_LOG_BYTES

    def io_for(self, node: AssetNode) -> IOManager:
        return self.io_managers[node.spec.io_manager or self.graph.default_io_manager]


def run_step(state: RunState, step: Step, first_attempt: int = 1) -> StepOutcome:
    """Run ``step`` with its retry policy and record the outcome. A step of a pool
    first waits for a slot of it, and holds it until it ends (``execution/pools.py``).

    Args:
        state: What the run's steps share.
        step: The step.
        first_attempt: The number of its first attempt here: more than 1 when an
            executor retries a step whose worker died.
    """
    if step.definition.pool is None or state.pools is None:
        return _run_step(state, step, first_attempt)
    with pool_slot(state, step):
        return _run_step(state, step, first_attempt)


def _run_step(state: RunState, step: Step, first_attempt: int) -> StepOutcome:
    d = step.definition
    key, part = str(step.key), step.partition_key
    writer = state.writer
    started = time.time()
    writer.emit("STEP_START", f"Started {step.id}", key, part)
    # A STARTED record, written only if the step outlives the background flush delay.
    writer.running(
        [
            StepRecord(state.run_id, str(k), p, "STARTED", first_attempt, started)
            for k in step.keys
            for p in step.partition_keys or (None,)
        ]
    )
    retry = d.retry
    attempt = first_attempt - 1
    while True:
        attempt += 1
        try:
            with capture_output(_output_sink(state, step), state.max_log_bytes):
                batch, materialized = _attempt(state, step)
            break
        except RunCanceled:
            _record(state, step, "CANCELED", attempt, started, "canceled", WriteBatch())
            raise
        except Exception as e:
            message, tb, location, exc_line = _describe_failure(step, e, state.redact)
            retryable = (
                retry is not None
                and attempt < retry.max_attempts
                and isinstance(e.__cause__ if isinstance(e, UserCodeError) else e, retry.retry_on)
            )
            if retryable:
                assert retry is not None
                delay = retry.delay_s(attempt)
                writer.emit(
                    "STEP_RETRY",
                    f"Attempt {attempt} of {step.id} failed: {message}; retrying in {delay:.1f}s",
                    key,
                    part,
                    "WARNING",
                    {"attempt": attempt, "traceback": tb},
                )
                try:
                    state.sleep(delay)
                except (KeyboardInterrupt, RunCanceled):
                    _record(state, step, "CANCELED", attempt, started, "canceled", WriteBatch())
                    raise RunCanceled() from None
                continue
            return record_failure(
                state, step, attempt, started, message, tb, location=location, exception=exc_line
            )
    blocking = [
        c for c in batch.check_results if c.blocking and not c.passed and c.severity == "error"
    ]
    error = None
    status = "SUCCESS"
    if blocking:
        names = ", ".join(f"{c.asset_key}:{c.check_name}" for c in blocking)
        error = f"blocking check failed: {names}"
        status = "FAILED"
        writer.emit(
            "STEP_FAILURE",
            f"{step.id}: {error}; downstream assets will be skipped",
            key,
            part,
            "ERROR",
            {"error": error},
        )
    else:
        writer.emit(
            "STEP_SUCCESS",
            f"Finished {step.id}",
            key,
            part,
            data={"duration_s": round(time.time() - started, 6)},
        )
    try:
        ids = _record(state, step, status, attempt, started, error, batch)
    except Exception:
        _discard_stored(state, step, batch)
        raise
    for m, mat_id in zip(batch.materializations, ids, strict=True):
        state.versions[(m.asset_key, m.partition)] = (mat_id, m.data_version)
    return StepOutcome(step.id, status, attempt, started, time.time(), error, materialized)


def _discard_stored(state: RunState, step: Step, batch: WriteBatch) -> None:
    """The step's commit failed (disk full, catalog gone): remove the values it stored,
    so that no stored value exists that the catalog does not record. Best effort: an
    IO manager that cannot delete keeps the value, and ``status`` reports the mismatch."""
    from assets_core.keys import AssetKey

    for key in dict.fromkeys(m.asset_key for m in batch.materializations):
        node = state.graph.get(AssetKey.parse(key))
        context = OutputContext(
            asset_key=node.key,
            partition_key=step.partition_key,
            partition_keys=step.partition_keys if len(step.partition_keys) > 1 else None,
            metadata=node.spec.metadata,
            resources=state.resources,
            run_id=state.run_id,
        )
        with contextlib.suppress(Exception):  # the commit's error is the one to report
            state.io_for(node).delete(context)


def record_failure(
    state: RunState,
    step: Step,
    attempts: int,
    started: float,
    message: str,
    tb: str,
    *,
    location: str | None = None,
    exception: str | None = None,
) -> StepOutcome:
    """Record that ``step`` failed for good: a STEP_FAILURE event, its FAILED step
    records and the failed partitions, in one transaction.

    Args:
        state: What the run's steps share.
        step: The step.
        attempts: How many attempts it made.
        started: When it started.
        message: What went wrong (redacted).
        tb: The traceback (redacted; may be empty).
        location: The user's ``file:line`` that raised, if known.
        exception: The original exception in one line (redacted), if known.
    """
    state.writer.emit(
        "STEP_FAILURE",
        f"{step.id} failed: {message}",
        str(step.key),
        step.partition_key,
        "ERROR",
        {
            "error": message,
            "traceback": tb,
            "attempts": attempts,
            "location": location,
            "exception": exception,
        },
    )
    failures = [
        (str(k), p, state.run_id, time.time())
        for k in step.keys
        for p in (step.partition_keys or (None,))
    ]
    _record(state, step, "FAILED", attempts, started, message, WriteBatch(failures=failures))
    return StepOutcome(
        step.id,
        "FAILED",
        attempts,
        started,
        time.time(),
        message,
        traceback=tb or None,
        location=location,
        exception=exception,
    )


def _record(
    state: RunState,
    step: Step,
    status: str,
    attempts: int,
    started: float,
    error: str | None,
    batch: WriteBatch,
) -> list[int]:
    ended = time.time()
    batch.steps.extend(
        StepRecord(state.run_id, str(k), p, status, attempts, started, ended, error)  # type: ignore[arg-type]
        for k in step.keys
        for p in (step.partition_keys or (None,))
    )
    return state.writer.commit(batch)


def _output_sink(state: RunState, step: Step) -> Callable[[str, str], None]:
    """Where the step's captured output goes: redacted STEP_OUTPUT events, which the
    writer's background thread flushes while the step runs."""
    key, part, emit = str(step.key), step.partition_key, state.writer.emit

    def sink(stream: str, text: str) -> None:
        emit(STEP_OUTPUT, state.redact(text), key, part, "INFO", {"stream": stream})

    return sink


def _describe_failure(
    step: Step, e: BaseException, redact: Callable[[str], str]
) -> tuple[str, str, str | None, str]:
    """The failure's message, traceback, user location and exception line, redacted."""
    if isinstance(e, UserCodeError):
        message, tb, location = e.message, e.user_traceback, e.location
        exc_line = e.exception or e.message
    elif isinstance(e, UnreadableValueError):  # damaged storage, not the user's code
        tb, location = "", None
        message = exc_line = e.message
    else:
        tb, location = user_traceback(e)
        message = exc_line = f"{type(e).__name__}: {e}"
    return redact(message), redact(tb), location, redact(exc_line)


def _attempt(state: RunState, step: Step) -> tuple[WriteBatch, list[str]]:
    d = step.definition
    graph = state.graph
    node = graph.get(step.key)
    key, part = str(step.key), step.partition_key
    log = StepLog(
        lambda level, msg: state.writer.emit("LOG", msg, key, part, level), key, part, state.redact
    )
    values, consumed, input_versions = load_inputs(state, step, node, log)
    context = AssetExecutionContext(
        run_id=state.run_id,
        asset_keys=step.keys,
        partition_key=part,
        partition_keys=step.partition_keys,
        partitions_def=node.spec.partitions,
        log=log,
        resources=state.resources,
    )
    if d.sql is not None:
        from assets_core.execution.sql import run_sql

        result = user_call(step, "SQL", run_sql, d.sql, values)
        outputs = {step.key: result}
    else:
        kwargs = {p: values[p] for p in node.input_keys}
        if d.config_type is not None:
            kwargs["config"] = state.configs.get(step.key)
        assert d.fn is not None
        args = (context,) if d.takes_context else ()
        result = user_call(step, "The function", d.fn, *args, **kwargs)
        outputs = split_outputs(step, result)
    batch = WriteBatch()
    materialized = []
    for out_key, raw in outputs.items():
        if out_key not in step.keys:
            continue
        batch.materializations.extend(
            store_outputs(state, step, out_key, raw, context, log, consumed, input_versions)
        )
        materialized.append(str(out_key))
        value = raw.value if isinstance(raw, (MaterializeResult, Output)) else raw
        if graph.checks_for(out_key):
            from assets_core.checks.evaluate import evaluate_checks

            batch.check_results.extend(evaluate_checks(state, step, out_key, value, log))
    return batch, materialized
