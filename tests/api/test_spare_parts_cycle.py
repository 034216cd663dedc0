"""The spare-parts plan to its end (seed 000 §4.4.3, D-20, G-07): each service branch of the master
data is asked in its own task, a branch silent after 14 days is chased, the 08-31 deadline is armed
when the plan opens (silent branches cannot keep it from firing), and the approved plan goes to
production."""

from __future__ import annotations

from datetime import datetime

from app.domain.principal import Principal
from app.services.planning import schedules
from app.services.planning.start_figures import start_data
from app.services.timing.timer_firing import fire_due
from tests.case_driver import CaseDriver

ADMIN = Principal("admin", frozenset({"admin"}))
NEED = {"part_no": "CMP-01", "part_name": "压缩机", "quantity": 4, "justification": "去年用量"}
LINE = {"part_no": "CMP-01", "part_name": "压缩机", "quantity": 4, "unit_price": 800}


class PartsPlan(CaseDriver):
    ROLE_USER = {"supervisor": "supervisor", "mis": "mis", "executive": "executive", "production": "admin"}
    FORMS = {
        "chase_branches": {"chase_notes": "电话催办"},
        "parts_plan_followup": {"parts_followup_action": "督促分部当日提报"},
    }

    def branch_tasks(self) -> list[dict]:
        tasks = self.as_user("admin").get(f"/tasks?instance_id={self.id}").json
        return [t for t in tasks if t["element_id"] == "collect_branch_input"]

    def answer(self, task: dict, needs: list[dict]) -> None:
        done = self.as_user("supervisor").post(
            f"/tasks/{task['id']}/complete", json={"branch_reply": {"needs": needs, "notes": ""}}
        )
        assert done.status_code == 200, done.json


def opened_plan(ctx, clock, as_user, branches: list[str]) -> PartsPlan:
    data = {"branches": branches}
    schedules.create_schedule(ctx, "parts-test", "spare_parts_plan", "R1/2026-07-01T09:00:00+08:00/P1Y", data, ADMIN)
    clock.advance(datetime.fromisoformat("2026-07-01T09:01:00+08:00") - clock.now())
    assert fire_due(ctx).opened == 1
    with ctx.uow() as uow:
        [plan] = [i for i in uow.instances.list(limit=100) if i.process_key == "spare_parts_plan"]
    return PartsPlan(as_user, plan.id)


def advance_to(ctx, clock, moment: str) -> None:
    clock.advance(datetime.fromisoformat(moment) - clock.now())
    fire_due(ctx)


def test_each_branch_answers_in_its_own_task_and_the_silent_one_is_chased_then_escalated(app, ctx, clock, as_user):
    plan = opened_plan(ctx, clock, as_user, ["北区 North", "南区 South"])
    tasks = plan.branch_tasks()
    assert len(tasks) == 2 and {t["candidate_roles"][0] for t in tasks} == {"supervisor"}
    plan.answer(tasks[0], [NEED])
    advance_to(ctx, clock, "2026-07-15T09:02:00+08:00")  # 14 days: the other branch is chased
    assert "chase_branches" in plan.ready() and len(plan.branch_tasks()) == 1
    plan.do("chase_branches")
    advance_to(ctx, clock, "2026-08-31T17:31:00+08:00")  # still silent on the deadline: the leader is told
    assert "parts_plan_followup" in plan.ready()
    plan.do("parts_plan_followup")
    [silent] = plan.branch_tasks()
    plan.answer(silent, [])  # the south branch needs nothing
    assert plan.data["branch_inputs"] == [{**NEED, "branch": "北区 North"}]
    assert plan.data["branches_without_needs"] == ["南区 South"]
    plan.do("draft_parts_plan", {"plan_lines": [LINE], "total_budget": 3200})
    plan.do("approve_parts_plan", {"parts_plan_approved": True})
    plan.do("hand_to_production", {"production_order_no": "PO-1", "production_start": "2026-10-08"})
    assert list(plan.ready()) == ["parts_plan_followup"]  # the draft came after 08-31 too: followed up
    plan.do("parts_plan_followup")
    assert plan.body["status"] == "completed"


def test_branches_that_answer_in_time_leave_no_deadline_waiting(app, ctx, clock, as_user):
    plan = opened_plan(ctx, clock, as_user, ["北区 North"])
    [task] = plan.branch_tasks()
    plan.answer(task, [NEED])
    assert [t["element_id"] for t in plan.timer_rows() if t["status"] == "waiting"] == ["parts_plan_overdue"]
    plan.do("draft_parts_plan", {"plan_lines": [LINE], "total_budget": 3200})
    plan.do("approve_parts_plan", {"parts_plan_approved": True})
    plan.do("hand_to_production", {"production_order_no": "PO-1", "production_start": "2026-10-08"})
    assert plan.body["status"] == "completed"
    assert [t for t in plan.timer_rows() if t["status"] == "waiting"] == []


def test_the_branches_asked_are_the_service_branches_of_the_technicians_records(app, ctx, clock, as_user):
    with ctx.uow() as uow:
        expected = sorted({t.branch for t in uow.master.technicians()})
    assert expected
    with ctx.uow() as uow:
        data = start_data(uow, ctx.calendar.tz, {"compute": "service_branches", "branches": ["x"]}, clock.now())
    assert data["branches"] == expected
