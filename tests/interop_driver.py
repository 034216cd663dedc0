"""Drives a diagram from another modeler through the JSON API: upload it, open a case, work every
ready task with data its form accepts, fire timers as the clock moves on, until the case ends."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

from app.services.timing.timer_firing import fire_due_timers

EXAMPLE = {"string": "x", "integer": 1, "number": 1, "boolean": True}


def upload(api, name: str, xml: bytes):
    return api.client.post(
        "/api/v1/processes",
        headers=api._headers(),
        data={"file": (io.BytesIO(xml), name)},
        content_type="multipart/form-data",
    )


def answer(form: dict[str, Any] | None) -> dict[str, Any]:
    """Data a form accepts: its defaults, else the first choice, else an example of its type."""
    data = {}
    for name, field in ((form or {}).get("properties") or {}).items():
        if "default" in field:
            data[name] = field["default"]
        elif field.get("enum"):
            data[name] = field["enum"][0]
        elif field.get("format") == "date":
            data[name] = "2027-01-04"
        elif field.get("type") in EXAMPLE and name in (form.get("required") or []):
            data[name] = EXAMPLE[field["type"]]
    return data


def work_external(admin, topics: list[str], done: list[str]) -> bool:
    """As an outside worker, fetch and complete the ready service tasks of ``topics``; were there any?"""
    body = {"worker_id": "interop", "topics": [{"name": t, "lock_duration": 60_000} for t in topics]}
    fetched = admin.post("/external-tasks/fetch-and-lock", json=body).json
    for task in fetched:
        completed = admin.post(f"/external-tasks/{task['id']}/complete", json={"worker_id": "interop"})
        assert completed.status_code == 200, (task["element_id"], completed.json)
        done.append(task["element_id"])
    return bool(fetched)


def run_to_end(admin, ctx, clock, key: str, *, rounds: int = 40, topics: list[str] = ()) -> tuple[str, list[str]]:
    """Open a case of ``key`` and work it until it is no longer running (its service tasks of
    ``topics`` as an outside worker); its status and the tasks done."""
    started = admin.post(f"/processes/{key}/instances", json={})
    assert started.status_code == 201, started.json
    case_id, done = started.json["id"], []
    for _ in range(rounds):
        status = admin.get(f"/instances/{case_id}").json["status"]
        if status != "running":
            return status, done
        ready = admin.get(f"/tasks?instance_id={case_id}").json
        if not ready and topics and work_external(admin, topics, done):
            continue
        if not ready:
            clock.advance(timedelta(days=1, seconds=1))
            fire_due_timers(ctx)
            continue
        task = admin.get(f"/tasks/{ready[0]['id']}").json
        completed = admin.post(f"/tasks/{task['id']}/complete", json=answer(task.get("form")))
        assert completed.status_code == 200, (task["element_id"], completed.json)
        done.append(task["element_id"])
    return admin.get(f"/instances/{case_id}").json["status"], done
