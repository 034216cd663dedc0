"""A task past its deadline stays due at that deadline and shows as overdue, after its escalation fired too."""

from __future__ import annotations

from datetime import datetime
from datetime import timedelta

from app.domain.principal import Principal
from app.services.cases.opening import start_case
from app.services.timing.timer_firing import fire_due_timers
from tests.api.test_web import login

AGENT = Principal("agent", frozenset({"cs_agent"}))


def _overdue_ids(api) -> list[str]:
    response = api("agent").get("/tasks?overdue=1")
    assert response.status_code == 200
    return [t["element_id"] for t in response.get_json()]


def test_a_task_keeps_its_passed_deadline_after_the_escalation_fired(tiny, tiny_api, clock):
    ctx = tiny.extensions["aftersales"]
    instance = start_case(ctx, "tiny", None, AGENT)
    deadline = clock.now() + timedelta(hours=24)
    assert _overdue_ids(tiny_api) == []

    clock.advance(timedelta(hours=25))
    assert fire_due_timers(ctx).timers == 1  # the 24 h escalation
    with ctx.uow() as uow:
        [task] = [t for t in uow.tasks.for_instance(instance.id, status="ready") if t.element_id == "do_it"]
    assert task.due_at == deadline  # not "—", not the next timer
    assert _overdue_ids(tiny_api) == ["do_it"]

    clock.advance(timedelta(days=90))
    fire_due_timers(ctx)
    [listed] = [t for t in tiny_api("agent").get("/tasks").get_json() if t["element_id"] == "do_it"]
    assert datetime.fromisoformat(listed["due_at"]) == deadline
    assert _overdue_ids(tiny_api) == ["do_it"]

    client = tiny.test_client()
    login(client, "agent")
    page = client.get("/inbox?overdue=1&tab=group").get_data(as_text=True) + client.get(
        "/inbox?overdue=1&tab=mine"
    ).get_data(as_text=True)
    assert "做事" in page and "已逾期 3个月" in page  # red, and by how long

    [task_id] = [t["id"] for t in tiny_api("agent").get("/tasks").get_json() if t["element_id"] == "do_it"]
    task_page = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "badge-overdue" in task_page
