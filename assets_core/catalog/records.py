"""Plain records the catalog reads and writes. Times are UTC epoch seconds."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

RunStatus = Literal["QUEUED", "STARTED", "SUCCESS", "FAILURE", "CANCELING", "CANCELED"]
StepStatus = Literal["WAITING", "STARTED", "SUCCESS", "FAILED", "SKIPPED", "CANCELED"]
FINISHED_RUN_STATUSES = frozenset({"SUCCESS", "FAILURE", "CANCELED"})


def db_partition(partition: str | None) -> str:
    return partition or ""


def api_partition(partition: str | None) -> str | None:
    return partition or None


@dataclass(slots=True)
class RunRecord:
    id: str
    status: RunStatus
    selection: str
    partitions: list[str] = field(default_factory=list)
    tags: dict[str, str] = field(default_factory=dict)
    config: dict[str, Any] = field(default_factory=dict)
    launched_by: str | None = None
    executor: str | None = None
    parent_run_id: str | None = None
    run_key: str | None = None
    created_at: float = 0.0
    started_at: float | None = None
    ended_at: float | None = None
    heartbeat_at: float | None = None
    pid: int | None = None
    error: str | None = None
    #: What the run skips of its plan (``RunSpec.resume``).
    resume: str = "none"
    #: Options of its executor (``ExecutorSpec.options()``).
    executor_options: dict[str, Any] = field(default_factory=dict)
    #: The host of the process running it, and that process's start time.
    host: str | None = None
    process_started_at: float | None = None

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_RUN_STATUSES


@dataclass(frozen=True, slots=True)
class StepRecord:
    run_id: str
    asset_key: str
    partition: str | None
    status: StepStatus
    attempts: int
    started_at: float | None = None
    ended_at: float | None = None
    error: str | None = None

    @property
    def duration_s(self) -> float | None:
        if self.started_at is None or self.ended_at is None:
            return None
        return self.ended_at - self.started_at


@dataclass(frozen=True, slots=True)
class EventRecord:
    run_id: str
    timestamp: float
    type: str
    message: str
    asset_key: str | None = None
    partition: str | None = None
    level: str = "INFO"
    data: dict[str, Any] | None = None
    id: int | None = None


@dataclass(frozen=True, slots=True)
class MaterializationRecord:
    id: int
    asset_key: str
    partition: str | None
    run_id: str
    timestamp: float
    code_version: str | None
    data_version: str | None
    metadata: dict[str, Any]
    location: str | None
    #: The stored file's size in bytes and ``st_mtime_ns`` when it was recorded (None
    #: when the value is not a file, or was recorded before they were).
    stored_size: int | None = None
    stored_mtime_ns: int | None = None


@dataclass(frozen=True, slots=True)
class NewMaterialization:
    """A materialization to write, with the ids of the upstream materializations it
    consumed (provenance)."""

    asset_key: str
    partition: str | None
    run_id: str
    timestamp: float
    code_version: str | None
    data_version: str | None
    metadata: dict[str, Any]
    location: str | None
    upstream_ids: tuple[int, ...] = ()
    stored_size: int | None = None
    stored_mtime_ns: int | None = None


@dataclass(frozen=True, slots=True)
class CheckResultRecord:
    asset_key: str
    check_name: str
    partition: str | None
    run_id: str | None
    timestamp: float
    status: str  # PASSED | FAILED | ERRORED
    passed: bool
    severity: str
    blocking: bool
    metadata: dict[str, Any]
    error: str | None = None
    duration_s: float | None = None
    id: int | None = None


@dataclass(slots=True)
class WriteBatch:
    """Everything one step (or a group of steps) writes, committed in one transaction."""

    events: list[EventRecord] = field(default_factory=list)
    steps: list[StepRecord] = field(default_factory=list)
    materializations: list[NewMaterialization] = field(default_factory=list)
    failures: list[tuple[str, str | None, str, float]] = field(default_factory=list)
    check_results: list[CheckResultRecord] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(
            self.events
            or self.steps
            or self.materializations
            or self.failures
            or self.check_results
        )


@dataclass(frozen=True, slots=True)
class PartitionRow:
    """The latest outcome of one (asset, partition)."""

    asset_key: str
    partition: str | None
    status: str  # MATERIALIZED | FAILED
    materialization_id: int | None
    run_id: str
    timestamp: float
    failed_at: float | None
