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


def test_a_database_of_the_first_release_with_cases_upgrades_and_keeps_them(empty_engine):
    upgrade(empty_engine, "0001")  # as the first release left it
    with empty_engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO users (id, username, password_hash, display_name, locale, timezone, active, created_at)"
                " VALUES (1, 'agent', 'x', '客服', 'zh_Hans', 'Asia/Shanghai', true, '2026-03-02 01:00:00')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO process_versions (id, process_key, version, name, filename, content_hash, bpmn_xml,"
                " forms, elements, deployed_at) VALUES (1, 'repair', 1, '维修', 'repair.bpmn', 'h', :xml, '{}', '{}',"
                " '2026-03-02 01:00:00')"
            ),
            {"xml": b"<definitions/>"},
        )
        conn.execute(
            text(
                "INSERT INTO instances (id, case_no, process_key, version_id, version, status, state,"
                " serializer_version, data, created_at, updated_at, lock_version) VALUES (7, 'SR-7', 'repair', 1, 1,"
                " 'running', '{}', '1.4', '{\"customer_name\": \"张伟\"}', '2026-03-02 01:00:00',"
                " '2026-03-02 01:00:00', 3)"
            )
        )
    upgrade(empty_engine)
    assert differences(empty_engine) == []
    with empty_engine.connect() as conn:
        row = conn.execute(text("SELECT case_no, status, lock_version, data FROM instances WHERE id = 7")).one()
        assert row.case_no == "SR-7" and row.status == "running" and row.lock_version == 3
        assert "张伟" in str(row.data)
        assert conn.execute(text("SELECT username FROM users")).scalars().all() == ["agent"]
