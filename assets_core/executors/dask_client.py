"""What the Dask executor asks of ``distributed``: a client of the scheduler (or of a
LocalCluster started for the run), a quiet ``distributed`` logger, and the run pickled
for the workers with the code location files they import first."""

from __future__ import annotations

import contextlib
import copy
import logging
import sys
from collections.abc import Iterator
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from assets_core.definitions.loader import LOCATION_FILE_PREFIX
from assets_core.errors import ExecutorLostError
from assets_core.execution.plan import ExecutionPlan, Step
from assets_core.execution.step import RunState

if TYPE_CHECKING:
    from distributed import Client

    from assets_core.execution.request import ExecutorSpec


#: Workers of the LocalCluster started when the run names no scheduler.
DEFAULT_LOCAL_WORKERS = 2
#: Seconds to reach a scheduler before the run fails.
CONNECT_TIMEOUT_S = 20.0


@contextlib.contextmanager
def cluster_client(executor: ExecutorSpec) -> Iterator[tuple[Client, str, Any]]:
    """A client of the scheduler at ``dask_address``, else of a LocalCluster started
    (and stopped) here."""
    import dask
    from distributed import Client, LocalCluster

    # A worker that dies fails its task at once (KilledWorker): the step's Retry policy
    # decides, not Dask's own silent re-runs.
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        if executor.dask_address:
            address = executor.dask_address
            try:
                client = Client(address, timeout=CONNECT_TIMEOUT_S, set_as_default=False)
            except OSError as e:
                raise ExecutorLostError(
                    f"Dask scheduler {address} unreachable: {e}. Check that `dask scheduler` "
                    "runs there, or drop --dask-address to start a local cluster."
                ) from None
            try:
                yield client, address, None
            finally:
                with contextlib.suppress(Exception):
                    client.close(timeout=5)
            return
        cluster = LocalCluster(
            n_workers=executor.workers or DEFAULT_LOCAL_WORKERS,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            host="127.0.0.1",
        )
        client = Client(cluster, set_as_default=False)
        try:
            yield client, cluster.scheduler_address, cluster
        finally:
            with contextlib.suppress(Exception):
                client.close(timeout=5)
            with contextlib.suppress(Exception):
                cluster.close(timeout=10)


@contextlib.contextmanager
def quiet_distributed() -> Iterator[None]:
    """Dask logs a lost worker or scheduler at length on stderr; the run records what
    happened as events, so keep the terminal for the progress display."""
    logger = logging.getLogger("distributed")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)


def payload_bytes(plan: ExecutionPlan, state: RunState) -> tuple[dict[str, str], bytes]:
    """The run, pickled for the workers, and the code location files they import
    first: a module loaded from a file (``-f FILE.py``) cannot be imported by name on
    a worker, so it travels as its path (pickling it by value would lose the file
    names of its tracebacks)."""
    from assets_core.executors.dask_worker import RunPayload, dumps

    files: dict[str, str] = {}
    for step in plan.steps:
        module = _module_of(step)
        if module is not None and module.startswith(LOCATION_FILE_PREFIX):
            path = getattr(sys.modules.get(module), "__file__", None)
            if path:
                files[module] = path
    environment, environment_key = RunPayload.environment_of(
        state.resource_definitions, state.io_managers
    )
    # The graph keeps the definitions' resources and IO managers: they travel in the
    # environment, built once per worker, not with every run.
    graph = copy.copy(state.graph)
    graph.resources = graph.io_managers = MappingProxyType({})
    payload = RunPayload(
        run_id=state.run_id,
        graph=graph,
        steps={s.id: s for s in plan.steps},
        configs=state.configs,
        environment=environment,
        environment_key=environment_key,
        max_log_bytes=state.max_log_bytes,
    )
    return files, dumps(payload)


def _module_of(step: Step) -> str | None:
    fn = step.definition.fn
    return getattr(fn, "__module__", None) if fn is not None else None
