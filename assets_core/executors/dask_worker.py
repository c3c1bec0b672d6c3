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
import os
import pickle
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from distributed import WorkerPlugin, get_worker

from assets_core.catalog.records import WriteBatch
from assets_core.catalog.writes import redact_batch
from assets_core.execution.events import RunEventWriter
from assets_core.execution.step import RunCanceled, RunState, StepOutcome, Versions, run_step
from assets_core.redaction import redactor

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
    """What every task of a run needs, pickled once and sent to each worker once.

    Attributes:
        run_id: The run.
        graph: The asset graph.
        steps: The plan's steps by id.
        configs: The run config of each asset.
        environment: The pickled ``(resource definitions, IO managers)``: a worker
            unpickles it only when it has not built these before.
        environment_key: Its digest.
        max_log_bytes: At most this much captured output is kept per step.
    """

    run_id: str
    graph: AssetGraph
    steps: dict[str, Step]
    configs: dict[AssetKey, Any]
    environment: bytes
    environment_key: str
    max_log_bytes: int = 1_000_000

    @classmethod
    def environment_of(
        cls, resource_definitions: Mapping[str, Any], io_managers: Mapping[str, IOManager]
    ) -> tuple[bytes, str]:
        """The pickled environment and its digest."""
        blob = dumps((dict(resource_definitions), dict(io_managers)))
        return blob, hashlib.sha256(blob).hexdigest()


def dumps(value: Any) -> bytes:
    """Pickle ``value`` for the workers (cloudpickle). The function of an ``@asset``
    (or check) travels as a reference to the definition in its module, which the worker
    imports: pickled by value, its tracebacks would lose their file names."""
    import io
    import types

    import cloudpickle

    class Pickler(cloudpickle.Pickler):
        def reducer_override(self, obj: Any) -> Any:
            if isinstance(obj, types.FunctionType):
                ref = _definition_ref(obj)
                if ref is not None:
                    return definition_function, ref
            return super().reducer_override(obj)

    buffer = io.BytesIO()
    Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(value)
    return buffer.getvalue()


def _definition_ref(fn: Any) -> tuple[str, str] | None:
    import sys

    name: str = fn.__name__
    module: str | None = fn.__module__
    loaded = sys.modules.get(module) if module and module != "__main__" else None
    if module is None or loaded is None:
        return None
    holder = getattr(loaded, name, None)
    return (module, name) if getattr(holder, "fn", None) is fn else None


def definition_function(module: str, name: str) -> Any:
    """The function of the definition ``module.name`` (how ``dumps`` sends it)."""
    import importlib

    return getattr(importlib.import_module(module), name).fn


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
#: code location files imported here -> (mtime, size) when imported
_location_files: dict[str, tuple[int, int]] = {}


def _environment(payload: RunPayload) -> _Environment:
    """The resources and IO managers of ``payload``, built once per worker process
    (``EnvVar``s resolved here, on the worker)."""
    from assets_core.definitions.resources import Resources, resolve_resource
    from assets_core.redaction import learn_secrets, protect_output

    key = payload.environment_key
    env = _environments.get(key)
    if env is not None:
        _environments.move_to_end(key)
        return env
    definitions, io_managers = pickle.loads(payload.environment)
    resources = Resources({name: resolve_resource(v, name) for name, v in definitions.items()})
    redactor = learn_secrets(definitions, keep=True)
    if redactor:
        protect_output()
    env = _environments[key] = _Environment(resources, redactor.redact, io_managers)
    while len(_environments) > _KEEP_ENVIRONMENTS:
        _, old = _environments.popitem(last=False)
        for manager in {id(m): m for m in old.io_managers.values()}.values():
            close = getattr(manager, "close", None)
            if close is not None:
                close()
    return env


def _run(run_id: str, shipped: tuple[dict[str, str], bytes]) -> tuple[RunPayload, _Environment]:
    with _lock:
        known = _runs.get(run_id)
        if known is None:
            files, blob = shipped
            _import_location_files(files)
            loaded: RunPayload = pickle.loads(blob)
            known = _runs[run_id] = (loaded, _environment(loaded))
            while len(_runs) > _KEEP_RUNS:
                _runs.popitem(last=False)
        return known


def _import_location_files(files: Mapping[str, str]) -> None:
    """Import the code location files of a run under the names the driver gave them
    (again when a file changed since this worker imported it)."""
    import importlib.util
    import sys

    from assets_core.errors import CodeLocationError

    for name, path in files.items():
        try:
            stat = os.stat(path)
        except OSError:
            raise CodeLocationError(
                f"Code location file {path} is not on Dask worker "
                f"{get_worker().address}. Install the code location on every worker and "
                "run it as a module (-m MODULE), or share the file at the same path."
            ) from None
        stamp = (stat.st_mtime_ns, stat.st_size)
        if name in sys.modules and _location_files.get(name) == stamp:
            continue
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is None or spec.loader is None:
            raise CodeLocationError(f"Cannot load {path} as a Python module.")
        module = importlib.util.module_from_spec(spec)
        folder = os.path.dirname(path)
        if folder not in sys.path:
            sys.path.insert(0, folder)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        _location_files[name] = stamp


class _RelayWriter(RunEventWriter):
    """A step's events and records, sent to the driver instead of the catalog: while
    the step runs, through the run's event topic; at its end, as the task's result."""

    def __init__(self, run_id: str, topic: str, key: str) -> None:
        # The worker is found through the task's thread: the flush thread cannot.
        self.worker = get_worker()
        self.topic, self.key = topic, key
        self.final: list[WriteBatch] = []
        self.relayed = 0
        super().__init__(None, run_id)  # type: ignore[arg-type]  # starts the flush thread

    def _send(self, batch: WriteBatch) -> list[int]:
        if not batch:
            return []
        # Hidden here with this worker's secrets (the driver may not know them).
        batch = redact_batch(batch, redactor())
        if any(s.status not in ("STARTED", "WAITING") for s in batch.steps):
            # The step's end: the driver commits it and assigns materialization ids.
            self.final.append(batch)
            return [0] * len(batch.materializations)
        self.worker.log_event(self.topic, {"key": self.key, "batch": pickle.dumps(batch)})
        self.relayed += 1
        return []

    def _beat(self) -> None:
        return None  # the driver heartbeats the run: a worker outliving it must not


def hold(value: Any) -> Any:
    """A task that returns its argument: how a run's payload is put on the cluster."""
    return value


def run_step_task(
    payload: tuple[dict[str, str], bytes],
    run_id: str,
    step_id: str,
    versions: Versions,
    first_attempt: int,
) -> TaskResult:
    """Run one step of run ``run_id`` on this worker (a Dask task).

    Args:
        payload: The code location files to import and the pickled ``RunPayload`` of
            the run (a scattered future's value).
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
            max_log_bytes=run.max_log_bytes,
        )
        outcome = run_step(state, run.steps[step_id], first_attempt)
    except RunCanceled:
        outcome = StepOutcome(step_id, "CANCELED", error="run canceled")
    finally:
        with _lock:
            _running.pop(key, None)
        writer.close()
    result = TaskResult(outcome, writer.final, writer.relayed, worker.address)
    # The step's end goes to the driver on the same stream as its relayed events (in
    # order, pushed at once: no gather round trip); the return value is the fallback.
    worker.log_event(writer.topic, {"key": key, "end": pickle.dumps(result)})
    return result


class InterruptReleasedSteps(WorkerPlugin):
    """Stops a step whose task the scheduler released while it executed (its run was
    canceled, or its driver disconnected): Dask cannot stop a running task, so the
    step's thread gets ``RunCanceled`` at its next Python instruction."""

    name = "assetline-interrupt-released-steps"

    def setup(self, worker: Any) -> None:
        """Import what steps need once, when the plugin is registered (the driver
        waits for it): a cold worker would start its first step seconds late."""
        import contextlib
        import importlib

        for module in ("pyarrow", "pyarrow.parquet", "pandas"):
            with contextlib.suppress(ImportError):
                importlib.import_module(module)
        import assets_core.execution.metadata
        import assets_core.io.parquet_fs
        import assets_core.io.registry  # noqa: F401

    def transition(self, key: Any, start: str, finish: str, **kwargs: Any) -> None:
        if start != "executing" or finish not in ("released", "cancelled", "forgotten"):
            return
        with _lock:
            thread_id = _running.get(str(key))
            if thread_id is not None:
                ctypes.pythonapi.PyThreadState_SetAsyncExc(
                    ctypes.c_ulong(thread_id), ctypes.py_object(RunCanceled)
                )
