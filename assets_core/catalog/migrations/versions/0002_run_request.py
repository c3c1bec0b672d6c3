"""runs: the request's resume policy and executor options; the host and start time
of the process running the run

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("runs") as batch:
        batch.add_column(sa.Column("resume", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("executor_options", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("host", sa.String(length=255), nullable=True))
        batch.add_column(sa.Column("process_started_at", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("runs") as batch:
        for name in ("process_started_at", "host", "executor_options", "resume"):
            batch.drop_column(name)
