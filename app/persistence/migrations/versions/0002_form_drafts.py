"""form drafts: what a user typed into a task's form and left unsent (the browser workspace)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 14:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import app.persistence.drafts  # noqa: F401  (puts the table in the models' metadata that migrations are compared with)
import app.persistence.orm

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "form_drafts",
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("task_id", sa.String(length=36), nullable=False),
        sa.Column(
            "data", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False
        ),
        sa.Column("updated_at", app.persistence.orm.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("username", "task_id"),
    )


def downgrade() -> None:
    op.drop_table("form_drafts")
