"""The migrations build the whole schema from an empty database, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine
from sqlalchemy import text

from app.persistence.db import make_engine
from app.persistence.schema import differences
from app.persistence.schema import upgrade
from tests.conftest import DB_CHOICE

MIGRATION_DB = "aftersales_migrations"


@pytest.fixture
def empty_engine(tmp_path):
    if DB_CHOICE == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
        yield engine
        engine.dispose()
        return
    admin = create_engine(DB_CHOICE, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {MIGRATION_DB}"))
        conn.execute(text(f"CREATE DATABASE {MIGRATION_DB}"))
    engine = make_engine(DB_CHOICE.rsplit("/", 1)[0] + "/" + MIGRATION_DB)
    yield engine
    engine.dispose()
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {MIGRATION_DB}"))
    admin.dispose()


def test_migrations_create_exactly_the_models_schema_and_are_idempotent(empty_engine):
    upgrade(empty_engine)
    assert differences(empty_engine) == []
    upgrade(empty_engine)  # running init-db twice changes nothing
    with empty_engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() is not None
