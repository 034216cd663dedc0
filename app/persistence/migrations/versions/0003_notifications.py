"""notifications

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 14:43:33.286846
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import app.persistence.orm

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.String(length=36), nullable=True),
        sa.Column("title", sa.String(length=256), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("email", sa.String(length=256), nullable=True),
        sa.Column("created_at", app.persistence.orm.UTCDateTime(), nullable=False),
        sa.Column("read_at", app.persistence.orm.UTCDateTime(), nullable=True),
        sa.Column("emailed_at", app.persistence.orm.UTCDateTime(), nullable=True),
        sa.Column("mail_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["instance_id"], ["instances.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index("ix_notifications_mail", ["emailed_at"], unique=False)
        batch_op.create_index("ix_notifications_user", ["username", "read_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_notifications_user")
        batch_op.drop_index("ix_notifications_mail")

    op.drop_table("notifications")
