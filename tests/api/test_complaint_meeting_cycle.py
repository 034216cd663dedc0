"""The monthly complaint statistics and meeting to its end (D-24, CP-03, CP-15): opened on the 1st with
the month before's complaint figures and callback results, analysed by sales and after-sales in
parallel, the meeting chased when not held within 14 days, its measures each with their owner and due
date, and the summary read by the general manager."""

from __future__ import annotations

from datetime import datetime

from app.domain.principal import Principal
from app.services.people.users import create_user
from app.services.planning import schedules
from app.services.timing.timer_firing import fire_due
from tests.case_driver import CaseDriver
from tests.complaint_driver import ComplaintCase
from tests.repair_driver import RepairCase

ADMIN = Principal("admin", frozenset({"admin"}))
MEASURES = [
    {"measure": "XQG100 密封圈来料全检", "owner": "production", "due_date": "2026-04-20"},
    {"measure": "回访话术培训", "owner": "supervisor", "due_date": "2026-05-31"},
]


class Meeting(CaseDriver):
    ROLE_USER = {"sales": "sales", "service_manager": "service_manager", "qa": "qa", "dept_head": "dept_head"}
    ROLE_USER |= {"executive": "executive"}
    FORMS = {
        "analyse_complaints": {
            "complaint_analysis": "质量类投诉集中在 XQG100",
            "typical_cases": [{"case_no": "CP-2026-000001", "lesson": "维修后仍漏水"}],
        },
        "analyse_callbacks": {"callback_analysis": "一次回访不满意：工程师态度"},
        "chase_meeting": {"meeting_chase_action": "督促品质部本周开会"},
        "hold_meeting": {
            "meeting_date": "2026-04-16",
            "attendees": ["qa", "production", "sales"],
            "minutes": "讨论 XQG100 漏水热点",
            "decisions": "来料全检；回访话术培训",
            "measures": MEASURES,
            "improvement_report": "典型案例：维修后仍漏水，改进密封圈检验",
        },
        "chase_measure": {"measure_chase_action": "督促生产部当日完成"},
        "report_to_gm": {"gm_read": True},
    }

    def tasks_of(self, element_id: str) -> list[dict]:
        tasks = self.as_user("admin").get(f"/tasks?instance_id={self.id}").json
        return [t for t in tasks if t["element_id"] == element_id]


def test_a_month_of_complaints_is_analysed_met_on_and_its_measures_tracked_to_the_general_manager(
    app, ctx, clock, as_user
):
    create_user(ctx, "sales", "sales", ["sales"])  # 销售部 (the tests' users have no sales member)
    ComplaintCase.registered(as_user, category="quality", urgency="high")
    repair = RepairCase(as_user, contract_no="MC-2025-001")
    repair.do("contact_customer", service_mode="remote")
    repair.do("remote_support")
    # a 2nd complaint, from the customer's callback answer
    repair.do("callback_answer", satisfied=False, satisfaction_score=30, callback_comments="工程师态度差")
    schedules.create_schedule(
        ctx,
        "meeting-test",
        "complaint_meeting",
        "R1/2026-04-01T09:00:00+08:00/P1M",
        {"compute": "complaint_month"},
        ADMIN,
    )
    clock.advance(datetime.fromisoformat("2026-04-01T09:01:00+08:00") - clock.now())
    assert fire_due(ctx).opened == 1
    with ctx.uow() as uow:
        [case] = [i for i in uow.instances.list(limit=100) if i.process_key == "complaint_meeting"]
    meeting = Meeting(as_user, case.id)
    data = meeting.data
    assert data["period"] == "2026-03" and data["statistics"]["total"] == 2
    assert {c["category"] for c in data["complaint_cases"]} == {"quality", ""}  # the callback's is not registered
    callbacks = data["callback_results"]
    assert (callbacks["callbacks"], callbacks["dissatisfied"], callbacks["average_score"]) == (1, 1, 30)
    assert callbacks["dissatisfied_comments"] == ["工程师态度差"]

    assert sorted(meeting.ready()) == ["analyse_callbacks", "analyse_complaints"]  # in parallel
    meeting.walk("analyse_complaints", "analyse_callbacks")
    clock.advance(datetime.fromisoformat("2026-04-15T09:02:00+08:00") - clock.now())
    assert fire_due(ctx).timers == 1  # no meeting within 14 days of the figures: chased
    assert sorted(meeting.ready()) == ["chase_meeting", "hold_meeting"]
    meeting.do("chase_meeting")
    typed = {**Meeting.FORMS["hold_meeting"], "measures": [{**MEASURES[0], "owner": "生产部 张工"}]}
    assert meeting.submit("hold_meeting", typed).status_code == 422  # an owner is one of the staff
    meeting.do("hold_meeting")

    tracked = {t["assignee"]: t for t in meeting.tasks_of("carry_out_measure")}
    assert sorted(tracked) == ["production", "supervisor"]  # each measure with its owner
    assert tracked["production"]["due_at"].startswith("2026-04-20T16:00")  # the end of its due date (UTC)
    clock.advance(datetime.fromisoformat("2026-04-21T00:00:01+08:00") - clock.now())
    assert fire_due(ctx).timers == 1 and len(meeting.tasks_of("chase_measure")) == 1
    done = {"measure_done_on": "2026-04-21", "measure_result": "已全检", "measure_done": True}
    for owner, task in tracked.items():
        assert as_user(owner).post(f"/tasks/{task['id']}/complete", json=done).status_code == 200
    meeting.do("chase_measure")
    meeting.do("report_to_gm")
    assert meeting.body["status"] == "completed" and meeting.completed_path()[-1] == "meeting_closed"
    assert [e["element_id"] for e in meeting.events("escalation")] == ["meeting_overdue", "measure_overdue"]
    late = {m["owner"]: m["late"] for m in meeting.data["measures_tracked"]}
    assert late == {"production": True, "supervisor": False}
