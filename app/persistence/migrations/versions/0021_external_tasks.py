"""external tasks: a task's kind and topic, the worker's lock, retries and last failure

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-03 14:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("tasks", sa.Column("kind", sa.String(length=16), nullable=False, server_default="user"))
    op.add_column("tasks", sa.Column("topic", sa.String(length=128), nullable=True))
    op.add_column("tasks", sa.Column("worker_id", sa.String(length=128), nullable=True))
    op.add_column("tasks", sa.Column("locked_until", sa.DateTime(), nullable=True))
    op.add_column("tasks", sa.Column("retries", sa.Integer(), nullable=True))
    op.add_column("tasks", sa.Column("retry_at", sa.DateTime(), nullable=True))
    op.add_column("tasks", sa.Column("failure", sa.Text(), nullable=True))
    op.create_index("ix_tasks_external", "tasks", ["topic", "status"])


def downgrade() -> None:
    op.drop_index("ix_tasks_external", table_name="tasks")
    for column in ("failure", "retry_at", "retries", "locked_until", "worker_id", "topic", "kind"):
        op.drop_column("tasks", column)
