"""Configuration: defaults for development, overridden by ``AFTERSALES_*`` environment variables.

No side effects at import time; ``create_app`` reads the environment once.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Config:
    """Defaults. Every key can be set as ``AFTERSALES_<KEY>`` in the environment."""

    DATABASE_URL = f"sqlite:///{PROJECT_ROOT / 'instance' / 'aftersales.db'}"
    PROCESSES_DIR = str(PROJECT_ROOT / "processes")
    # "system" (wall clock) or "simulated" (wall clock plus an offset that can be advanced).
    CLOCK = "system"
    # Run the APScheduler alarm clock in this process (the `serve` command turns it on).
    SCHEDULER_ENABLED = False
    # Seconds between safety sweeps for due timers written by other processes.
    TIMER_SWEEP_SECONDS = 15
    SECRET_KEY = "dev-only-change-me"
    # Requests larger than this are refused (a scanned signature is a few hundred kB).
    MAX_CONTENT_LENGTH = 8 * 1024 * 1024
    PASSWORD_HASH_METHOD = "scrypt"
    # Workflows of recent steps kept alive per worker (skips restoring them from JSON); 0 turns it off.
    LIVE_WORKFLOWS = 256
    TIMEZONE = "Asia/Shanghai"
    # Working hours for deadlines in working hours (not stated by the seeds; G-06).
    WORK_DAY_START = "08:30"
    WORK_DAY_END = "17:30"
    TESTING = False
    # Log lines as "text" (a terminal) or "json" (one object per line, for a log shipper); `serve` sets it up.
    LOG_FORMAT = "text"
    # When set, /metrics answers only a scraper sending "Authorization: Bearer <token>".
    METRICS_TOKEN = ""
    LOG_LEVEL = "INFO"
    # Who reads a case: "person" (those who work, worked, may claim or coordinate it) or "role" (every
    # case with a task of one of the user's roles, for small companies). See app/domain/visibility.py.
    CASE_VISIBILITY = "person"

    # Notification e-mail (empty host: in-application notifications only).
    SMTP_HOST = ""
    SMTP_PORT = 25
    MAIL_FROM = "aftersales@localhost"

    # flask-smorest / OpenAPI
    API_TITLE = "After-sales service engine"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"


def from_environment(config: dict) -> dict:
    """Overlay ``AFTERSALES_<KEY>`` variables (and plain ``DATABASE_URL``) onto ``config``."""
    if os.environ.get("DATABASE_URL"):
        config["DATABASE_URL"] = os.environ["DATABASE_URL"]
    for key in list(config):
        value = os.environ.get(f"AFTERSALES_{key}")
        if value is None:
            continue
        default = config[key]
        if isinstance(default, bool):
            config[key] = value.lower() in ("1", "true", "yes", "on")
        elif isinstance(default, int):
            config[key] = int(value)
        else:
            config[key] = value
    return config


def default_config() -> dict:
    return {k: getattr(Config, k) for k in dir(Config) if k.isupper()}
