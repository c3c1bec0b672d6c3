"""pool_slots: slots of concurrency pools held by running steps, leased

Revision ID: 0003_pool_slots
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_pool_slots"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pool_slots",
        sa.Column("pool", sa.String(length=200), primary_key=True),
        sa.Column("slot", sa.Integer(), primary_key=True),
        sa.Column("lease_id", sa.String(length=36), nullable=False, unique=True),
        sa.Column("run_id", sa.String(length=36), nullable=False),
        sa.Column("asset_key", sa.String(length=500), nullable=False),
        sa.Column("partition", sa.String(length=500), nullable=False),
        sa.Column("holder", sa.String(length=300), nullable=False),
        sa.Column("acquired_at", sa.Float(), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("pool_slots")
