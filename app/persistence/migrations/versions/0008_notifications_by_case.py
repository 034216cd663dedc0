"""notifications by case: finishing a task clears the unread notifications of its case's finished tasks

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 12:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_notifications_case", "notifications", ["instance_id", "read_at"])


def downgrade() -> None:
    op.drop_index("ix_notifications_case", table_name="notifications")
