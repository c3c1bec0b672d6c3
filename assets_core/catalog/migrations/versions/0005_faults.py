"""materializations: the size and modification time of the stored file, so that status
notices a value deleted or changed outside Assetline (by a stat, never a read)

Revision ID: 0005_faults
Revises: 0004_automation
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_faults"
down_revision = "0004_automation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("materializations") as batch:
        batch.add_column(sa.Column("stored_size", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("stored_mtime_ns", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("materializations") as batch:
        batch.drop_column("stored_mtime_ns")
        batch.drop_column("stored_size")
