"""Complaints for the demo, in every state and severity, driven through the real services."""

from __future__ import annotations

from typing import Any

from ..services.cases.opening import start_case
from ..services.context import ServiceContext
from ..services.people.users import principal_for
from .repairs import ADMIN
from .repairs import advance_case

COMPLAINT_FORMS: dict[str, dict[str, Any]] = {
    "clarify_facts": {"fault_party": "company", "within_authority": False, "clarification_notes": "电话核实"},
    "reply_and_close": {"reply_text": "经核实为承运商责任，已转交承运商处理"},
    "immediate_solution": {"solution": "当场补发配件"},
    "dept_head_review": {"report_approved": True, "review_notes": "同意转品质部调查"},
    "qa_investigation": {
        "responsible_department": "production",
        "root_cause": "密封圈批次不良",
        "responsibility_clear": True,
        "capa_proposal": "更换供应商，加强来料检验",
    },
    "handle_complaint": {
        "remedy": "replace",
        "actions": [
            {"action": "为客户更换整机", "kind": "corrective", "owner": "production", "due_date": "2026-12-31"},
            {"action": "密封圈来料全检", "kind": "preventive", "owner": "qa", "due_date": "2026-12-31"},
        ],
    },
    "approve_countermeasures": {"countermeasures_approved": True},
    "complete_action": {"action_done_on": "2026-03-04", "action_verification": "现场核实有效", "action_verified": True},
    "qa_sign_tracking": {"actions_verified": True, "tracking_signed_by": "品质部经理 朱军"},
    "feedback_customer": {"feedback_channel": "phone", "feedback_text": "已为您更换整机"},
    "confirm_feedback": {"customer_accepts": True},  # the complainant's answer
    "approve_closure": {"closure_approved": True},
    "gm_informed": {
        "gm_ack_notes": "成立应急小组",
        "emergency_team_needed": True,
        "emergency_team": ["qa", "production"],
    },
}

# (registration overrides, steps after registration, what the demo shows)
PLANS: list[tuple[dict[str, Any], list[str], str]] = [
    ({"category": "logistics", "severity": "complaint", "urgency": "low"}, [], "facts to clarify"),
    (
        {"category": "service", "severity": "general", "urgency": "medium"},
        ["clarify_facts", "dept_head_review"],
        "QA investigation within 24 h",
    ),
    (
        {"category": "quality", "severity": "serious", "urgency": "high", "product_model": "XQG100"},
        ["gm_informed"],
        "serious: service manager mediating",
    ),
    (
        {"category": "quality", "severity": "general", "urgency": "high", "product_model": "XQG100"},
        ["clarify_facts", "dept_head_review", "qa_investigation"],
        "department handling, 3 working days",
    ),
    (
        {"category": "price", "severity": "complaint", "urgency": "medium"},
        [
            "clarify_facts",
            "dept_head_review",
            "qa_investigation",
            "handle_complaint",
            "approve_countermeasures",
            "complete_action",
            "complete_action",
            "qa_sign_tracking",
            "feedback_customer",
            "confirm_feedback",
            "approve_closure",
        ],
        "resolved, 3-month callback pending",
    ),
    (
        {"category": "delivery", "severity": "complaint", "urgency": "low", "fault_party": "third_party"},
        [],
        "closed: carrier's fault",
    ),
]


def register_data(overrides: dict[str, Any]) -> dict[str, Any]:
    form = {
        "channel": "phone",
        "customer_name": "王秀英 Wang Xiuying",
        "customer_phone": "13800000002",
        "linked_case_no": "",
        "order_no": "",
        "product_model": "BCD-520W",
        "description": "维修后问题仍未解决 / the problem came back after the repair",
        "evidence": "",
        "category": "quality",
        "severity": "general",
        "urgency": "medium",
    }
    form.update({k: v for k, v in overrides.items() if k in form})
    return form


def open_demo_complaints(ctx: ServiceContext) -> list[str]:
    agent = principal_for(ctx, "agent") or ADMIN
    lines = []
    for overrides, steps, shows in PLANS:
        case = start_case(ctx, "complaint", {"channel": "phone"}, agent)
        forms = {**COMPLAINT_FORMS, "register_complaint": register_data(overrides)}
        if overrides.get("fault_party"):
            forms["clarify_facts"] = {**forms["clarify_facts"], "fault_party": overrides["fault_party"]}
            steps = ["clarify_facts", "reply_and_close"]
        advance_case(ctx, case.id, ["register_complaint", *steps], forms)
        lines.append(f"complaint {case.case_no}: {overrides['severity']}/{overrides['category']} — {shows}")
    return lines
