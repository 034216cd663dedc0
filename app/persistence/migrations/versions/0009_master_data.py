"""master data: contacts, revisions, fee terms, leave, the price list, change history, cases filed under records

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 14:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import app.persistence.orm

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
REVISED = ("customers", "units", "contracts", "technicians")


def upgrade() -> None:
    with op.batch_alter_table("customers") as table:
        table.add_column(sa.Column("contact_name", sa.String(length=128), nullable=True))
        table.add_column(sa.Column("mobile", sa.String(length=32), nullable=True))
        table.create_index("ix_customers_phone", ["phone"])
    with op.batch_alter_table("units") as table:
        table.create_index("ix_units_customer_id", ["customer_id"])
        table.create_index("ix_units_contract_no", ["contract_no"])
    with op.batch_alter_table("contracts") as table:
        table.add_column(sa.Column("fee_terms", sa.String(length=16), nullable=False, server_default="free"))
        table.add_column(sa.Column("discount_percent", sa.Integer(), nullable=True))
        table.create_index("ix_contracts_customer_id", ["customer_id"])
    with op.batch_alter_table("technicians") as table:
        table.add_column(sa.Column("unavailable", JSON, nullable=False, server_default="[]"))
    for name in REVISED:
        with op.batch_alter_table(name) as table:
            table.add_column(sa.Column("revision", sa.Integer(), nullable=False, server_default="1"))
    op.create_table(
        "prices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("unit_price", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("unit", sa.String(length=16), nullable=True),
        sa.Column("service_category", sa.String(length=32), nullable=True),
        sa.Column("region", sa.String(length=16), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    op.create_index("ix_prices_kind", "prices", ["kind"])
    op.create_table(
        "master_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("table_name", sa.String(length=32), nullable=False),
        sa.Column("record_key", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("changes", JSON, nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("at", app.persistence.orm.UTCDateTime(), nullable=False),
        sa.Column("source", sa.String(length=128), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_master_changes_record", "master_changes", ["table_name", "record_key", "id"])
    op.create_table(
        "case_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("table_name", sa.String(length=32), nullable=False),
        sa.Column("record_key", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["instance_id"], ["instances.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("instance_id", "table_name", "record_key"),
    )
    op.create_index("ix_case_records_record", "case_records", ["table_name", "record_key"])


def downgrade() -> None:
    op.drop_table("case_records")
    op.drop_table("master_changes")
    op.drop_table("prices")
    for name in REVISED:
        with op.batch_alter_table(name) as table:
            table.drop_column("revision")
    with op.batch_alter_table("technicians") as table:
        table.drop_column("unavailable")
    with op.batch_alter_table("contracts") as table:
        table.drop_index("ix_contracts_customer_id")
        table.drop_column("discount_percent")
        table.drop_column("fee_terms")
    with op.batch_alter_table("units") as table:
        table.drop_index("ix_units_contract_no")
        table.drop_index("ix_units_customer_id")
    with op.batch_alter_table("customers") as table:
        table.drop_index("ix_customers_phone")
        table.drop_column("mobile")
        table.drop_column("contact_name")
