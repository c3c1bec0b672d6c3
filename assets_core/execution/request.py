"""What a run asks for: one typed request, built by every way of starting a run.

The CLI (``materialize``, ``backfill``, ``reexecute``), the Python ``materialize()``,
the GraphQL mutations and (later) schedules and sensors all build a ``RunSpec``. It is
stored with the run (the ``runs`` row holds every field), so a run queued by one
process is executed exactly as asked by another.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal, get_args

from assets_core.errors import UsageError
from assets_core.execution.plan import PartitionRequest

if TYPE_CHECKING:
    from assets_core.catalog.records import RunRecord

#: What a run skips of its plan before it starts:
#: ``none``: nothing; ``materialized``: (asset, partition) steps already materialized
#: (a resumed backfill); ``missing_only``: steps ever attempted, failed ones included;
#: ``from_failure``: steps that succeeded in the parent run (and its from-failure
#: ancestors).
Resume = Literal["none", "materialized", "missing_only", "from_failure"]
RESUME_POLICIES: tuple[str, ...] = get_args(Resume)

#: The executors that exist, by name.
EXECUTORS = ("inprocess", "multiprocess")


@dataclass(frozen=True, slots=True)
class ExecutorSpec:
    """Where a run's steps execute.

    Args:
        name: ``inprocess`` (default) or ``multiprocess``.
        workers: Worker processes (``multiprocess`` only; default: the CPU count).
    """

    name: str = "inprocess"
    workers: int | None = None

    def validate(self) -> None:
        """Raise ``UsageError`` for an executor or option that does not apply."""
        if self.name not in EXECUTORS:
            raise UsageError(f"Unknown executor {self.name!r}; available: {', '.join(EXECUTORS)}.")
        if self.workers is not None:
            if self.name == "inprocess":
                raise UsageError(
                    "--workers applies to the multiprocess executor; the inprocess executor "
                    "runs one step at a time. Add --executor multiprocess."
                )
            if self.workers < 1:
                raise UsageError(f"--workers must be 1 or more (got {self.workers}).")

    def options(self) -> dict[str, Any]:
        """The options stored with the run (beside its executor's name)."""
        return {"workers": self.workers} if self.workers is not None else {}

    @classmethod
    def stored(cls, name: str | None, options: Mapping[str, Any] | None) -> ExecutorSpec:
        """The spec of a recorded run."""
        workers = (options or {}).get("workers")
        return cls(name or "inprocess", int(workers) if workers is not None else None)


@dataclass(frozen=True, slots=True)
class RunSpec:
    """A request for a run: what to compute, where, and what to skip.

    Args:
        selection: A selection expression (SPEC §2).
        partitions: The partitions to compute (one key, or an inclusive range).
        config: Run config, keyed by asset key.
        tags: Tags stored with the run.
        executor: Where the steps run.
        resume: What to skip of the plan (see ``Resume``).
        parent_run_id: The run this one re-executes, if any.
        launched_by: Who asked (a user name, a token's name, ``schedule:NAME``...).
        run_key: A key that makes the request idempotent: a second run with the same
            key is refused.
    """

    selection: str = "*"
    partitions: PartitionRequest = field(default_factory=PartitionRequest)
    config: Mapping[str, Any] = field(default_factory=dict)
    tags: Mapping[str, str] = field(default_factory=dict)
    executor: ExecutorSpec = field(default_factory=ExecutorSpec)
    resume: Resume = "none"
    parent_run_id: str | None = None
    launched_by: str | None = None
    run_key: str | None = None

    def validate(self) -> None:
        """Raise ``UsageError`` for options that do not fit together."""
        self.executor.validate()
        if self.resume not in RESUME_POLICIES:
            raise UsageError(
                f"Unknown resume policy {self.resume!r}; one of {', '.join(RESUME_POLICIES)}."
            )
        if self.resume == "from_failure" and self.parent_run_id is None:
            raise UsageError("Re-executing from failure needs the parent run's id.")

    @classmethod
    def of_record(cls, run: RunRecord) -> RunSpec:
        """The request a recorded run was created from."""
        resume = run.resume if run.resume in RESUME_POLICIES else "none"
        return cls(
            selection=run.selection,
            partitions=stored_partitions(run.partitions),
            config=dict(run.config),
            tags=dict(run.tags),
            executor=ExecutorSpec.stored(run.executor, run.executor_options),
            resume=resume,  # type: ignore[arg-type]
            parent_run_id=run.parent_run_id,
            launched_by=run.launched_by,
            run_key=run.run_key,
        )

    def reexecution(self, parent_id: str, *, from_failure: bool, launched_by: str) -> RunSpec:
        """A request that runs this (parent's) request again: all of it, or only what
        did not succeed."""
        return replace(
            self,
            resume="from_failure" if from_failure else "none",
            parent_run_id=parent_id,
            launched_by=launched_by,
            run_key=None,
        )


def stored_partitions(partitions: Sequence[str]) -> PartitionRequest:
    """A run's stored partitions (``["key"]`` or ``["from...to"]``) as a request."""
    if not partitions:
        return PartitionRequest()
    if len(partitions) == 1:
        p = partitions[0]
        if "..." in p:
            start, end = p.split("...", 1)
            return PartitionRequest(start=start, end=end)
        return PartitionRequest(key=p)
    raise UsageError(f"Run partitions {list(partitions)!r} are not one key or one range.")


def partitions_argument(partitions: Sequence[str] | None) -> PartitionRequest:
    """The API's ``partitions: [String!]`` argument: one key, or ``[from, to]``."""
    if not partitions:
        return PartitionRequest()
    if len(partitions) == 1:
        return stored_partitions(partitions)
    if len(partitions) == 2:
        return PartitionRequest(start=partitions[0], end=partitions[1])
    raise UsageError("Give one partition key, or a range as two keys [from, to].")
