"""Drives complaint.bpmn cases through the HTTP API, as the user of each task's role would."""

from __future__ import annotations

from typing import Any

from app.demo.complaints import COMPLAINT_FORMS
from tests.case_driver import CaseDriver

ROLE_USER = {
    "cs_agent": "agent",
    "supervisor": "supervisor",
    "dept_head": "dept_head",
    "qa": "qa",
    "responsible_dept": "resp_dept",
    "production": "production",
    "sales": "sales",
    "finance": "finance",
    "service_manager": "service_manager",
    "executive": "executive",
    "customer": "agent",  # the complainant's steps recorded by the desk, on their behalf
}


def register(**overrides: Any) -> dict[str, Any]:
    form = {
        "channel": "phone",
        "customer_name": "王秀英",
        "customer_phone": "13800000002",
        "linked_case_no": "",
        "order_no": "",
        "product_model": "XQG100",
        "description": "洗衣机维修后仍漏水 / still leaking after the repair",
        "evidence": "",
        "category": "quality",
        "severity": "general",
        "urgency": "medium",
    }
    form.update(overrides)
    return form


# Shared with the demo (app/demo/complaints.py); the other branches' forms and the actions'
# due dates (inside the tests' March 2026) are here.
FORMS: dict[str, dict[str, Any]] = {
    **COMPLAINT_FORMS,
    "joint_review": {"joint_vote": "purchasing", "joint_opinion": "来料问题，责任在采购"},
    "gm_ruling": {"ruling": "由售后服务部负责", "responsible_department": "after_sales"},
    "handle_complaint": {
        "remedy": "replace",
        "actions": [
            {"action": "为客户更换整机", "kind": "corrective", "owner": "production", "due_date": "2026-03-05"},
            {"action": "密封圈来料全检", "kind": "preventive", "owner": "qa", "due_date": "2026-03-31"},
        ],
    },
    "propose_compensation": {
        "compensation_basis": "goodwill",
        "compensation_amount": 500,
        "compensation_reason": "多次上门给客户造成不便",
    },
    "approve_compensation": {"compensation_approved": True, "approved_amount": 500},
    "mediate": {"mediation_result": "客户接受补偿方案"},
    "callback_survey": {"recurred": False, "complainant_satisfied": True, "closure_decision": "close"},
    "confirm_feedback": {"customer_accepts": True},
    "record_feedback_answer": {"customer_accepts": True},
    "callback_by_phone": {"recurred": False, "complainant_satisfied": True, "closure_decision": "close"},
    "mediate_serious": {"mediation_serious_notes": "与客户代表面谈"},
    "register_followup": {"action_taken_register": "催促受理人登记"},
    "investigation_followup": {"action_taken_investigation": "督促品质部当日开始调查"},
    "escalate_to_service_manager": {"escalation_action_sm": "协调责任部门加急处理"},
    "escalate_to_gm": {"escalation_action_gm": "总经理召集会议"},
    "feedback_followup": {"action_taken_feedback": "督促立即反馈"},
    "action_overdue_followup": {"action_taken_overdue": "督促负责人当日完成"},
    "complete_action": {"action_done_on": "2026-03-04", "action_verification": "现场核实有效", "action_verified": True},
}


class ComplaintCase(CaseDriver):
    FORMS = FORMS
    ROLE_USER = ROLE_USER

    @classmethod
    def received(cls, as_user, **intake: Any) -> ComplaintCase:
        started = as_user("agent").post("/processes/complaint/instances", json=intake or {"channel": "phone"})
        assert started.status_code == 201, started.json
        return cls(as_user, started.json["id"])

    @classmethod
    def registered(cls, as_user, **overrides: Any) -> ComplaintCase:
        case = cls.received(as_user)
        case.do("register_complaint", register(**overrides))
        return case

    def track_actions(self, done_on: str = "2026-03-04") -> None:
        """Each action's owner completes its task (one per action) as done and verified."""
        for task in self.tasks_of("complete_action"):
            form = {"action_done_on": done_on, "action_verification": "现场核实有效", "action_verified": True}
            done = self.as_user(self.user_for(task)).post(f"/tasks/{task['id']}/complete", json=form)
            assert done.status_code == 200, done.json

    def sign_joint_review(self, votes: dict[str, str]) -> None:
        """Each department named signs its own joint-review task (its role's user), voting ``votes[dept]``."""
        for task in self.tasks_of("joint_review"):
            department = self.as_user("admin").get(f"/tasks/{task['id']}").json["data"]["joint_department"]
            form = {"joint_vote": votes[department], "joint_opinion": "会签意见"}
            done = self.as_user(self.user_for(task)).post(f"/tasks/{task['id']}/complete", json=form)
            assert done.status_code == 200, done.json

    def tasks_of(self, element_id: str) -> list[dict]:
        """Every ready task of one element (a multi-instance step has one per item)."""
        tasks = self.as_user("admin").get(f"/tasks?instance_id={self.id}").json
        return [t for t in tasks if t["element_id"] == element_id]

    def timers(self, status: str | None = "waiting") -> dict[str, dict]:
        return {t["element_id"]: t for t in self.timer_rows() if status is None or t["status"] == status}
