"""The worker side of the Dask executor: what runs inside a Dask worker process.

A step is one Dask task, ``run_step_task``: it runs the same step code as every
executor (``execution/step.py``: load inputs through IO managers, call the function,
store the output, run the checks) and returns the step's write batches instead of
committing them; the driver commits them, one transaction per step. Events of a step
that runs for a while (its start, its log lines) are relayed to the driver as they
happen, through the scheduler's event topics, so a live view sees the step progress.

A worker process keeps, across runs, the resources and IO managers it built (keyed by
a digest of their definitions: built once per worker process, ``EnvVar``s resolved
here) and, per run, the unpickled graph and steps.

A task whose future is released (the run canceled, its driver gone) is interrupted
by ``InterruptReleasedSteps``, a worker plugin: the step stops with ``RunCanceled``
at its next Python instruction and what it wrote is discarded (writes are atomic).
"""

from __future__ import annotations

import ctypes
import hashlib
import pickle
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from distributed import WorkerPlugin, get_worker

from assets_core.catalog.records import WriteBatch
from assets_core.execution.events import RunEventWriter
from assets_core.execution.step import RunCanceled, RunState, StepOutcome, Versions, run_step

if TYPE_CHECKING:
    from assets_core.definitions.resources import Resources
    from assets_core.execution.plan import Step
    from assets_core.graph.asset_graph import AssetGraph
    from assets_core.io.base import IOManager
    from assets_core.keys import AssetKey

#: The scheduler event topic a run's relayed batches go through.
TOPIC_PREFIX = "assetline-run-"
_KEEP_RUNS = 4
_KEEP_ENVIRONMENTS = 4


@dataclass(slots=True)
class RunPayload:
    """What every task of a run needs, pickled once and sent to each worker once."""

    run_id: str
    graph: AssetGraph
    steps: dict[str, Step]
    configs: dict[AssetKey, Any]
    io_managers: dict[str, IOManager]
    resource_definitions: dict[str, Any]
    dynamic_keys: dict[str, list[str]]

    @property
    def environment_key(self) -> str:
        """A digest of the resources and IO managers: equal definitions share the
        objects a worker built for them."""
        import cloudpickle

        blob = cloudpickle.dumps((self.resource_definitions, self.io_managers))
        return hashlib.sha256(blob).hexdigest()


@dataclass(slots=True)
class TaskResult:
    """What a step's task returns to the driver.

    Attributes:
        outcome: How the step ended.
        batches: Its final write batches (step record, materializations, checks,
            events not relayed yet), for the driver to commit in order.
        relayed: How many batches it relayed while it ran (the driver writes them
            before ``batches``).
        worker: The worker's address.
    """

    outcome: StepOutcome
    batches: list[WriteBatch] = field(default_factory=list)
    relayed: int = 0
    worker: str = ""


@dataclass(slots=True)
class _Environment:
    resources: Resources
    redact: Callable[[str], str]
    io_managers: dict[str, IOManager]


_lock = threading.Lock()
_runs: OrderedDict[str, tuple[RunPayload, _Environment]] = OrderedDict()
_environments: OrderedDict[str, _Environment] = OrderedDict()
#: task key -> the thread running it, for ``InterruptReleasedSteps``
_running: dict[str, int] = {}


def _environment(payload: RunPayload) -> _Environment:
    from assets_core.definitions.resources import Resources, resolve_resource, secret_values

    key = payload.environment_key
    env = _environments.get(key)
    if env is not None:
        _environments.move_to_end(key)
        return env
    defs = payload.resource_definitions
    resources = Resources({name: resolve_resource(value) for name, value in defs.items()})
    secrets = sorted(secret_values(defs), key=len, reverse=True)

    def redact(text: str) -> str:
        for secret in secrets:
            text = text.replace(secret, "***")
        return text

    env = _environments[key] = _Environment(resources, redact, payload.io_managers)
    while len(_environments) > _KEEP_ENVIRONMENTS:
        _, old = _environments.popitem(last=False)
        for manager in {id(m): m for m in old.io_managers.values()}.values():
            close = getattr(manager, "close", None)
            if close is not None:
                close()
    return env


def _run(run_id: str, payload: bytes) -> tuple[RunPayload, _Environment]:
    with _lock:
        known = _runs.get(run_id)
        if known is None:
            loaded: RunPayload = pickle.loads(payload)
            known = _runs[run_id] = (loaded, _environment(loaded))
            while len(_runs) > _KEEP_RUNS:
                _runs.popitem(last=False)
        return known


class _RelayWriter(RunEventWriter):
    """A step's events and records, sent to the driver instead of the catalog: while
    the step runs, through the run's event topic; at its end, as the task's result."""

    def __init__(self, run_id: str, topic: str, key: str) -> None:
        super().__init__(None, run_id)  # type: ignore[arg-type]
        self.topic, self.key = topic, key
        self.final: list[WriteBatch] = []
        self.relayed = 0

    def _send(self, batch: WriteBatch) -> list[int]:
        if not batch:
            return []
        if any(s.status not in ("STARTED", "WAITING") for s in batch.steps):
            # The step's end: the driver commits it and assigns materialization ids.
            self.final.append(batch)
            return [0] * len(batch.materializations)
        get_worker().log_event(self.topic, {"key": self.key, "batch": pickle.dumps(batch)})
        self.relayed += 1
        return []

    def _beat(self) -> None:
        return None  # the driver heartbeats the run: a worker outliving it must not


def run_step_task(
    payload: bytes, run_id: str, step_id: str, versions: Versions, first_attempt: int
) -> TaskResult:
    """Run one step of run ``run_id`` on this worker (a Dask task).

    Args:
        payload: The pickled ``RunPayload`` of the run (a scattered future's value).
        run_id: The run.
        step_id: The step to run.
        versions: (asset, partition) -> (materialization id, data version) of the
            upstream materializations it consumes.
        first_attempt: The number of its first attempt (> 1 after a worker was lost).
    """
    worker = get_worker()
    key = str(worker.get_current_task())
    with _lock:
        _running[key] = threading.get_ident()
    writer = _RelayWriter(run_id, TOPIC_PREFIX + run_id, key)
    try:
        run, env = _run(run_id, payload)
        state = RunState(
            run_id=run_id,
            graph=run.graph,
            io_managers=env.io_managers,
            resources=env.resources,
            configs=run.configs,
            writer=writer,
            versions=dict(versions),
            redact=env.redact,
            dynamic_lookup=_lookup(run.dynamic_keys),
        )
        outcome = run_step(state, run.steps[step_id], first_attempt)
    except RunCanceled:
        outcome = StepOutcome(step_id, "CANCELED", error="run canceled")
    finally:
        with _lock:
            _running.pop(key, None)
        writer.close()
    return TaskResult(outcome, writer.final, writer.relayed, worker.address)


def _lookup(keys: Mapping[str, list[str]]) -> Callable[[str], list[str]]:
    def lookup(name: str) -> list[str]:
        return list(keys.get(name, []))

    return lookup


class InterruptReleasedSteps(WorkerPlugin):
    """Stops a step whose task the scheduler released while it executed (its run was
    canceled, or its driver disconnected): Dask cannot stop a running task, so the
    step's thread gets ``RunCanceled`` at its next Python instruction."""

    name = "assetline-interrupt-released-steps"

    def transition(self, key: Any, start: str, finish: str, **kwargs: Any) -> None:
        if start != "executing" or finish not in ("released", "cancelled", "forgotten"):
            return
        with _lock:
            thread_id = _running.get(str(key))
            if thread_id is not None:
                ctypes.pythonapi.PyThreadState_SetAsyncExc(
                    ctypes.c_ulong(thread_id), ctypes.py_object(RunCanceled)
                )
