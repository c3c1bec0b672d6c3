"""Runs and their steps: create, move between statuses, look up, list.

Every function takes an open SQLAlchemy ``Connection``; the ``Catalog`` façade opens it
(a write transaction for the functions that write).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, and_, func, insert, or_, select, update

from assets_core.catalog import tables as t
from assets_core.catalog.dialect import chunks
from assets_core.catalog.records import RunRecord, RunStatus, StepRecord, api_partition
from assets_core.errors import NotFoundError


def run_row(run: RunRecord) -> dict[str, Any]:
    """The ``runs`` row of ``run``.

    Args:
        run: The record to store.
    """
    return {
        "id": run.id,
        "status": run.status,
        "selection": run.selection,
        "partitions": list(run.partitions),
        "tags": dict(run.tags),
        "config": dict(run.config),
        "launched_by": run.launched_by,
        "executor": run.executor,
        "parent_run_id": run.parent_run_id,
        "run_key": run.run_key,
        "created_at": run.created_at,
        "started_at": run.started_at,
        "ended_at": run.ended_at,
        "heartbeat_at": run.heartbeat_at,
        "pid": run.pid,
        "error": run.error,
        "resume": run.resume,
        "executor_options": dict(run.executor_options),
        "host": run.host,
        "process_started_at": run.process_started_at,
    }


def run_from_row(row: Any) -> RunRecord:
    """The record of a ``runs`` row (a mapping).

    Args:
        row: A row of ``runs`` read with ``.mappings()``.
    """
    values = dict(row)
    values["resume"] = values.get("resume") or "none"
    values["executor_options"] = values.get("executor_options") or {}
    return RunRecord(**values)


def step_from_row(r: Any) -> StepRecord:
    """The record of a ``run_steps`` row.

    Args:
        r: A row of ``run_steps``.
    """
    return StepRecord(
        r.run_id,
        r.asset_key,
        api_partition(r.partition),
        r.status,
        r.attempts,
        r.started_at,
        r.ended_at,
        r.error,
    )


def create_run(conn: Connection, run: RunRecord) -> RunRecord:
    """Insert ``run`` (stamping ``created_at`` when unset) and return it.

    Args:
        conn: A connection in a write transaction.
        run: The run to record.
    """
    run.created_at = run.created_at or time.time()
    conn.execute(insert(t.runs), run_row(run))
    return run


def update_run(conn: Connection, /, run_id: str, **values: Any) -> None:
    """Set columns of a run.

    Args:
        conn: A connection in a write transaction.
        run_id: The run to change.
        **values: Column -> new value (``status``, ``started_at``, ``error``...).
    """
    conn.execute(update(t.runs).where(t.runs.c.id == run_id).values(**values))


def transition_run(
    conn: Connection, /, run_id: str, to: RunStatus, only_from: Iterable[str], **values: Any
) -> bool:
    """Move a run to ``to`` only if its status is one of ``only_from``; return whether
    it moved.

    Args:
        conn: A connection in a write transaction.
        run_id: The run to move.
        to: Its new status.
        only_from: The statuses it may be moved from.
        **values: Other columns to set with the status.
    """
    result = conn.execute(
        update(t.runs)
        .where(t.runs.c.id == run_id, t.runs.c.status.in_(list(only_from)))
        .values(status=to, **values)
    )
    return result.rowcount == 1


def get_run(conn: Connection, run_id: str) -> RunRecord:
    """The run with this id, or with this unique prefix of at least 4 characters.

    Args:
        conn: An open connection.
        run_id: A run id or an unambiguous prefix of one.

    Raises:
        NotFoundError: No run, or the prefix is ambiguous or too short.
    """
    row = conn.execute(select(t.runs).where(t.runs.c.id == run_id)).mappings().first()
    if row is None and len(run_id) >= 4:
        rows = (
            conn.execute(
                select(t.runs).where(t.runs.c.id.startswith(run_id, autoescape=True)).limit(2)
            )
            .mappings()
            .all()
        )
        row = rows[0] if len(rows) == 1 else None
    if row is None:
        raise NotFoundError(f"No run {run_id!r} in the catalog. List runs with `assetline runs`.")
    return run_from_row(row)


def find_run_by_key(conn: Connection, run_key: str) -> RunRecord | None:
    """The run launched with this idempotency key, if any.

    Args:
        conn: An open connection.
        run_key: The key given when the run was launched.
    """
    row = conn.execute(select(t.runs).where(t.runs.c.run_key == run_key)).mappings().first()
    return run_from_row(row) if row else None


def runs_by_id(conn: Connection, run_ids: Sequence[str]) -> dict[str, RunRecord]:
    """The runs with these exact ids (those in the catalog), by id; one statement per
    500 ids."""
    out: dict[str, RunRecord] = {}
    ids = list(dict.fromkeys(run_ids))
    for i in range(0, len(ids), 500):
        q = select(t.runs).where(t.runs.c.id.in_(ids[i : i + 500]))
        out.update((r.id, r) for r in map(run_from_row, conn.execute(q).mappings()))
    return out


def list_runs(
    conn: Connection,
    status: str | None = None,
    limit: int = 50,
    before: tuple[float, str] | None = None,
) -> list[RunRecord]:
    """Runs newest first.

    Args:
        conn: An open connection.
        status: Only runs with this status.
        limit: At most this many runs.
        before: ``(created_at, id)`` of the last run of the previous page.
    """
    q = select(t.runs).order_by(t.runs.c.created_at.desc(), t.runs.c.id.desc()).limit(limit)
    if status:
        q = q.where(t.runs.c.status == status)
    if before is not None:
        ts, rid = before
        q = q.where(
            or_(t.runs.c.created_at < ts, and_(t.runs.c.created_at == ts, t.runs.c.id < rid))
        )
    return [run_from_row(r) for r in conn.execute(q).mappings()]


def count_runs(conn: Connection, statuses: Iterable[str]) -> int:
    """How many runs have one of ``statuses``.

    Args:
        conn: An open connection.
        statuses: The run statuses to count.
    """
    q = select(func.count()).select_from(t.runs).where(t.runs.c.status.in_(list(statuses)))
    return int(conn.execute(q).scalar_one())


def runs_in_status(
    conn: Connection, statuses: Iterable[str], limit: int | None = None
) -> list[RunRecord]:
    """Runs with one of ``statuses``, oldest first (the run queue's order).

    Args:
        conn: An open connection.
        statuses: The run statuses wanted.
        limit: At most this many runs (None: all).
    """
    q = (
        select(t.runs)
        .where(t.runs.c.status.in_(list(statuses)))
        .order_by(t.runs.c.created_at, t.runs.c.id)
    )
    if limit is not None:
        q = q.limit(limit)
    return [run_from_row(r) for r in conn.execute(q).mappings()]


def steps(conn: Connection, run_id: str) -> list[StepRecord]:
    """A run's steps in the order they started.

    Args:
        conn: An open connection.
        run_id: The run.
    """
    s = t.run_steps
    q = (
        select(s)
        .where(s.c.run_id == run_id)
        # skipped and canceled steps never started: place them when they ended, the
        # same way on every database
        .order_by(func.coalesce(s.c.started_at, s.c.ended_at), s.c.asset_key, s.c.partition)
    )
    return [step_from_row(r) for r in conn.execute(q)]


def steps_for_runs(conn: Connection, run_ids: Sequence[str]) -> dict[str, list[StepRecord]]:
    """The steps of each run (in no particular order).

    Args:
        conn: An open connection.
        run_ids: The runs.
    """
    out: dict[str, list[StepRecord]] = {r: [] for r in run_ids}
    for chunk in chunks(list(run_ids)):
        for r in conn.execute(select(t.run_steps).where(t.run_steps.c.run_id.in_(chunk))):
            out[r.run_id].append(step_from_row(r))
    return out
