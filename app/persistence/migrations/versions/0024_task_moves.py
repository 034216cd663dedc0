"""task moves: the task a migration cancelled and the one of the same element on the new version

Revision ID: 0024
Revises: 0021
Create Date: 2026-12-04 01:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "task_moves",
        sa.Column("old_task_id", sa.String(length=36), nullable=False),
        sa.Column("new_task_id", sa.String(length=36), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("moved_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["instance_id"], ["instances.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("old_task_id"),
    )
    op.create_index("ix_task_moves_new_task_id", "task_moves", ["new_task_id"])
    op.create_index("ix_task_moves_instance_id", "task_moves", ["instance_id"])


def downgrade() -> None:
    op.drop_index("ix_task_moves_instance_id", table_name="task_moves")
    op.drop_index("ix_task_moves_new_task_id", table_name="task_moves")
    op.drop_table("task_moves")
