"""QA's auditor reads everything and changes nothing: every write endpoint of the API answers 403."""

from __future__ import annotations

import re

from app.handlers.auth import READ_ONLY_ANALYSIS

UNSAFE = ("post", "put", "patch", "delete")
SAMPLE = {
    "key": "repair",
    "process_key": "repair",
    "instance_id": "1",
    "task_id": "x",
    "timer_id": "x",
    "version": "1",
    "schedule_id": "1",
    "notification_id": "1",
    "row_id": "1",
    "attachment_id": "1",
    "day": "2027-01-01",
}


def write_endpoints(app) -> list[tuple[str, str]]:
    """Every write of the OpenAPI document, less the read-only analyses (uploads that change nothing)."""
    spec = app.test_client().get("/api/v1/openapi.json").json
    found = []
    for path, operations in spec["paths"].items():
        for method in operations:
            if method in UNSAFE and not (method == "post" and path in READ_ONLY_ANALYSIS):
                concrete = re.sub(r"\{(\w+)\}", lambda m: SAMPLE.get(m.group(1), "1"), path)
                found.append((method, concrete))
    return found


def test_every_write_endpoint_refuses_the_auditor(app, as_user):
    auditor = as_user("auditor")
    endpoints = write_endpoints(app)
    assert len(endpoints) >= 25  # every write the API offers (28 when this was written)
    for method, path in endpoints:
        response = getattr(auditor.client, method)(path, json={}, headers=auditor._headers())
        assert response.status_code == 403, (method, path, response.status_code)


def test_the_auditor_reads_cases_and_reports(as_user):
    started = as_user("agent").post("/processes/repair/instances").json
    auditor = as_user("auditor")
    for path in (
        f"/instances/{started['id']}",
        f"/instances/{started['id']}/events",
        "/tasks",
        "/processes",
        "/reports/kpi?quarter=2026-Q1",
        "/schedules",
        "/accepted-deviations",
    ):
        assert auditor.get(path).status_code == 200, path
