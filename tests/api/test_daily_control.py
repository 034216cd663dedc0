"""The working day's controls (seed 003 §15–18, §24): opinion cards for every call the next day (D-08),
yesterday's open work dispatched first (D-07, F-14), technician → director → manager daily reports (F-15)."""

from __future__ import annotations

from datetime import timedelta

from app.services.planning.default_schedules import ensure_default_schedules
from app.services.timing.timer_firing import fire_due
from tests.case_driver import CaseDriver
from tests.repair_driver import RepairCase

DAILY = "每日服务管控 / Daily service control (every day at 18:00)"


class DailyControl(CaseDriver):
    ROLE_USER = {"cs_agent": "agent", "dispatcher": "dispatcher", "supervisor": "supervisor", "dept_head": "dept_head"}
    FORMS = {
        "send_opinion_cards": {"cards_sent": 2, "every_call_covered": True, "sent_on": "2026-03-03"},
        "priority_dispatch": {"dispatched_first": True},
        "technician_daily_report": {
            "jobs": [{"job_type": "冰箱维修 / fridge repair", "hours": 2.5}],
            "hours_worked": 7,
        },
        "director_daily_report": {"categories_summary": "维修 1 单，用时 2.5 小时", "total_hours": 7},
        "manager_sign_daily": {"daily_report_signed": True},
        "chase_opinion_cards": {"followup_action": "已督促当日寄出"},
        "chase_priority_dispatch": {"followup_action": "主管亲自派工"},
    }


def _until(case: RepairCase, element_id: str) -> None:
    """Work the case's steps in whatever order the diagram asks until ``element_id`` is ready."""
    for _ in range(10):
        ready = case.ready()
        if element_id in ready:
            return
        case.do(next(e for e in ready if e in case.FORMS and not e.startswith("supervisor_")))
    raise AssertionError(f"{element_id} never became ready")


def _daily_case(as_user) -> DailyControl:
    (row,) = [i for i in as_user("admin").get("/instances?process_key=daily_control").json]
    return DailyControl(as_user, row["id"])


def test_the_day_closes_into_its_controls_and_the_reports_go_up_to_the_manager(app, ctx, clock, as_user):
    ensure_default_schedules(ctx)
    visited = RepairCase(as_user)
    _until(visited, "record_arrival")
    visited.do("record_arrival")  # the technician worked today
    waiting = RepairCase(as_user, customer_name="李娜 Li Na", serial_no="SN-FR-1002")
    _until(waiting, "dispatch_notice")  # not dispatched today
    clock.advance(timedelta(hours=9, seconds=1))  # 18:00 Beijing
    fire_due(ctx)
    daily = _daily_case(as_user)
    data = daily.data
    assert data["control_day"] == "2026-03-02"
    assert sorted(c["case_id"] for c in data["calls"]) == sorted([visited.id, waiting.id])  # every call, no sampling
    assert [u["case_id"] for u in data["undispatched"]] == [waiting.id]
    assert data["technicians_today"] == ["tech_urban1"]
    assert {(w["technician"], w["case_id"]) for w in data["work_today"]} == {("tech_urban1", visited.id)}
    ready = daily.ready()
    assert set(ready) == {"send_opinion_cards", "priority_dispatch", "technician_daily_report"}
    assert ready["technician_daily_report"]["assignee"] == "tech_urban1"
    # the opinion card list and the open work are shown on their forms
    form = as_user("agent").get(f"/tasks/{ready['send_opinion_cards']['id']}").json["form"]
    assert len(form["properties"]["calls"]["default"]) == 2
    sampled = {**DailyControl.FORMS["send_opinion_cards"], "every_call_covered": False}
    refused = daily.submit("send_opinion_cards", sampled)
    assert refused.status_code == 422  # a sampled round is not a round
    daily.walk("send_opinion_cards", "priority_dispatch")
    daily.do("technician_daily_report")
    daily.do("director_daily_report")
    returned = daily.submit("manager_sign_daily", {"daily_report_signed": False})
    assert returned.status_code == 422 and "sign_comment" in returned.json["fields"]  # a return says why
    daily.do("manager_sign_daily", {"daily_report_signed": False, "sign_comment": "工时与记录不符"})
    assert "director_daily_report" in daily.ready()  # back to the director, not ended
    daily.walk("director_daily_report", "manager_sign_daily")
    body = daily.body
    assert body["status"] == "completed"
    (report,) = body["data"]["technician_reports"]
    assert report["technician"] == "tech_urban1" and report["hours_worked"] == 7


def test_next_day_deadlines_escalate_the_open_work_and_the_cards(app, ctx, clock, as_user):
    ensure_default_schedules(ctx)
    waiting = RepairCase(as_user)
    _until(waiting, "dispatch_notice")
    clock.advance(timedelta(hours=9, seconds=1))  # Monday 18:00
    fire_due(ctx)
    daily = _daily_case(as_user)
    assert set(daily.ready()) == {"send_opinion_cards", "priority_dispatch"}  # nobody worked: no daily reports
    clock.advance(timedelta(hours=16, minutes=29))  # Tuesday 10:29: still in time
    fire_due(ctx)
    assert "chase_priority_dispatch" not in daily.ready()
    clock.advance(timedelta(minutes=2))  # Tuesday 10:31: two working hours into the next day
    fire_due(ctx)
    assert set(daily.ready()) == {"send_opinion_cards", "priority_dispatch", "chase_priority_dispatch"}
    clock.advance(timedelta(hours=7))  # Tuesday 17:31: the next working day is over
    fire_due(ctx)
    assert "chase_opinion_cards" in daily.ready()
    escalations = {e["element_id"] for e in daily.events("escalation")}
    assert escalations == {"priority_dispatch_overdue", "opinion_cards_overdue"}
    daily.walk("chase_priority_dispatch", "chase_opinion_cards", "priority_dispatch", "send_opinion_cards")
    assert daily.body["status"] == "completed"


def test_a_quiet_day_closes_without_tasks(app, ctx, clock, as_user):
    ensure_default_schedules(ctx)
    clock.advance(timedelta(hours=9, seconds=1))
    fire_due(ctx)
    daily = _daily_case(as_user)
    assert daily.body["status"] == "completed" and daily.ready() == {}
