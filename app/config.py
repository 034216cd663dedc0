"""Configuration: defaults for development, overridden by ``AFTERSALES_*`` environment variables.

No side effects at import time; ``create_app`` reads the environment once. This module also owns
the rule for the session key: a served application never runs on a public or short key.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

from flask import Config as FlaskConfig

from .integrations.customer_senders import sender_name

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
    # Signs the session cookie: at least 32 characters, secret. Given directly, or in a file
    # (SECRET_KEY_FILE, read when SECRET_KEY is empty; `make run` makes instance/secret_key once).
    SECRET_KEY = ""
    SECRET_KEY_FILE = ""
    # A browser session ends after this long without a request, and this long after logging in,
    # whatever happens (both measured on the application clock).
    SESSION_IDLE_SECONDS = 8 * 3600
    SESSION_MAX_SECONDS = 24 * 3600
    # Turn on when the service is reached over HTTPS (the cookie is then never sent in clear).
    SESSION_COOKIE_SECURE = False
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # Origins besides the service's own (its Host header) that may send writes, comma-separated,
    # e.g. "https://aftersales.example.com" when a reverse proxy rewrites the Host header.
    TRUSTED_ORIGINS = ""
    # Other sites' pages that may call the API with an API token (CORS), comma-separated exact origins,
    # e.g. "https://crm.example.com". Their preflight (OPTIONS) is answered before authentication;
    # no cookie is ever accepted from them (no Access-Control-Allow-Credentials).
    CORS_ORIGINS = ""
    # Requests larger than this are refused (a scanned signature is a few hundred kB).
    MAX_CONTENT_LENGTH = 8 * 1024 * 1024
    PASSWORD_HASH_METHOD = "scrypt"
    # Failed log-ins (form and HTTP Basic together) allowed in a moving window, per user name and per
    # client address; one more is refused with 429 before any password is hashed. Syntax of `limits`.
    LOGIN_FAILURES_PER_USER = "5 per 15 minutes"
    LOGIN_FAILURES_PER_ADDRESS = "20 per 15 minutes"
    # Where the failure counts live: "memory://" counts per worker process; several workers (gunicorn)
    # must share one storage to count together, e.g. "redis://127.0.0.1:6379" (needs `pip install .[redis]`).
    RATELIMIT_STORAGE_URI = "memory://"
    # The public service request form (/request, no account): requests sent per client address in a moving
    # window (accepted or not; one more is answered 429), the proof of work asked of each (zero bits of
    # sha256: 17 is about a second on a phone, each bit doubles it), how long its challenge is good, the
    # size of one photo (three of them must fit in MAX_CONTENT_LENGTH), and the hotline the pages name (empty:
    # none is named; an install sets its own number, the demo of `make run` a made-up one).
    PUBLIC_REQUESTS_PER_ADDRESS = "10 per hour"
    PUBLIC_REQUEST_PROOF_BITS = 17
    PUBLIC_REQUEST_CHALLENGE_SECONDS = 3600
    PUBLIC_REQUEST_PHOTO_BYTES = 2 * 1024 * 1024
    SERVICE_HOTLINE = ""
    # Reverse proxies in front of the service whose X-Forwarded-For/-Proto/-Host are believed (0: none). Behind
    # one proxy set 1, or every request seems to come from the proxy and shares one log-in throttle.
    TRUSTED_PROXIES = 0
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
    # The map a case's address opens on a technician's inbox card ({address}: the address, URL-encoded);
    # Amap's URI API opens the map app on a phone that has it, its web map otherwise.
    MAP_URL = "https://uri.amap.com/search?keyword={address}"
    # Customer case links (README "Customer links"): the address customers' messages point to, and how
    # many days a link opens (FOLLOW: see the case; TASK: do one step, spent once the step is done).
    PUBLIC_BASE_URL = "http://localhost:5000"
    CUSTOMER_LINK_FOLLOW_DAYS = 30
    CUSTOMER_LINK_TASK_DAYS = 7
    # Requests to the public /c/ pages per client address (a moving window; syntax of `limits`).
    CUSTOMER_LINK_REQUESTS_PER_ADDRESS = "60 per minute"
    # Senders of messages to customers: "log" (writes a log line, for the demo) or, for e-mail, "smtp"
    # (empty: smtp when SMTP_HOST is set). A deployment plugs its SMS/WeChat gateway in here.
    CUSTOMER_EMAIL_SENDER = ""
    SMS_SENDER = "log"
    WECHAT_SENDER = "log"
    # The header of the printed papers (service notice, report, receipts, plan).
    COMPANY_NAME = "客户服务部 · 售后服务 / Customer Service Department"
    # Render a paper's PDF in the request, right after the step that issues it commits. Off (default):
    # with the alarm clock (`serve`) the scheduler's thread renders it at once, so the step's answer does
    # not wait 0.1–0.3 s for it; without the alarm clock its first download renders it.
    PAPERS_RENDER_AT_COMMIT = False

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
    prefixed = FlaskConfig(".")
    prefixed.from_prefixed_env("AFTERSALES", loads=str)  # text as given; typed below by each key's default
    for key, value in prefixed.items():
        if key not in config:
            continue  # only settings the service has (AFTERSALES_TEST_* and the like belong to others)
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


MIN_SECRET_KEY_LENGTH = 32
# Keys that were ever published (the old built-in default): anyone could sign cookies with them.
PUBLIC_SECRET_KEYS = frozenset({"dev-only-change-me"})


class InsecureConfiguration(RuntimeError):
    """The configuration would let anyone in (e.g. a public session key); the service refuses to start."""


def load_config(overrides: dict | None = None, *, serves_http: bool = True) -> dict:
    """The defaults, then the environment, then ``overrides``. A configuration that serves HTTP on a
    missing, public or short session key is refused (``InsecureConfiguration``) unless ``TESTING``;
    one that serves no HTTP (a maintenance command) keeps no such key, so nothing can sign with it."""
    config = from_environment(default_config())
    config.update(overrides or {})
    problem = _read_key_file(config) or secret_key_problem(config["SECRET_KEY"])
    if problem and serves_http and not config["TESTING"]:
        raise InsecureConfiguration(problem)
    unreachable = customer_links_problem(config)
    if unreachable and serves_http and not config["TESTING"]:
        raise InsecureConfiguration(unreachable)
    if problem and not serves_http:
        config["SECRET_KEY"] = None
    return config


def _read_key_file(config: dict) -> str | None:
    """Fill ``SECRET_KEY`` from ``SECRET_KEY_FILE`` when only the file is given; why not, if it cannot be read."""
    path = config.get("SECRET_KEY_FILE")
    if config.get("SECRET_KEY") or not path:
        return None
    try:
        config["SECRET_KEY"] = Path(path).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        return f"cannot read the session key file {path}: {exc}"
    return None


# Addresses that only this machine reaches: a customer's phone cannot open a link to them.
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "0.0.0.0", ""})
SENDER_KEYS = {"email": "CUSTOMER_EMAIL_SENDER", "sms": "SMS_SENDER", "wechat": "WECHAT_SENDER"}


def customer_links_problem(config: dict) -> str | None:
    """Why customers would get links they cannot open: messages really go out (a sender other than "log")
    while ``PUBLIC_BASE_URL`` names this machine (the default); None when they can, or nothing goes out."""
    sending = [
        channel
        for channel, key in SENDER_KEYS.items()
        if sender_name(channel, config[key], config["SMTP_HOST"]) != "log"
    ]
    host = (urlsplit(config["PUBLIC_BASE_URL"]).hostname or "").lower()
    if not sending or host not in LOCAL_HOSTS:
        return None
    return (
        f"messages to customers go out ({', '.join(sending)}) with links to {config['PUBLIC_BASE_URL']}, which "
        "their phones cannot reach: set AFTERSALES_PUBLIC_BASE_URL to the address customers reach the service at"
    )


def secret_key_problem(key: str | bytes | None) -> str | None:
    """Why ``key`` must not sign sessions, or None when it may."""
    how = (
        "set AFTERSALES_SECRET_KEY (or AFTERSALES_SECRET_KEY_FILE) to a random value of at least "
        f"{MIN_SECRET_KEY_LENGTH} characters, e.g. python -c 'import secrets; print(secrets.token_urlsafe(48))'"
    )
    text = key.decode("utf-8", "replace") if isinstance(key, bytes) else (key or "")
    if not text:
        return f"no session key is configured: {how}"
    if text in PUBLIC_SECRET_KEYS:
        return f"the session key is the old public default, anyone could forge a session: {how}"
    if len(text) < MIN_SECRET_KEY_LENGTH:
        return f"the session key is shorter than {MIN_SECRET_KEY_LENGTH} characters: {how}"
    return None
