"""The catalog façade: where Assetline records what happened, over SQLite or
PostgreSQL.

``Catalog`` opens the database and hands each call a connection (a short write
transaction, or a read); the queries and row converters live in one module per
aggregate, as functions taking that connection:

- ``runs``: runs and their steps
- ``events``: run events and their retention
- ``materializations``: materializations, provenance, latest versions and columns
- ``checks``: check results
- ``partitions``: latest outcome per (asset, partition), dynamic partitions
- ``snapshots``: definition snapshots and key/value state
- ``pools``: slots of concurrency pools, leased by running steps
- ``ticks``: schedule and sensor state, their ticks (committed with their runs)
- ``evaluations``: automation condition evaluations, asset events
- ``leases``: which daemon is the active one
- ``writes``: the hot write path, one transaction per step on a raw connection
- ``changes``: the commit marker, which moves with every commit (caches compare it)

The façade itself is in three parts: ``facade.CatalogBase`` (engine, connections,
reconnecting), ``automation_facade.AutomationCatalog`` (pools, ticks, evaluations,
leases) and ``Catalog`` here (runs, events, partitions, materializations, checks,
snapshots).

Several processes (UI server, run workers, CLI) share one catalog: every write is a
short transaction; on SQLite writers take the lock up front and wait for each other.
"""

from __future__ import annotations

import time
from collections.abc import Hashable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from assets_core.catalog import checks as _checks  # ``checks`` is a parameter name below
from assets_core.catalog import (
    events,
    materializations,
    partitions,
    runs,
    snapshots,
)
from assets_core.catalog.automation_facade import AutomationCatalog
from assets_core.catalog.connection import assetline_home, default_catalog_url, make_engine
from assets_core.catalog.connection import upgrade as upgrade_schema
from assets_core.catalog.records import (
    FINISHED_RUN_STATUSES,
    CheckResultRecord,
    EventRecord,
    MaterializationRecord,
    PartitionRow,
    RunRecord,
    RunStatus,
    StepRecord,
    WriteBatch,
)
from assets_core.catalog.writes import RunEnd

P = ParamSpec("P")
R = TypeVar("R")


class Catalog(AutomationCatalog):
    """Where Assetline records what happened. Open it with ``Catalog.open()``.

    Each method is one call into the module of its aggregate (see the module
    docstring), on a connection of its own.
    """

    @classmethod
    def open(cls, url: str | None = None, home: Path | None = None) -> Catalog:
        """Open (and migrate if needed) a catalog.

        Args:
            url: A SQLAlchemy URL; by default ``$ASSETLINE_CATALOG_URL`` or SQLite in
                ``home``.
            home: The Assetline home; by default ``$ASSETLINE_HOME`` or ``.assetline``.
        """
        engine = make_engine(url or default_catalog_url(home or assetline_home()))
        upgrade_schema(engine)
        return cls(engine)

    @property
    def url(self) -> str:
        """The catalog's URL, without its password."""
        return self.engine.url.render_as_string(hide_password=True)

    def close(self) -> None:
        """Close the write connection and every pooled connection."""
        self._writer.close()
        self.commits.close()
        self.engine.dispose()

    def release_connections(self) -> None:
        """Close every open connection (before a fork: a connection must never be
        shared with a child process); the next call opens new ones."""
        self._writer.close()
        self.engine.dispose()

    # -- runs and steps (runs.py) --------------------------------------------------------
    def create_run(self, run: RunRecord) -> RunRecord:
        """Record a new run; see ``runs.create_run``."""
        return self._writing(runs.create_run, run)

    def update_run(self, run_id: str, **values: Any) -> None:
        """Set columns of a run (``status``, ``started_at``, ``ended_at``, ``error``...)."""
        self._writing(runs.update_run, run_id, **values)

    def transition_run(
        self, run_id: str, to: RunStatus, *, only_from: Iterable[str], **values: Any
    ) -> bool:
        """Move a run to ``to`` only if its status is one of ``only_from`` (atomically);
        return whether it moved."""
        return self._writing(runs.transition_run, run_id, to, only_from, **values)

    def heartbeat(self, run_id: str) -> None:
        """Stamp the run's ``heartbeat_at`` with the current time."""
        self.update_run(run_id, heartbeat_at=time.time())

    def get_run(self, run_id: str) -> RunRecord:
        """The run with this id or unique prefix; see ``runs.get_run``."""
        return self._reading(runs.get_run, run_id)

    def runs_by_id(self, run_ids: Sequence[str]) -> dict[str, RunRecord]:
        """The runs with these exact ids (those in the catalog), by id."""
        return self._reading(runs.runs_by_id, run_ids)

    def find_run_by_key(self, run_key: str) -> RunRecord | None:
        """The run launched with this idempotency key, if any."""
        return self._reading(runs.find_run_by_key, run_key)

    def list_runs(
        self, status: str | None = None, limit: int = 50, before: tuple[float, str] | None = None
    ) -> list[RunRecord]:
        """Runs newest first; ``before`` = (created_at, id) of the last run of the
        previous page."""
        return self._reading(runs.list_runs, status, limit, before)

    def runs_in_status(self, statuses: Iterable[str], limit: int | None = None) -> list[RunRecord]:
        """Runs with one of ``statuses``, oldest first (the run queue's order)."""
        return self._reading(runs.runs_in_status, statuses, limit)

    def count_runs(self, statuses: Iterable[str]) -> int:
        """How many runs have one of ``statuses``."""
        return self._reading(runs.count_runs, statuses)

    def steps(self, run_id: str) -> list[StepRecord]:
        """A run's steps in the order they started."""
        return self._reading(runs.steps, run_id)

    def steps_for_runs(self, run_ids: Sequence[str]) -> dict[str, list[StepRecord]]:
        """The steps of each run."""
        return self._reading(runs.steps_for_runs, run_ids)

    # -- the write path (writes.py) ------------------------------------------------------
    def write(self, batch: WriteBatch) -> list[int]:
        """Commit a batch in one transaction; return new materialization ids."""
        if not batch:
            return []
        return self._writer.write(batch) or []

    def end_run(
        self,
        run_id: str,
        status: str,
        *,
        only_from: Iterable[str],
        batch: WriteBatch,
        error: str | None = None,
    ) -> bool:
        """Atomically move a run to its final ``status`` (if it is still one of
        ``only_from``) and write ``batch`` (its last events and step records): a
        watcher never sees the run finished without its last events."""
        end = RunEnd(run_id, status, tuple(only_from), time.time(), error)
        return self._writer.write(batch, end) is not None

    def add_events(self, events: Sequence[EventRecord]) -> None:
        """Commit run events in one transaction."""
        self.write(WriteBatch(events=list(events)))

    # -- events (events.py) --------------------------------------------------------------
    def events(
        self, run_id: str, after: int | None = None, limit: int | None = None
    ) -> list[EventRecord]:
        """A run's events in order; ``after`` is the id of the last event seen."""
        return self._reading(events.events, run_id, after, limit)

    def events_of_types(
        self, run_id: str, types: Sequence[str], asset_key: str | None = None
    ) -> list[EventRecord]:
        """A run's events of ``types`` in order, optionally of one asset only."""
        return self._reading(events.events_of_types, run_id, types, asset_key)

    def events_of_types_for_runs(
        self, run_ids: Sequence[str], types: Sequence[str]
    ) -> dict[str, list[EventRecord]]:
        """The events of ``types`` of each run, in order."""
        return self._reading(events.events_of_types_for_runs, run_ids, types)

    def events_for_runs(
        self, run_ids: Sequence[str], after: int | None, limit: int
    ) -> dict[str, list[EventRecord]]:
        """The first ``limit`` events of each run after event id ``after``, in order."""
        return self._reading(events.events_for_runs, run_ids, after, limit)

    def prune_events(self, older_than_s: float) -> int:
        """Delete run events older than ``older_than_s`` seconds (the retention
        setting); materializations, provenance and check results are kept."""
        return self._writing(events.prune_events, older_than_s)

    # -- outcomes per partition, dynamic partitions (partitions.py) ----------------------
    def partition_rows(
        self, asset_keys: Sequence[str], partition: str | None = None, all_partitions: bool = False
    ) -> list[PartitionRow]:
        """Latest outcome per (asset, partition). Unpartitioned assets have partition
        None. With ``all_partitions`` every partition of the assets is returned."""
        return self._reading(partitions.partition_rows, asset_keys, partition, all_partitions)

    def all_partition_rows(self) -> list[PartitionRow]:
        """The latest outcome of every (asset, partition) in the catalog."""
        return self._reading(partitions.all_partition_rows)

    def partition_outcomes(
        self, asset_key: str, code_version: str | None = None, with_times: bool = False
    ) -> list[tuple[Any, ...]]:
        """(partition, outcome[, timestamp]) for every partition of an asset with an
        outcome: 0 failed, 1 materialized, 2 materialized with a code version other than
        ``code_version`` (when given)."""
        return self._reading(partitions.partition_outcomes, asset_key, code_version, with_times)

    def commit_marker(self) -> Hashable:
        """A value that changes whenever anything is committed to the catalog, by any
        process; costs microseconds on SQLite (see ``catalog.changes``)."""
        return self.commits.current()

    def change_marker(self) -> tuple[Any, ...]:
        """A value that changes whenever a materialization, failure or check result is
        recorded: status caches compare it instead of recomputing."""
        return self._reading(partitions.change_marker)

    def asset_outcomes(self, asset_keys: Sequence[str]) -> dict[str, tuple[Any, ...]]:
        """Per asset, read in one statement whatever the number of partitions:
        (materialized count, failed count, unpartitioned latest failed, latest
        materialization id, its timestamp, its code version)."""
        return self._reading(partitions.asset_outcomes, asset_keys)

    def latest_attempts(
        self, asset_keys: Sequence[str], *, scan: bool = False
    ) -> list[tuple[Any, ...]]:
        """(asset, partition, latest attempt failed, has a materialization, timestamp,
        failed_at) of every (asset, partition) with an outcome, in one pass; ``scan``:
        read the whole table (cheaper when ``asset_keys`` are most of it)."""
        return self._reading(partitions.latest_attempts, asset_keys, scan)

    def partition_statuses(self, asset_key: str) -> dict[str, str]:
        """partition -> MATERIALIZED | FAILED for every partition with an outcome."""
        return self._reading(partitions.partition_statuses, asset_key)

    def add_dynamic_partitions(self, name: str, keys: Sequence[str]) -> int:
        """Add keys to the dynamic partitions ``name``; return how many were new."""
        return self._writing(partitions.add_dynamic_partitions, name, keys)

    def delete_dynamic_partitions(self, name: str, keys: Sequence[str]) -> int:
        """Remove keys from the dynamic partitions ``name``; return how many existed."""
        return self._writing(partitions.delete_dynamic_partitions, name, keys)

    def dynamic_partitions(self, name: str) -> list[str]:
        """The keys of the dynamic partitions ``name``, in the order they were added."""
        return self._reading(partitions.dynamic_partitions, name)

    # -- materializations and provenance (materializations.py) ---------------------------
    def latest_versions(
        self, asset_keys: Sequence[str]
    ) -> dict[tuple[str, str | None], tuple[int, str | None]]:
        """(asset, partition) -> (latest materialization id, its data version)."""
        return self._reading(materializations.latest_versions, asset_keys)

    def materializations_by_id(self, ids: Iterable[int]) -> dict[int, MaterializationRecord]:
        """The materializations with these ids (unknown ids are left out)."""
        return self._reading(materializations.materializations_by_id, ids)

    def latest_materializations(
        self, asset_keys: Sequence[str], partition: str | None = None
    ) -> dict[str, MaterializationRecord]:
        """The latest materialization of each asset (of ``partition``; for a
        partitioned asset with ``partition`` None: of any partition)."""
        return self._reading(materializations.latest_materializations, asset_keys, partition)

    def latest_columns(self, asset_keys: Sequence[str]) -> dict[str, list[str]]:
        """Column names recorded with each asset's latest materialization."""
        return self._reading(materializations.latest_columns, asset_keys)

    def materializations(
        self,
        asset_key: str,
        limit: int = 20,
        before: int | None = None,
        partition: str | None = None,
    ) -> list[MaterializationRecord]:
        """History of an asset, newest first; ``before`` is a materialization id."""
        return self._reading(materializations.materializations, asset_key, limit, before, partition)

    def materializations_for_run(self, run_id: str) -> list[MaterializationRecord]:
        """The materializations a run recorded, in order."""
        return self._reading(materializations.materializations_for_run, run_id)

    def materialization_histories(
        self,
        asset_keys: Sequence[str],
        limit: int,
        before: int | None = None,
        partition: str | None = None,
    ) -> dict[str, list[MaterializationRecord]]:
        """The ``limit`` newest materializations of each asset, newest first."""
        return self._reading(
            materializations.materialization_histories, asset_keys, limit, before, partition
        )

    def upstream_ids(self, materialization_ids: Iterable[int]) -> dict[int, list[int]]:
        """materialization id -> ids of the upstream materializations it consumed."""
        return self._reading(materializations.upstream_ids, materialization_ids)

    def data_versions(
        self, materialization_ids: Iterable[int]
    ) -> dict[int, tuple[str, str | None]]:
        """materialization id -> (asset key, data version)."""
        return self._reading(materializations.data_versions, materialization_ids)

    def provenance(self, materialization_id: int) -> list[MaterializationRecord]:
        """The upstream materializations one materialization consumed."""
        return self._reading(materializations.provenance, materialization_id)

    # -- check results (checks.py) -------------------------------------------------------
    def latest_check_results(
        self, asset_keys: Sequence[str]
    ) -> dict[tuple[str, str], CheckResultRecord]:
        """(asset, check name) -> its latest result."""
        return self._reading(_checks.latest_check_results, asset_keys)

    def check_results_for_run(self, run_id: str) -> list[CheckResultRecord]:
        """The check results a run recorded, in order."""
        return self._reading(_checks.check_results_for_run, run_id)

    def check_history(
        self, asset_key: str, check_name: str, limit: int = 20
    ) -> list[CheckResultRecord]:
        """The results of one check, newest first."""
        return self._reading(_checks.check_history, asset_key, check_name, limit)

    def check_histories(
        self, checks: Sequence[tuple[str, str]], limit: int
    ) -> dict[tuple[str, str], list[CheckResultRecord]]:
        """The ``limit`` newest results of each ``(asset, check name)``, newest first."""
        return self._reading(_checks.check_histories, checks, limit)

    # -- definition snapshots and key/value state (snapshots.py) -------------------------
    def save_snapshot(self, digest: str, data: dict[str, Any]) -> bool:
        """Record that the definitions with this digest were loaded now; store the
        snapshot itself once. Return whether it was new."""
        return self._writing(snapshots.save_snapshot, digest, data)

    def latest_snapshot(self) -> dict[str, Any] | None:
        """The definitions most recently loaded (by a run or the server)."""
        return self._reading(snapshots.latest_snapshot)

    def get_kv(self, key: str) -> Any:
        """The value stored under ``key``, or None."""
        return self._reading(snapshots.get_kv, key)

    def set_kv(self, key: str, value: Any) -> None:
        """Store ``value`` (JSON) under ``key``."""
        self._writing(snapshots.set_kv, key, value)

    def snapshots(self) -> Iterator[dict[str, Any]]:
        """Every stored snapshot, the most recently loaded first; read one at a time,
        so a caller that stops early reads no more."""
        with self._read() as conn:
            yield from snapshots.all_snapshots(conn)

    def __repr__(self) -> str:
        return f"<Catalog {self.url}>"


__all__ = ["FINISHED_RUN_STATUSES", "Catalog"]
