"""automation: schedule/sensor state, ticks, condition evaluations, asset events and
the daemon lease

Revision ID: 0004_automation
Revises: 0003_pool_slots
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_automation"
down_revision = "0003_pool_slots"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "instigators",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=True),
        sa.Column("cursor", sa.Text(), nullable=True),
        sa.Column("last_tick_at", sa.Float(), nullable=True),
        sa.Column("updated_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "ticks",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("timestamp", sa.Float(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("run_ids", sa.JSON(), nullable=False),
        sa.Column("cursor_before", sa.Text(), nullable=True),
        sa.Column("cursor_after", sa.Text(), nullable=True),
        sa.Column("duration_s", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_ticks_name", "ticks", ["name", "id"])
    op.create_index("ix_ticks_timestamp", "ticks", ["timestamp"])
    op.create_table(
        "automation_evaluations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("asset_key", sa.String(length=500), nullable=False),
        sa.Column("timestamp", sa.Float(), nullable=False),
        sa.Column("requested", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("partitions", sa.JSON(), nullable=True),
        sa.Column("partition_count", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.String(length=36), nullable=True),
        sa.Column("tick_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_evaluations_asset", "automation_evaluations", ["asset_key", "id"])
    op.create_table(
        "asset_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("asset_key", sa.String(length=500), nullable=False),
        sa.Column("partition", sa.String(length=500), nullable=True),
        sa.Column("timestamp", sa.Float(), nullable=False),
        sa.Column("type", sa.String(length=40), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_asset_events_asset", "asset_events", ["asset_key", "id"])
    op.create_table(
        "daemon_leases",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("owner", sa.String(length=100), nullable=False),
        sa.Column("host", sa.String(length=255), nullable=True),
        sa.Column("pid", sa.Integer(), nullable=True),
        sa.Column("acquired_at", sa.Float(), nullable=False),
        sa.Column("renewed_at", sa.Float(), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("daemon_leases")
    op.drop_index("ix_asset_events_asset", table_name="asset_events")
    op.drop_table("asset_events")
    op.drop_index("ix_evaluations_asset", table_name="automation_evaluations")
    op.drop_table("automation_evaluations")
    op.drop_index("ix_ticks_timestamp", table_name="ticks")
    op.drop_index("ix_ticks_name", table_name="ticks")
    op.drop_table("ticks")
    op.drop_table("instigators")
