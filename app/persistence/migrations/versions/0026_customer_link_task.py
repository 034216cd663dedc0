"""customer_links.task_id: the one engine task a TASK link opens (each instance of a multi-instance
customer step, e.g. one surveyed customer's questionnaire, has a link of its own)

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-04 19:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("customer_links") as batch:
        batch.add_column(sa.Column("task_id", sa.String(length=36), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("customer_links") as batch:
        batch.drop_column("task_id")
