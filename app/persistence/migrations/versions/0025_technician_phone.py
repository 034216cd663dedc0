"""technicians.phone: the engineer's work phone, which the customer is given with the engineer's name

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-04 18:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("technicians") as batch:
        batch.add_column(sa.Column("phone", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("technicians") as batch:
        batch.drop_column("phone")
