"""What a run asks for: one typed request, built by every way of starting a run.

The CLI (``materialize``, ``backfill``, ``reexecute``), the Python ``materialize()``,
the GraphQL mutations and (later) schedules and sensors all build a ``RunSpec``. It is
stored with the run (the ``runs`` row holds every field), so a run queued by one
process is executed exactly as asked by another.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal, get_args

from assets_core.errors import UsageError
from assets_core.execution.plan import PartitionRequest

if TYPE_CHECKING:
    from assets_core.catalog.records import RunRecord
    from assets_core.settings import Settings

#: What a run skips of its plan before it starts:
#: ``none``: nothing; ``materialized``: (asset, partition) steps already materialized
#: (a resumed backfill); ``missing_only``: steps ever attempted, failed ones included;
#: ``from_failure``: steps that succeeded in the parent run (and its from-failure
#: ancestors).
Resume = Literal["none", "materialized", "missing_only", "from_failure"]
RESUME_POLICIES: tuple[str, ...] = get_args(Resume)

#: The executors that exist, by name.
EXECUTORS = ("inprocess", "multiprocess", "dask")

_DASK_ADDRESS = re.compile(r"^(tcp|tls|ucx|inproc|ws|wss)://[^\s/]+$")


@dataclass(frozen=True, slots=True)
class ExecutorSpec:
    """Where a run's steps execute.

    Args:
        name: ``inprocess`` (default), ``multiprocess`` or ``dask``.
        workers: Worker processes: of the ``multiprocess`` executor (default: the CPU
            count), or of the ``LocalCluster`` the ``dask`` executor starts when it is
            given no address (default: 2).
        dask_address: The address of a running Dask scheduler
            (``tcp://host:8786``); ``dask`` only.
    """

    name: str = "inprocess"
    workers: int | None = None
    dask_address: str | None = None

    def validate(self) -> None:
        """Raise ``UsageError`` for an executor or option that does not apply."""
        if self.name not in EXECUTORS:
            raise UsageError(f"Unknown executor {self.name!r}; available: {', '.join(EXECUTORS)}.")
        if self.workers is not None:
            if self.name == "inprocess":
                raise UsageError(
                    "--workers applies to the multiprocess and dask executors; the inprocess "
                    "executor runs one step at a time. Add --executor multiprocess."
                )
            if self.workers < 1:
                raise UsageError(f"--workers must be 1 or more (got {self.workers}).")
        if self.dask_address is not None:
            if self.name != "dask":
                raise UsageError(
                    f"--dask-address applies to the dask executor, not {self.name}. "
                    "Add --executor dask (or drop --dask-address)."
                )
            if not _DASK_ADDRESS.match(self.dask_address):
                raise UsageError(
                    f"--dask-address {self.dask_address!r} is not a Dask scheduler address; "
                    "write it as tcp://host:port (e.g. tcp://127.0.0.1:8786)."
                )
            if self.workers is not None:
                raise UsageError(
                    "--workers sizes the local Dask cluster started when there is no "
                    "--dask-address; a running scheduler at --dask-address has its own "
                    "workers. Drop one of the two."
                )

    def options(self) -> dict[str, Any]:
        """The options stored with the run (beside its executor's name)."""
        out: dict[str, Any] = {}
        if self.workers is not None:
            out["workers"] = self.workers
        if self.dask_address is not None:
            out["dask_address"] = self.dask_address
        return out

    @classmethod
    def stored(cls, name: str | None, options: Mapping[str, Any] | None) -> ExecutorSpec:
        """The spec of a recorded run."""
        options = options or {}
        workers = options.get("workers")
        address = options.get("dask_address")
        return cls(
            name or "inprocess",
            int(workers) if workers is not None else None,
            str(address) if address is not None else None,
        )


#: The executor of runs that name none (wins over ``[tool.assetline] executor``).
EXECUTOR_ENV = "ASSETLINE_EXECUTOR"
#: The Dask scheduler of the ``dask`` executor when a run names none.
DASK_ADDRESS_ENV = "ASSETLINE_DASK_ADDRESS"


def requested_executor(
    name: str | None = None,
    workers: int | None = None,
    dask_address: str | None = None,
    settings: Settings | None = None,
) -> ExecutorSpec:
    """The executor a request asks for, completed with the project's defaults
    (``$ASSETLINE_EXECUTOR``, ``$ASSETLINE_DASK_ADDRESS``, then ``[tool.assetline]
    executor / workers / dask_address``).

    What the request says wins; a default applies only to the executor it belongs to
    (``workers`` of the configured executor, the Dask address to ``dask``), so a
    default never turns a valid request into a usage error.

    Args:
        name: The executor asked for; default: the configured one, else ``inprocess``.
        workers: Worker processes asked for.
        dask_address: The Dask scheduler asked for.
        settings: The project settings; default: those of the working directory.
    """
    import os

    from assets_core.settings import load_settings

    s = settings if settings is not None else load_settings()
    configured = os.environ.get(EXECUTOR_ENV) or s.executor or "inprocess"
    chosen = name or configured
    if workers is None and dask_address is None:
        if chosen == "dask":
            dask_address = os.environ.get(DASK_ADDRESS_ENV) or s.dask_address
        if dask_address is None and chosen == configured == s.executor:
            workers = s.workers
    return ExecutorSpec(chosen, workers, dask_address)


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
    """A run's stored partitions (``["key"]``, ``["from...to"]`` or a list of keys) as
    a request."""
    if not partitions:
        return PartitionRequest()
    if len(partitions) == 1:
        p = partitions[0]
        if "..." in p:
            start, end = p.split("...", 1)
            return PartitionRequest(start=start, end=end)
        return PartitionRequest(key=p)
    return PartitionRequest(keys=tuple(partitions))


def partitions_argument(
    partitions: Sequence[str] | None, partition_range: tuple[str, str] | None = None
) -> PartitionRequest:
    """The API's arguments ``partitions: [String!]`` (any partition keys) and
    ``partitionRange: {from, to}`` (an inclusive range), at most one of them.

    Args:
        partitions: Partition keys, each run once.
        partition_range: The first and last key of a range, both included.

    Raises:
        UsageError: Both are given, the list is empty, or a key is written as a range.
    """
    if partitions is not None and partition_range is not None:
        raise UsageError("Give partitions (a list of keys) or partitionRange, not both.")
    if partition_range is not None:
        start, end = partition_range
        return PartitionRequest(start=start, end=end)
    if partitions is None:
        return PartitionRequest()
    keys = tuple(dict.fromkeys(partitions))
    if not keys:
        raise UsageError("partitions is empty: give at least one key, or leave it out.")
    for key in keys:
        if "..." in key:
            raise UsageError(
                f"Partition key {key!r} looks like a range: pass partitionRange: "
                "{from: ..., to: ...} for a range."
            )
    return PartitionRequest(key=keys[0]) if len(keys) == 1 else PartitionRequest(keys=keys)
