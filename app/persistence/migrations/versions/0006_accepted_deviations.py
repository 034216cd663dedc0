"""accepted deviations: QA's allow-list of deviations from a diagram, with reasons

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 15:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import app.persistence.orm

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "accepted_deviations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("process_key", sa.String(length=64), nullable=False),
        sa.Column("element_id", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", app.persistence.orm.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("process_key", "element_id", "kind"),
    )


def downgrade() -> None:
    op.drop_table("accepted_deviations")
