"""Ending runs whose worker is gone, so that no run stays STARTED forever.

A run records the host, pid and start time of the process running it, and that
process stamps ``heartbeat_at`` every few seconds. A STARTED (or CANCELING) run is
dead when its process, on this host, no longer exists (or its pid now belongs to a
newer process), or, on another host, when its heartbeat is older than the timeout. A
dead run ends FAILURE (CANCELING ones end CANCELED) with the reason, and its open
steps FAILED; ``reexecute --from-failure`` then works on it.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from assets_core.catalog.records import EventRecord, RunStatus, StepRecord, StepStatus, WriteBatch
from assets_core.execution.processes import ProcessIdentity, is_alive

if TYPE_CHECKING:
    from assets_core.catalog.catalog import Catalog
    from assets_core.catalog.records import RunRecord

#: A run on another host whose heartbeat is older than this is dead (heartbeats come
#: every 5 s).
HEARTBEAT_TIMEOUT_S = 120.0
_RUNNING = ("STARTED", "CANCELING")


def recover_dead_runs(
    catalog: Catalog, now: float | None = None, heartbeat_timeout_s: float = HEARTBEAT_TIMEOUT_S
) -> list[str]:
    """End every STARTED or CANCELING run whose worker is gone; return their ids.

    Args:
        catalog: The catalog to sweep.
        now: The current time (epoch seconds); default: the clock.
        heartbeat_timeout_s: How old a heartbeat may be for a run on another host (or
            of an unknown process) before it is declared dead.
    """
    now = time.time() if now is None else now
    ended = []
    for run in catalog.runs_in_status(_RUNNING):
        reason = _why_dead(run, now, heartbeat_timeout_s)
        if reason is not None and _end(catalog, run, reason, now):
            ended.append(run.id)
    return ended


def _why_dead(run: RunRecord, now: float, timeout_s: float) -> str | None:
    beat = run.heartbeat_at or run.started_at or run.created_at
    last = f"last heartbeat {_clock(beat)}"
    if run.pid is not None and run.host is not None:
        alive = is_alive(ProcessIdentity(run.host, run.pid, run.process_started_at))
        if alive is False:
            return f"worker pid {run.pid} on host {run.host} died; {last}"
        if alive is True:
            return None
    if now - beat > timeout_s:
        where = f" (pid {run.pid} on host {run.host})" if run.pid and run.host else ""
        return f"worker heartbeat lost at {_clock(beat)}{where}; no heartbeat for {now - beat:.0f}s"
    return None


def _clock(t: float) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(t, UTC).strftime("%H:%M:%S UTC")


def _end(catalog: Catalog, run: RunRecord, reason: str, now: float) -> bool:
    open_steps, last_step = _open_steps(catalog, run.id)
    if open_steps:
        reason = f"{reason}; last step {_step_name(*list(open_steps)[-1])}"
    elif last_step is not None:
        reason = f"{reason}; last finished step {last_step}"
    to: RunStatus = "CANCELED" if run.status == "CANCELING" else "FAILURE"
    step_status: StepStatus = "CANCELED" if to == "CANCELED" else "FAILED"
    steps = [
        StepRecord(run.id, asset, partition, step_status, 1, started_at, now, reason)
        for (asset, partition), started_at in open_steps.items()
    ]
    event = "RUN_CANCELED" if to == "CANCELED" else "RUN_FAILURE"
    batch = WriteBatch(
        events=[EventRecord(run.id, now, event, f"Run ended: {reason}", level="ERROR")],
        steps=steps,
    )
    return catalog.end_run(run.id, to, only_from=_RUNNING, batch=batch, error=reason)


def _step_name(asset: str, partition: str | None) -> str:
    return f"{asset}[{partition}]" if partition else asset


def _open_steps(
    catalog: Catalog, run_id: str
) -> tuple[dict[tuple[str, str | None], float], str | None]:
    """Steps that started and never ended, (asset, partition) -> start time, in the
    order they started; and the last step that ended (``asset[partition]``)."""
    started: dict[tuple[str, str | None], float] = {}
    last: str | None = None
    for event in catalog.events(run_id):
        if event.asset_key is None:
            continue
        step = (event.asset_key, event.partition)
        if event.type == "STEP_START":
            started.setdefault(step, event.timestamp)
        elif event.type in ("STEP_SUCCESS", "STEP_FAILURE", "STEP_SKIPPED"):
            started.pop(step, None)
            last = _step_name(*step)
    return started, last


__all__ = ["HEARTBEAT_TIMEOUT_S", "recover_dead_runs"]
