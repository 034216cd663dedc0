"""certificate notices: the dispatchers are told once that a technician's certificate runs out; a
notification may be about no case

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import app.persistence.orm

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "certificate_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("cert_expiry", sa.Date(), nullable=False),
        sa.Column("stage", sa.String(length=16), nullable=False),
        sa.Column("notified_at", app.persistence.orm.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("username", "cert_expiry", "stage"),
    )
    with op.batch_alter_table("notifications") as table:
        table.alter_column("instance_id", existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    op.execute("DELETE FROM notifications WHERE instance_id IS NULL")
    with op.batch_alter_table("notifications") as table:
        table.alter_column("instance_id", existing_type=sa.Integer(), nullable=False)
    op.drop_table("certificate_notices")
