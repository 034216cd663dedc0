"""Settings come from AFTERSALES_* variables, typed by their defaults; unknown ones are not settings."""

from __future__ import annotations

from app.config import default_config
from app.config import from_environment


def test_environment_variables_are_typed_by_the_default_and_unknown_ones_ignored(monkeypatch):
    monkeypatch.setenv("AFTERSALES_SESSION_COOKIE_SECURE", "yes")
    monkeypatch.setenv("AFTERSALES_SESSION_IDLE_SECONDS", "600")
    monkeypatch.setenv("AFTERSALES_TIMEZONE", "Europe/Madrid")
    monkeypatch.setenv("AFTERSALES_NO_SUCH_SETTING", "1")
    monkeypatch.delenv("AFTERSALES_DATABASE_URL", raising=False)  # make exports it; it would win
    monkeypatch.setenv("DATABASE_URL", "sqlite:////tmp/x.db")
    config = from_environment(default_config())
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["SESSION_IDLE_SECONDS"] == 600
    assert config["TIMEZONE"] == "Europe/Madrid"
    assert config["DATABASE_URL"] == "sqlite:////tmp/x.db"
    assert "NO_SUCH_SETTING" not in config
    monkeypatch.setenv("AFTERSALES_SESSION_COOKIE_SECURE", "off")
    assert from_environment(default_config())["SESSION_COOKIE_SECURE"] is False
