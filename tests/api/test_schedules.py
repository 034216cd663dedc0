"""Recurring starts: once per period, with two workers, after downtime; plans schedule cases ahead."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from app.domain.principal import Principal
from app.services.cases.opening import start_case
from app.services.planning import schedules
from app.services.timing.timer_firing import fire_due
from tests.conftest import make_app
from tests.diagrams import TINY_STARTING

ADMIN = Principal("admin", frozenset({"admin"}))
AGENT = Principal("agent", frozenset({"cs_agent"}))


@pytest.fixture
def tiny(app_with_diagram):
    """TINY with a start form: the schedules here open cases with data (``kind``, ``visit``)."""
    return app_with_diagram(TINY_STARTING, ("admin", "agent", "supervisor", "auditor", "dispatcher"))


def cases_of(ctx) -> list:
    with ctx.uow() as uow:
        return sorted(uow.instances.list(limit=1000), key=lambda i: i.id)


def scheduled_for(ctx) -> list[str]:
    return [c.data.get("scheduled_for", "")[:10] for c in cases_of(ctx)]


def test_a_monthly_schedule_opens_one_case_per_month_across_a_year(tiny, clock):
    ctx = tiny.extensions["aftersales"]
    schedule = schedules.create_schedule(ctx, "monthly report", "tiny", "R/2026-03-05T09:00:00+08:00/P1M", {}, ADMIN)
    assert schedule.next_run_at.isoformat().startswith("2026-03-05T01:00")
    for _ in range(365):
        clock.advance(timedelta(days=1))
        fire_due(ctx)
    assert scheduled_for(ctx) == [f"{2026 + (m > 12)}-{(m - 1) % 12 + 1:02d}-05" for m in range(3, 15)]
    assert all(c.started_by == "system:schedule" for c in cases_of(ctx))
    [row] = schedules.list_schedules(ctx, ADMIN)
    assert row.runs == 12 and row.next_run_at.isoformat().startswith("2027-03-05")


def test_missed_periods_are_caught_up_after_downtime_each_with_its_own_date(tiny, clock):
    ctx = tiny.extensions["aftersales"]
    schedules.create_schedule(ctx, "quarterly KPI", "tiny", "R/2026-04-01T09:00:00+08:00/P3M", {"kind": "kpi"}, ADMIN)
    clock.advance(timedelta(days=300))  # down from March to late December
    assert fire_due(ctx).opened == 3
    assert scheduled_for(ctx) == ["2026-04-01", "2026-07-01", "2026-10-01"]
    assert {c.data["intake"] if "intake" in c.data else c.data["kind"] for c in cases_of(ctx)} == {"kpi"}
    assert fire_due(ctx).opened == 0


def test_two_workers_open_each_period_once(tiny, clock, database_url, tmp_path):
    ctx = tiny.extensions["aftersales"]
    for n in range(5):
        schedules.create_schedule(ctx, f"daily {n}", "tiny", "R/2026-03-02T17:30:00+08:00/P1D", {}, ADMIN)
    other = make_app(database_url, clock, tmp_path / "processes")
    clock.advance(timedelta(days=2))  # two occurrences each are due
    barrier, reports = threading.Barrier(2), []

    def worker(context):
        barrier.wait()
        reports.append(fire_due(context).opened)

    threads = [threading.Thread(target=worker, args=(c,)) for c in (ctx, other.extensions["aftersales"])]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(reports) == 10 and len(cases_of(ctx)) == 10
    other.extensions["aftersales.db"].dispose()


def test_admins_pause_resume_and_change_schedules_and_others_may_not(tiny, clock, tiny_api):
    ctx = tiny.extensions["aftersales"]
    created = tiny_api("admin").post(
        "/schedules", json={"name": "weekly", "process_key": "tiny", "rule": "R/2026-03-03T09:00:00+08:00/P1W"}
    )
    assert created.status_code == 201 and created.json["enabled"] is True
    schedule_id = created.json["id"]
    assert tiny_api("agent").get("/schedules").status_code == 403
    assert tiny_api("auditor").get("/schedules").status_code == 200
    bad = tiny_api("admin").post("/schedules", json={"name": "x", "process_key": "tiny", "rule": "every monday"})
    assert bad.status_code == 422 and "rule" in bad.json["fields"]
    assert (
        tiny_api("admin")
        .post("/schedules", json={"name": "y", "process_key": "nope", "rule": "R/2026-03-03T09:00:00+08:00/P1W"})
        .status_code
        == 422
    )
    admin = tiny_api("admin")
    paused = admin.client.patch(f"/api/v1/schedules/{schedule_id}", json={"enabled": False}, headers=admin._headers())
    assert paused.json["enabled"] is False
    clock.advance(timedelta(days=15))
    assert fire_due(ctx).opened == 0
    moved = admin.client.patch(
        f"/api/v1/schedules/{schedule_id}",
        json={"enabled": True, "rule": "R/2026-03-20T09:00:00+08:00/P1W"},
        headers=admin._headers(),
    )
    assert moved.json["next_run_at"].startswith("2026-03-20T01:00")
    clock.advance(timedelta(days=6))
    assert fire_due(ctx).opened == 1


def test_a_one_off_schedule_in_the_past_runs_at_once_and_then_stops(tiny, clock):
    ctx = tiny.extensions["aftersales"]
    schedules.create_schedule(ctx, "late item", "tiny", "2026-02-20T09:00:00+08:00", {}, ADMIN)
    clock.advance(timedelta(seconds=1))
    assert fire_due(ctx).opened == 1
    [row] = schedules.list_schedules(ctx, ADMIN)
    assert row.enabled is False and row.next_run_at is None
    clock.advance(timedelta(days=400))
    assert fire_due(ctx).opened == 0


PLANNER = (
    TINY_STARTING.replace(
        '<bpmn:endEvent id="finish" name="结束 / Finish"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>',
        '<bpmn:endEvent id="finish" name="排程 / Schedule the visits"><bpmn:incoming>f3</bpmn:incoming>'
        '<bpmn:messageEventDefinition id="plan_msg" messageRef="schedule_starts"><bpmn:extensionElements>'
        '<spiffworkflow:messagePayload>{"starts": [{"process_key": "tiny", "at": d, "data": {"visit": i}}'
        " for i, d in enumerate(visit_dates)]}</spiffworkflow:messagePayload>"
        "</bpmn:extensionElements></bpmn:messageEventDefinition></bpmn:endEvent>",
    )
    .replace(
        '<bpmn:collaboration id="collab_tiny">',
        '<bpmn:message id="schedule_starts" name="schedule_starts"/>\n  <bpmn:collaboration id="collab_tiny">',
    )
    .replace(
        'result = "yes" if ok else "no"',
        'visit_dates = ["2026-04-01T09:00:00+08:00", "2026-06-01T09:00:00+08:00"]',
    )
)


@pytest.fixture
def planner(app_with_diagram):
    return app_with_diagram(PLANNER).extensions["aftersales"]


def test_a_plan_schedules_its_cases_ahead_without_a_waiting_instance(planner, clock):
    from app.services.tasks.work import complete_task
    from app.services.tasks.work import list_tasks

    ctx = planner
    plan = start_case(ctx, "tiny", None, AGENT)
    [(task, _)] = list_tasks(ctx, AGENT, instance_id=plan.id)
    complete_task(ctx, task.id, {"ok": True}, AGENT)
    with ctx.uow() as uow:
        assert uow.instances.get(plan.id).status == "completed"
        events = [e for e in uow.events.for_instance(plan.id) if e.type == "cases_planned"]
    assert [s["at"][:10] for s in events[0].data["schedules"]] == ["2026-04-01", "2026-06-01"]
    clock.advance(timedelta(days=31))
    assert fire_due(ctx).opened == 1
    clock.advance(timedelta(days=62))
    assert fire_due(ctx).opened == 1
    opened = [c for c in cases_of(ctx) if c.id != plan.id]
    assert [(c.parent_id, c.data["visit"]) for c in opened] == [(plan.id, 0), (plan.id, 1)]
