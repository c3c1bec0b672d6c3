"""Records for the catalog tests, with defaults for what a test does not care about."""

from __future__ import annotations

import time
from typing import Any

from assets_core.catalog.records import CheckResultRecord, NewMaterialization, RunRecord


def run(run_id: str, status: str = "STARTED", created_at: float | None = None) -> RunRecord:
    """A run of ``*`` with a partition, tags and config."""
    return RunRecord(
        id=run_id,
        status=status,  # type: ignore[arg-type]
        selection="*",
        partitions=["2024-01-01"],
        tags={"k": "v"},
        config={"a": {"limit": 1}},
        launched_by="tester",
        executor="inprocess",
        created_at=created_at or time.time(),
        started_at=time.time(),
    )


def mat(
    asset: str,
    run_id: str = "r",
    partition: str | None = None,
    upstream: tuple[int, ...] = (),
    metadata: dict[str, Any] | None = None,
    timestamp: float | None = None,
) -> NewMaterialization:
    """A materialization of ``asset`` (data version ``dv-<asset>``)."""
    return NewMaterialization(
        asset_key=asset,
        partition=partition,
        run_id=run_id,
        timestamp=timestamp or time.time(),
        code_version="1",
        data_version=f"dv-{asset}",
        metadata={"row_count": 3} if metadata is None else metadata,
        location=f"/tmp/{asset}",
        upstream_ids=upstream,
    )


def check(
    asset: str, name: str, passed: bool, timestamp: float, run_id: str | None = None
) -> CheckResultRecord:
    """A result of the check ``name`` of ``asset`` (severity warn, blocking)."""
    status = "PASSED" if passed else "FAILED"
    return CheckResultRecord(
        asset, name, None, run_id, timestamp, status, passed, "warn", True, {"n": 1}
    )
