"""The service level's ``ctx``: the seeded database of tests/conftest.py under a service context that
app/bootstrap.py builds from the configuration alone, with no Flask application around it.

It replaces the root ``ctx`` (which is the app's) for the tests in this folder; indirect
parametrisation passes configuration overrides, as it does for the root ``app``.
"""

from __future__ import annotations

import pytest

from app.bootstrap import build_context
from app.config import load_config
from tests.conftest import config_overrides


@pytest.fixture
def ctx(database_url, clock, seeded_templates, request):
    seeded_templates.restore(database_url, clock.now())
    overrides = config_overrides(database_url, clock, **getattr(request, "param", {}))
    context, db_engine = build_context(load_config(overrides, serves_http=False))
    yield context
    db_engine.dispose()
