"""customer links and messages: case links for customers, the customers' outbox, a customer's language

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-04 01:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("customers", sa.Column("language", sa.String(length=8), nullable=True))
    op.create_table(
        "customer_links",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("instance_id", sa.Integer(), sa.ForeignKey("instances.id", ondelete="CASCADE"), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("task_spec", sa.String(length=128), nullable=True),
        sa.Column("issued_at", sa.DateTime(), nullable=False),
        sa.Column("issued_by", sa.String(length=64), nullable=True),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_by", sa.String(length=64), nullable=True),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.Column("last_seen_at", sa.DateTime(), nullable=True),
        sa.Column("last_ip", sa.String(length=64), nullable=True),
    )
    op.create_index("ix_customer_links_instance_id", "customer_links", ["instance_id"])
    op.create_table(
        "customer_messages",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("instance_id", sa.Integer(), sa.ForeignKey("instances.id", ondelete="CASCADE"), nullable=False),
        sa.Column("link_id", sa.Integer(), sa.ForeignKey("customer_links.id", ondelete="SET NULL"), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("address", sa.String(length=256), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("subject", sa.String(length=256), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("error", sa.String(length=500), nullable=True),
    )
    op.create_index("ix_customer_messages_instance_id", "customer_messages", ["instance_id"])
    op.create_index("ix_customer_messages_state", "customer_messages", ["state", "id"])


def downgrade() -> None:
    op.drop_index("ix_customer_messages_state", table_name="customer_messages")
    op.drop_index("ix_customer_messages_instance_id", table_name="customer_messages")
    op.drop_table("customer_messages")
    op.drop_index("ix_customer_links_instance_id", table_name="customer_links")
    op.drop_table("customer_links")
    op.drop_column("customers", "language")
