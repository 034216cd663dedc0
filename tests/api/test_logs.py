"""Production logs are one JSON object per line, one line per request, traceable by request id."""

from __future__ import annotations

import io
import json
import logging

import pytest

from app.logs import configure_logging


@pytest.fixture
def json_log():
    stream = io.StringIO()
    handler = configure_logging("json", "INFO", stream)
    yield stream
    logging.getLogger().removeHandler(handler)
    logging.getLogger().setLevel(logging.WARNING)


def test_each_request_is_one_json_line_with_who_what_and_how_long(as_user, json_log):
    api = as_user("auditor")
    response = api.client.get("/api/v1/processes", headers={**api._headers(), "X-Request-ID": "ticket-4711"})
    assert response.status_code == 200 and response.headers["X-Request-ID"] == "ticket-4711"
    lines = [json.loads(line) for line in json_log.getvalue().splitlines()]
    [entry] = [e for e in lines if e["logger"] == "aftersales.request"]
    assert entry["method"] == "GET" and entry["path"] == "/api/v1/processes" and entry["status"] == 200
    assert entry["user"] == "auditor" and entry["request_id"] == "ticket-4711"
    assert entry["level"] == "info" and entry["duration_ms"] >= 0 and entry["ts"].endswith("+00:00")


def test_a_request_without_an_id_gets_one_and_errors_carry_their_traceback(as_user, json_log):
    response = as_user(None).get("/processes")
    assert response.status_code == 401 and len(response.headers["X-Request-ID"]) == 32
    try:
        raise RuntimeError("disk full")
    except RuntimeError:
        logging.getLogger("app.scheduler").exception("timer round failed")
    entry = json.loads(json_log.getvalue().splitlines()[-1])
    assert entry["msg"] == "timer round failed" and "RuntimeError: disk full" in entry["exc"]
