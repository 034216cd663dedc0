"""Completing a task over the API cancels its timer (the timers themselves: tests/services/test_timers.py)."""

from __future__ import annotations

from app.services.cases.opening import start_case
from tests.services.test_timers import AGENT
from tests.services.test_timers import timers_of


def test_completing_the_task_cancels_its_timer(tiny, tiny_api):
    ctx = tiny.extensions["aftersales"]
    instance = start_case(ctx, "tiny", None, AGENT)
    api = tiny_api("agent")
    [task] = api.get(f"/tasks?instance_id={instance.id}").json
    assert api.post(f"/tasks/{task['id']}/complete", json={"ok": True}).status_code == 200
    assert [s for _, s, _ in timers_of(ctx, instance.id)] == ["cancelled"]
    body = api.get(f"/instances/{instance.id}").json
    assert body["status"] == "completed" and body["next_timer_at"] is None
    assert body["data"]["result"] == "yes"
