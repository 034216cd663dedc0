"""diagram drafts: a process owner's unsent edit of a diagram and its forms (the process workbench)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 16:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import app.persistence.diagram_drafts  # noqa: F401  (puts the table in the models' metadata that migrations are compared with)
import app.persistence.orm

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "diagram_drafts",
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("process_key", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=256), nullable=False),
        sa.Column("xml", sa.Text(), nullable=False),
        sa.Column("forms", sa.JSON(), nullable=False),
        sa.Column("base_version", sa.Integer(), nullable=True),
        sa.Column("updated_at", app.persistence.orm.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("username", "process_key"),
    )


def downgrade() -> None:
    op.drop_table("diagram_drafts")
