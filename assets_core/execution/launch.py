"""Runs recorded QUEUED by one process (the API, later the daemon) and executed by
another (a run worker)."""

from __future__ import annotations

import time
import uuid
from typing import TYPE_CHECKING

from assets_core.catalog.records import EventRecord, RunRecord, WriteBatch
from assets_core.errors import UsageError
from assets_core.execution.request import RunSpec

if TYPE_CHECKING:
    from assets_core.catalog.catalog import Catalog
    from assets_core.definitions.repository import Definitions
    from assets_core.execution.run import RunResult


def queue_run(catalog: Catalog, defs: Definitions, spec: RunSpec) -> RunRecord:
    """Validate ``spec`` (selection, partitions, config) and record the run QUEUED.
    Raises usage errors without writing anything when the request is bad."""
    from assets_core.execution.run import plan_run, run_record

    planned = plan_run(defs, catalog, spec)
    record = run_record(planned.spec, uuid.uuid4().hex, "QUEUED", time.time())
    return catalog.create_run(record)


def execute_queued_run(
    defs: Definitions, catalog: Catalog, run_id: str, handle_signals: bool = True
) -> RunResult:
    """Run a QUEUED run to its end in this process (a run worker): plan it again
    (what is done may have changed while it waited), record it STARTED, execute."""
    from assets_core.execution.execute import execute_run
    from assets_core.execution.run import RunNotQueuedError, plan_run, start_run
    from assets_core.redaction import scrub_credentials

    scrub_credentials()  # this process runs user code: it must not read the server's tokens
    record = catalog.get_run(run_id)
    if record.status != "QUEUED":
        raise UsageError(f"Run {run_id} is {record.status}, not QUEUED; it cannot start again.")
    try:
        planned = plan_run(defs, catalog, RunSpec.of_record(record))
        started = start_run(defs, catalog, planned, queued=record)
    except RunNotQueuedError:
        raise
    except BaseException as e:
        message = f"The run could not start: {type(e).__name__}: {e}"
        batch = WriteBatch(
            events=[EventRecord(run_id, time.time(), "RUN_FAILURE", message, level="ERROR")]
        )
        catalog.end_run(
            run_id, "FAILURE", only_from=("QUEUED", "STARTED"), batch=batch, error=message
        )
        raise
    return execute_run(started, handle_signals=handle_signals)


def reexecution_spec(
    catalog: Catalog, run_id: str, *, from_failure: bool, launched_by: str | None = None
) -> tuple[RunRecord, RunSpec]:
    """The parent run and the request that re-executes it: its whole request again, or
    (from failure) only the steps that did not succeed in it.

    Raises:
        UsageError: Re-executing from failure a run that did not fail or was not
            canceled.
    """
    parent = catalog.get_run(run_id)
    if from_failure and parent.status not in ("FAILURE", "CANCELED"):
        raise UsageError(
            f"Run {parent.id} ended {parent.status}; only a FAILURE or CANCELED run can be "
            "re-executed from failure."
        )
    spec = RunSpec.of_record(parent).reexecution(
        parent.id, from_failure=from_failure, launched_by=launched_by or _who()
    )
    return parent, spec


def _who() -> str:
    from assets_core.execution.run import current_user

    return current_user()
