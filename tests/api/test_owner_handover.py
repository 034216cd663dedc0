"""Handover of a customer's service owner (D-29): announced with its date, the department leaders and
the new owner told a month ahead (chased when the current owner does not), confirmed by the new owner
on the day."""

from __future__ import annotations

from datetime import datetime
from datetime import timedelta

from app.services.timing.timer_firing import fire_due
from tests.api.test_workspace import session_for
from tests.case_driver import CaseDriver

START = {"customer_code": "C001", "customer_name": "北方精密机械有限公司", "handover_date": "2026-05-15"}


class Handover(CaseDriver):
    ROLE_USER = {"supervisor": "supervisor", "dept_head": "dept_head"}
    FORMS = {
        "notify_handover": {
            "new_owner": "service_manager",
            "department_leaders": ["dept_head", "executive"],
            "handover_items": "在办服务单 2 张；维保合同 MC-2025-001；联系人 王经理",
        },
        "chase_handover_notice": {"notice_chase_action": "督促原负责人当天告知"},
        "confirm_handover": {"handover_confirmed": True},
    }


def informed(as_user, username: str, case_id: int) -> list[str]:
    return [n["kind"] for n in as_user(username).get("/notifications").json if n["instance_id"] == case_id]


def test_the_handover_is_told_a_month_ahead_chased_and_confirmed_by_the_new_owner(app, ctx, clock, as_user):
    started = as_user("supervisor").post("/processes/owner_handover/instances", json=START)
    assert started.status_code == 201, started.json
    case = Handover(as_user, started.json["id"])
    [notice] = [t for t in case.timer_rows() if t["element_id"] == "wait_for_notice_day"]
    assert notice["due_at"].startswith("2026-04-14T16:00")  # 2026-04-15 00:00 in Shanghai: a month before
    assert case.data["notice_late"] is False and not case.ready()
    clock.advance(datetime.fromisoformat("2026-04-15T00:00:01+08:00") - clock.now())
    assert fire_due(ctx).timers == 1
    task = case.ready()["notify_handover"]
    assert task["assignee"] == "supervisor"  # the owner who announced it
    clock.advance(timedelta(days=2, seconds=1))
    assert fire_due(ctx).timers == 1 and "chase_handover_notice" in case.ready()  # not told within 2 days
    case.do("chase_handover_notice")
    typed = {**Handover.FORMS["notify_handover"], "new_owner": "服务经理 郭涛"}
    assert case.submit("notify_handover", typed).status_code == 422  # the new owner is one of the staff
    case.do("notify_handover")
    for told in ("service_manager", "dept_head", "executive"):
        assert "informed" in informed(as_user, told, case.id), told
    assert informed(as_user, "finance", case.id) == []
    clock.advance(datetime.fromisoformat("2026-05-15T00:00:01+08:00") - clock.now())
    assert fire_due(ctx).timers == 1
    confirm = case.ready()["confirm_handover"]
    assert confirm["assignee"] == "service_manager"  # the new owner, though not in the lane's role
    case.do("confirm_handover")
    assert case.body["status"] == "completed" and case.data["service_owner"] == "service_manager"
    assert [e["element_id"] for e in case.events("escalation")] == ["notify_overdue"]


def test_a_handover_announced_less_than_a_month_ahead_is_told_at_once_and_flagged_late(ctx, clock, as_user):
    started = as_user("supervisor").post(
        "/processes/owner_handover/instances", json={**START, "handover_date": "2026-03-20"}
    )
    case = Handover(as_user, started.json["id"])
    assert case.data["notice_late"] is True
    clock.advance(timedelta(seconds=1))
    fire_due(ctx)
    assert list(case.ready()) == ["notify_handover"]
    assert as_user("agent").post("/processes/owner_handover/instances", json=START).status_code == 403


def test_a_supervisor_announces_a_handover_from_the_browser(app):
    client, csrf = session_for(app, "supervisor")
    page = client.get("/inbox").get_data(as_text=True)
    assert 'value="owner_handover"' in page.split('id="start-case"')[1].split("</form>")[0]
    opened = client.post("/api/v1/processes/owner_handover/instances", json=START, headers=csrf)
    assert opened.status_code == 201
