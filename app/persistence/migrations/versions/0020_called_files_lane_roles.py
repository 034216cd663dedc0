"""the files a version's call activities reach, kept with the version; the owner's lane -> role mapping

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03 14:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("process_versions") as batch:
        batch.add_column(sa.Column("calls", sa.JSON(), nullable=False, server_default="{}"))
    op.create_table(
        "lane_roles",
        sa.Column("process_key", sa.String(length=64), nullable=False),
        sa.Column("lane", sa.String(length=128), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("process_key", "lane"),
    )


def downgrade() -> None:
    op.drop_table("lane_roles")
    with op.batch_alter_table("process_versions") as batch:
        batch.drop_column("calls")
