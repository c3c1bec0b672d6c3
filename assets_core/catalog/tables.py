"""The catalog's SQL schema (SQLAlchemy Core). Alembic migrations create it; this
module is what the code reads and writes through.

Times are UTC epoch seconds (floats): compact, fast to compare, portable across
SQLite and PostgreSQL. An unpartitioned asset's partition is stored as ``''`` so it can
be part of primary keys; the API turns it back into ``None``.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

runs = Table(
    "runs",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("status", String(16), nullable=False),
    Column("selection", Text, nullable=False),
    Column("partitions", JSON, nullable=False),
    Column("tags", JSON, nullable=False),
    Column("config", JSON, nullable=False),
    Column("launched_by", String(200)),
    Column("executor", String(32)),
    Column("parent_run_id", String(36)),
    Column("run_key", String(300), unique=True),
    Column("created_at", Float, nullable=False),
    Column("started_at", Float),
    Column("ended_at", Float),
    Column("heartbeat_at", Float),
    Column("pid", Integer),
    Column("error", Text),
    Column("resume", String(16)),
    Column("executor_options", JSON),
    Column("host", String(255)),
    Column("process_started_at", Float),
    Index("ix_runs_status_created", "status", "created_at"),
    Index("ix_runs_created", "created_at"),
)

run_steps = Table(
    "run_steps",
    metadata,
    Column("run_id", String(36), primary_key=True),
    Column("asset_key", String(500), primary_key=True),
    Column("partition", String(500), primary_key=True),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("started_at", Float),
    Column("ended_at", Float),
    Column("error", Text),
)

events = Table(
    "events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", String(36), nullable=False),
    Column("timestamp", Float, nullable=False),
    Column("type", String(40), nullable=False),
    Column("asset_key", String(500)),
    Column("partition", String(500)),
    Column("level", String(10), nullable=False),
    Column("message", Text, nullable=False),
    Column("data", JSON),
    Index("ix_events_run", "run_id", "id"),
    Index("ix_events_timestamp", "timestamp"),
)

materializations = Table(
    "materializations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("asset_key", String(500), nullable=False),
    Column("partition", String(500), nullable=False),
    Column("run_id", String(36), nullable=False),
    Column("timestamp", Float, nullable=False),
    Column("code_version", String(200)),
    Column("data_version", String(64)),
    Column("metadata", JSON, nullable=False),
    Column("location", Text),
    # The stored file's size and st_mtime_ns when it was recorded (NULL: not a file).
    Column("stored_size", BigInteger),
    Column("stored_mtime_ns", BigInteger),
    Index("ix_mat_asset_partition", "asset_key", "partition", "id"),
    Index("ix_mat_run", "run_id"),
)

#: For each materialization, the upstream materializations it consumed.
provenance = Table(
    "provenance",
    metadata,
    Column("materialization_id", Integer, primary_key=True),
    Column("upstream_id", Integer, primary_key=True),
    Index("ix_provenance_upstream", "upstream_id"),
)

#: One row per (asset, partition) that was ever materialized or failed: the latest
#: outcome. Keeps status queries independent of history length.
asset_partitions = Table(
    "asset_partitions",
    metadata,
    Column("asset_key", String(500), primary_key=True),
    Column("partition", String(500), primary_key=True),
    Column("status", String(16), nullable=False),  # MATERIALIZED | FAILED
    Column("materialization_id", Integer),
    Column("code_version", String(200)),
    Column("run_id", String(36), nullable=False),
    Column("timestamp", Float, nullable=False),
    Column("failed_at", Float),
)

check_results = Table(
    "check_results",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("asset_key", String(500), nullable=False),
    Column("check_name", String(200), nullable=False),
    Column("partition", String(500), nullable=False),
    Column("run_id", String(36)),
    Column("timestamp", Float, nullable=False),
    Column("status", String(16), nullable=False),  # PASSED | FAILED | ERRORED
    Column("passed", Boolean, nullable=False),
    Column("severity", String(8), nullable=False),
    Column("blocking", Boolean, nullable=False),
    Column("metadata", JSON, nullable=False),
    Column("error", Text),
    Column("duration_s", Float),
    Index("ix_check_asset", "asset_key", "check_name", "id"),
)

snapshots = Table(
    "snapshots",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("hash", String(64), nullable=False, unique=True),
    Column("created_at", Float, nullable=False),
    Column("data", JSON, nullable=False),
)

dynamic_partitions = Table(
    "dynamic_partitions",
    metadata,
    Column("name", String(200), primary_key=True),
    Column("partition", String(500), primary_key=True),
    Column("added_at", Float, nullable=False),
)

kv = Table(
    "kv",
    metadata,
    Column("key", String(300), primary_key=True),
    Column("value", JSON, nullable=False),
    Column("updated_at", Float, nullable=False),
)

#: Slots of concurrency pools held by running steps (``catalog/pools.py``): a pool of
#: limit N has slots 0..N-1, each held by at most one lease.
pool_slots = Table(
    "pool_slots",
    metadata,
    Column("pool", String(200), primary_key=True),
    Column("slot", Integer, primary_key=True),
    Column("lease_id", String(36), nullable=False, unique=True),
    Column("run_id", String(36), nullable=False),
    Column("asset_key", String(500), nullable=False),
    Column("partition", String(500), nullable=False),
    Column("holder", String(300), nullable=False),
    Column("acquired_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False),
)

# -- automation (SPEC §9) --------------------------------------------------------------

#: Schedules and sensors: start/stop state (NULL: the definition's default), the
#: sensor cursor, and the last tick handled (a schedule's last cron instant; a sensor's
#: last evaluation).
instigators = Table(
    "instigators",
    metadata,
    Column("name", String(200), primary_key=True),
    Column("kind", String(16), nullable=False),  # schedule | sensor
    Column("status", String(16)),  # RUNNING | STOPPED | NULL
    Column("cursor", Text),
    Column("last_tick_at", Float),
    Column("updated_at", Float, nullable=False),
)

#: Every evaluation of a schedule, a sensor or the automation conditions.
ticks = Table(
    "ticks",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False),
    Column("kind", String(16), nullable=False),  # schedule | sensor | automation
    Column("timestamp", Float, nullable=False),
    Column("status", String(16), nullable=False),  # SUCCESS | SKIPPED | FAILURE
    Column("reason", Text),
    Column("error", Text),
    Column("run_ids", JSON, nullable=False),
    Column("cursor_before", Text),
    Column("cursor_after", Text),
    Column("duration_s", Float),
    Index("ix_ticks_name", "name", "id"),
    Index("ix_ticks_timestamp", "timestamp"),
)

#: What the automation conditions decided for an asset (and a range of its
#: partitions), and why. Written when the outcome changes or a run is requested.
automation_evaluations = Table(
    "automation_evaluations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("asset_key", String(500), nullable=False),
    Column("timestamp", Float, nullable=False),
    Column("requested", Boolean, nullable=False),
    Column("reason", Text, nullable=False),
    Column("partitions", JSON),  # [[first, last], ...] or NULL when unpartitioned
    Column("partition_count", Integer, nullable=False),
    Column("run_id", String(36)),
    Column("tick_id", Integer),
    Index("ix_evaluations_asset", "asset_key", "id"),
)

#: Alert-worthy facts about an asset outside any run (a freshness violation).
asset_events = Table(
    "asset_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("asset_key", String(500), nullable=False),
    Column("partition", String(500)),
    Column("timestamp", Float, nullable=False),
    Column("type", String(40), nullable=False),
    Column("message", Text, nullable=False),
    Column("data", JSON),
    Index("ix_asset_events_asset", "asset_key", "id"),
)

#: Which daemon is the active one (one row per lease name).
daemon_leases = Table(
    "daemon_leases",
    metadata,
    Column("name", String(100), primary_key=True),
    Column("owner", String(100), nullable=False),
    Column("host", String(255)),
    Column("pid", Integer),
    Column("acquired_at", Float, nullable=False),
    Column("renewed_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False),
)
