"""Fixtures of every test level: an app on a fresh database (SQLite file or PostgreSQL), a frozen clock, users.

tests/unit/ uses none of the database ones, tests/services/ builds its ``ctx`` without Flask
(tests/services/conftest.py), tests/api/ and tests/e2e/ go through the app.

``AFTERSALES_TEST_DATABASE_URL`` chooses the database: ``sqlite`` (default, a new file per
test) or a PostgreSQL URL (schema created once, tables emptied between tests).
"""

from __future__ import annotations

import base64
import os
import shutil
from datetime import UTC
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from app import create_app
from app.clock import SimulatedClock
from app.demo.loader import load_master_data
from app.persistence.db import create_schema
from app.persistence.db import drop_schema
from app.persistence.db import make_engine
from app.persistence.orm import Base
from app.services.people.users import create_user
from app.services.processes.deployments import deploy_directory
from app.services.timing.work_calendar import seed_official
from tests.diagrams import TINY
from tests.diagrams import write_tiny

ROOT = Path(__file__).resolve().parent.parent
PROCESSES = ROOT / "processes"
TEST_BPMN = Path(__file__).resolve().parent / "bpmn"
# A Monday, 09:00 in Shanghai.
T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
DB_CHOICE = os.environ.get("AFTERSALES_TEST_DATABASE_URL", "sqlite")

USERS = {
    "admin": ["admin"],
    "agent": ["cs_agent"],
    "dispatcher": ["dispatcher"],
    "supervisor": ["supervisor"],
    "tech_urban1": ["technician"],
    "tech_urban2": ["technician"],
    "tech_suburb1": ["technician"],
    "tech_expired": ["technician"],
    "mis": ["mis"],
    "qa": ["qa"],
    "finance": ["finance"],
    "auditor": ["auditor"],
    "process_owner": ["process_owner"],
    "dept_head": ["dept_head"],
    "resp_dept": ["responsible_dept"],
    "production": ["production"],
    "hr": ["administration"],
    "service_manager": ["service_manager"],
    "executive": ["executive"],
}


@pytest.fixture(scope="session")
def postgres_engine():
    if DB_CHOICE == "sqlite":
        yield None
        return
    engine = make_engine(DB_CHOICE)
    drop_schema(engine)
    create_schema(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def database_url(tmp_path, postgres_engine):
    if postgres_engine is None:
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    _empty_tables(postgres_engine)
    yield DB_CHOICE


def _empty_tables(engine) -> None:
    tables = ", ".join(t.name for t in reversed(Base.metadata.sorted_tables))
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture
def clock():
    return SimulatedClock(T0, frozen=True)


def config_overrides(database_url: str, clock, processes_dir: Path = PROCESSES, **overrides) -> dict:
    """The configuration every test level starts from: this database, the frozen clock, a fast password hash."""
    return {
        "DATABASE_URL": database_url,
        "CLOCK_OBJECT": clock,
        "CLOCK": "simulated",
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "PROCESSES_DIR": str(processes_dir),
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        **overrides,
    }


def make_app(database_url: str, clock, processes_dir: Path = PROCESSES, *, create: bool = True, **overrides):
    app = create_app(config_overrides(database_url, clock, processes_dir, **overrides))
    if create:
        create_schema(app.extensions["aftersales.db"])
    return app


def seed_calendar(ctx) -> None:
    """The official arrangement for the years the tests use (the whole range is slow to write)."""
    with ctx.uow() as uow:
        seed_official(uow, range(2025, 2027), now=T0)
        uow.commit()
    ctx.calendar.reload()


def seed(ctx) -> None:
    """What every ``app`` starts with: the diagrams of processes/ deployed, the demo's master data,
    the official calendar and one user per role (``USERS``, password = user name)."""
    deploy_directory(ctx, actor="tests", strict=True)  # CI keeps processes/ to the house conventions
    load_master_data(ctx)
    seed_calendar(ctx)
    for username, roles in USERS.items():
        create_user(ctx, username, username, roles)


class SeededTemplates:
    """Seeded databases built once per test session and copied into each test's database.

    Deploying eight diagrams, the calendar and the users took about a second per test; a copy
    takes milliseconds. One template per clock start, because deploying reads the clock (version
    times, the recurring schedules' next runs). SQLite: a file copied per test. PostgreSQL: the
    seeded rows kept in a schema of their own and inserted into the emptied tables per test.
    """

    def __init__(self, directory: Path, postgres_engine) -> None:
        self._directory, self._pg = directory, postgres_engine
        self._built: dict[datetime, str] = {}

    def restore(self, database_url: str, start: datetime) -> None:
        template = self._built.get(start) or self._build(start)
        if self._pg is None:
            shutil.copyfile(template, database_url.removeprefix("sqlite:///"))
            return
        with self._pg.begin() as conn:
            for table in Base.metadata.sorted_tables:
                conn.execute(text(f"INSERT INTO {table.name} SELECT * FROM {template}.{table.name}"))
            serials = conn.execute(
                text(
                    "SELECT table_name, column_name FROM information_schema.columns "
                    "WHERE table_schema = 'public' AND column_default LIKE 'nextval(%'"
                )
            ).all()
            for table, column in serials:  # the copied ids are taken: new rows continue after them
                conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'), "
                        f"COALESCE((SELECT MAX({column}) FROM {table}), 0) + 1, false)"
                    )
                )

    def _build(self, start: datetime) -> str:
        clock = SimulatedClock(start, frozen=True)
        if self._pg is None:
            path = self._directory / f"seeded-{len(self._built)}.db"
            app = make_app(f"sqlite:///{path}", clock)
            seed(app.extensions["aftersales"])
            app.extensions["aftersales.db"].dispose()  # the last connection checkpoints the WAL into the file
            self._built[start] = str(path)
            return str(path)
        schema = f"seeded_{len(self._built)}"
        _empty_tables(self._pg)
        app = make_app(DB_CHOICE, clock, create=False)
        seed(app.extensions["aftersales"])
        app.extensions["aftersales.db"].dispose()
        with self._pg.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            conn.execute(text(f"CREATE SCHEMA {schema}"))
            for table in Base.metadata.sorted_tables:
                conn.execute(text(f"CREATE TABLE {schema}.{table.name} AS SELECT * FROM {table.name}"))
        _empty_tables(self._pg)
        self._built[start] = schema
        return schema


@pytest.fixture(scope="session")
def seeded_templates(tmp_path_factory, postgres_engine):
    return SeededTemplates(tmp_path_factory.mktemp("templates"), postgres_engine)


@pytest.fixture
def app(database_url, clock, seeded_templates, request):
    """The seeded database (see ``seed``); ``indirect`` parametrisation passes config overrides."""
    seeded_templates.restore(database_url, clock.now())
    app = make_app(database_url, clock, create=False, **getattr(request, "param", {}))
    yield app
    app.extensions["aftersales.db"].dispose()


@pytest.fixture
def ctx(app):
    return app.extensions["aftersales"]


class Api:
    """The JSON API as a given user (HTTP Basic)."""

    def __init__(self, client, username: str | None) -> None:
        self.client, self.username = client, username

    def _headers(self) -> dict[str, str]:
        if self.username is None:
            return {}
        token = base64.b64encode(f"{self.username}:{self.username}".encode()).decode()
        return {"Authorization": f"Basic {token}"}

    def get(self, path: str, **kw):
        return self.client.get(f"/api/v1{path}", headers=self._headers(), **kw)

    def post(self, path: str, json=None, **kw):
        return self.client.post(f"/api/v1{path}", json=json, headers=self._headers(), **kw)

    def put(self, path: str, json=None, **kw):
        return self.client.put(f"/api/v1{path}", json=json, headers=self._headers(), **kw)


@pytest.fixture
def as_user(app):
    client = app.test_client()

    def _as(username: str | None) -> Api:
        return Api(client, username)

    return _as


@pytest.fixture
def app_with_diagram(tmp_path, database_url, clock):
    """Build apps with one small diagram deployed (the first in ``tmp_path / "processes"``)."""
    made = []

    def build(xml: str = TINY, users: tuple[str, ...] = ("agent",)):
        processes = tmp_path / ("processes" if not made else f"processes-{len(made)}")
        write_tiny(processes, xml)
        app = make_app(database_url, clock, processes)
        ctx = app.extensions["aftersales"]
        deploy_directory(ctx)
        for username in users:
            create_user(ctx, username, username, USERS[username])
        made.append(app)
        return app

    yield build
    for app in made:
        app.extensions["aftersales.db"].dispose()


@pytest.fixture
def tiny(app_with_diagram):
    """An app with only tests/diagrams.TINY deployed: one agent task with a 24 h escalation timer."""
    return app_with_diagram(TINY, ("admin", "agent", "supervisor", "auditor", "dispatcher"))


@pytest.fixture
def tiny_api(tiny):
    client = tiny.test_client()
    return lambda username: Api(client, username)
