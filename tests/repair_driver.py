"""Drives repair.bpmn cases through the HTTP API, as the user of each task's role would."""

from __future__ import annotations

from datetime import datetime
from datetime import timedelta
from typing import Any

from app.demo.repairs import ON_SITE
from app.demo.repairs import step_data
from tests.case_driver import CaseDriver

ROLE_USER = {
    "cs_agent": "agent",
    "dispatcher": "dispatcher",
    "technician": "tech_urban1",
    "supervisor": "supervisor",
    "qa": "qa",
    "finance": "finance",
    "mis": "mis",
    "executive": "executive",
    "customer": "tech_urban1",  # the customer's steps on the engineer's device, on their behalf
}
# The customer's callback answer, recorded on their behalf by the desk that phones them.
STEP_USER = {"callback_answer": "agent"}


def register(**overrides: Any) -> dict[str, Any]:
    """An out-of-warranty urban refrigerator (fee type A) unless overridden."""
    form = {
        "channel": "phone",
        "customer_name": "张伟 Zhang Wei",
        "customer_phone": "13800000001",
        "address": "北京市朝阳区建国路 88 号",
        "region": "urban",
        "product_category": "refrigeration",
        "product_model": "BCD-520W",
        "serial_no": "SN-FR-1001",
        "purchase_date": "2024-06-01",
        "warranty_evidence": "invoice",
        "tampered": False,
        "contract_no": "",
        "fault_description": "不制冷 / not cooling",
        "service_category": "repair",
        "urgency": "medium",
    }
    form.update(overrides)
    return form


# The on-site path's steps up to the diagnosis and up to the customer's acceptance.
TO_DIAGNOSIS = ON_SITE[: ON_SITE.index("diagnose_on_site")]
TO_ACCEPTANCE = ON_SITE[: ON_SITE.index("customer_acceptance")]

LATER = "2026-03-02T14:00:00+08:00"
# The happy path is the demo's (app/demo/repairs.py); the other branches' forms are here.
FORMS: dict[str, dict[str, Any]] = {
    **step_data(datetime.fromisoformat(LATER) - timedelta(hours=4)),
    "remote_support": {"answer": "指导用户重置温控器", "documents_sent": True, "resolved": True},
    "mail_parts": {"parts_mailed": [{"part_no": "SEAL-FR520", "qty": 2}], "carrier": "ems", "tracking_no": "EMS123"},
    "confirm_delivery": {"received": True, "pieces_ok": True, "appearance_ok": True},
    "supply_parts": {"parts_supply": "stock", "parts_expected_on": "2026-03-03"},
    "supervisor_parts_followup": {"action_taken": "已督促调度发货"},
    "rtf_receive": {"pickup_receipt_no": "PR-0001", "received_into_factory_at": "2026-03-02T14:00:00+08:00"},
    "rtf_repair": {"repair_outcome": "repaired", "rtf_parts": [{"part_no": "MB-7", "qty": 1}], "rtf_hours": 3},
    "qa_inspection": {"inspection_passed": True},
    "ship_back": {
        "carrier": "ems",
        "tracking_no_return": "EMS999",
        "shipped_at": "2026-03-02T14:00:00+08:00",
        "pickup_receipt_cancelled": True,
    },
    "ship_substitute": {
        "substitute_model": "BCD-520W",
        "substitute_serial_no": "SN-FR-9001",
        "carrier": "rail",
        "tracking_no_return": "RAIL-77",
        "shipped_at": "2026-03-02T14:00:00+08:00",
        "pickup_receipt_cancelled": True,
    },
    "agree_substitute": {"substitute_agreed": True, "substitute_notes": "同型号新机替换"},
    "supervisor_contact_followup": {"action_taken": "主管亲自致电客户"},
    "supervisor_late_arrival": {"customer_informed": True, "action_taken": "已致电客户致歉并催促工程师"},
    "supervisor_report_followup": {"action_taken": "已督促工程师当日提交"},
    "rtf_negotiate_delay": {"negotiation_result": "客户同意延期一周"},
    "approve_major_support": {"support_approved": True, "approval_notes": "同意，注意安全"},
    "commission_unit": {
        "work_type": "installation",
        "commissioning_record": "安装就位，通电试运行 2 小时，参数正常",
        "trial_run_ok": True,
        "labour_hours": 3,
    },
    "deliver_training": {
        "training_mode": "on_site",
        "topic": "日常维护与故障排查",
        "training_hours": 4,
        "attendees": 12,
        "materials_mailed": True,
        "materials_tracking_no": "EMS555",
    },
}


class RepairCase(CaseDriver):
    FORMS = FORMS
    ROLE_USER = ROLE_USER
    STEP_USER = STEP_USER

    def __init__(self, as_user, **register_overrides: Any) -> None:
        started = as_user("agent").post("/processes/repair/instances")
        assert started.status_code == 201, started.json
        super().__init__(as_user, started.json["id"])
        self.do("register_request", register(**register_overrides))

    def timers(self) -> list[tuple[str, str]]:
        return [(t["element_id"], t["status"]) for t in self.timer_rows()]
