"""processes/refund.bpmn: a refund (D-17, W-07) due within 7 working days, approved and paid by
finance, the supervisor chasing it when late. Run from the repository root."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from small_process import Flow  # noqa: E402
from small_process import Node  # noqa: E402
from small_process import write  # noqa: E402


def form(task: str, instructions: str = "", clause: str = "") -> str:
    text = (
        f"<spiffworkflow:instructionsForEndUser>{instructions}</spiffworkflow:instructionsForEndUser>"
        if instructions
        else ""
    )
    extra = f'<spiffworkflow:property name="clause" value="{clause}" />' if clause else ""
    return (
        "      <bpmn:extensionElements>"
        f"{text}<spiffworkflow:properties>"
        f'<spiffworkflow:property name="formJsonSchemaFilename" value="forms/refund/{task}.json" />{extra}'
        "</spiffworkflow:properties></bpmn:extensionElements>"
    )


def timer(kind: str, clause: str, expression: str, timer_id: str) -> tuple[str, str]:
    ext = (
        "      <bpmn:extensionElements><spiffworkflow:properties>"
        f'<spiffworkflow:property name="timer_kind" value="{kind}" />'
        f'<spiffworkflow:property name="clause" value="{clause}" />'
        "</spiffworkflow:properties></bpmn:extensionElements>"
    )
    inner = (
        f'      <bpmn:timerEventDefinition id="{timer_id}">'
        f'<bpmn:timeDate xsi:type="bpmn:tFormalExpression">{expression}</bpmn:timeDate>'
        "</bpmn:timerEventDefinition>"
    )
    return ext, inner


SCRIPT = """      <bpmn:script>refund_reason = intake.get("reason")
linked_case_no = intake.get("linked_case_no", "")
customer_name = intake.get("customer_name", "")
customer_phone = intake.get("customer_phone", "")
requested_amount = intake.get("amount", 0)
refund_details = intake.get("details", "")
refund_due = add_working_days(received_at, 7)
refund_status = "open"</bpmn:script>"""

approval_ext, approval_timer = timer(
    "escalation", "D-17 / W-07: 7 working days", "str(refund_due)", "approval_overdue_timer"
)
payment_ext, payment_timer = timer(
    "escalation", "D-17 / W-07: 7 working days", "str(refund_due)", "payment_overdue_timer"
)

NODES = [
    Node(
        "refund_requested",
        "startEvent",
        "提出退款 / Refund requested",
        "lane_cs_agent",
        0,
        ext=(
            "      <bpmn:extensionElements><spiffworkflow:properties>"
            '<spiffworkflow:property name="formJsonSchemaFilename" value="forms/refund/start.json" />'
            "</spiffworkflow:properties></bpmn:extensionElements>"
        ),
        inner=(
            '      <bpmn:messageEventDefinition id="refund_requested_message" messageRef="refund_opened">'
            "<bpmn:extensionElements><spiffworkflow:messageVariable>intake</spiffworkflow:messageVariable>"
            "</bpmn:extensionElements></bpmn:messageEventDefinition>"
        ),
    ),
    Node(
        "set_refund_due",
        "scriptTask",
        "计算退款期限（7个工作日） / Set the refund deadline (7 working days)",
        "lane_cs_agent",
        1,
        ext=(
            "      <bpmn:extensionElements><spiffworkflow:properties>"
            '<spiffworkflow:property name="clause" value="D-17 / W-07" />'
            "</spiffworkflow:properties></bpmn:extensionElements>"
        ),
        inner=SCRIPT,
    ),
    Node(
        "approve_refund",
        "userTask",
        "审核退款 / Approve the refund",
        "lane_finance",
        2,
        ext=form(
            "approve_refund",
            "核对退款原因（客户取消、服务人员未按时到达、不满意且双方同意）和金额，批准或拒绝。 / Check the reason "
            "(cancelled by the customer, technician late, dissatisfied and both agree) and the amount; approve or refuse.",
            "D-17 / W-07",
        ),
    ),
    Node(
        "approval_overdue",
        "boundaryEvent",
        "退款逾期 / Refund overdue",
        "lane_finance",
        2,
        ext=approval_ext,
        inner=approval_timer,
        attached_to="approve_refund",
    ),
    Node(
        "gw_refund_approved",
        "exclusiveGateway",
        "批准退款? / Refund approved?",
        "lane_finance",
        3,
        attrs={"default": "flow_gw_refund_approved_to_notify_refund_refused"},
    ),
    Node(
        "pay_refund",
        "userTask",
        "支付退款 / Pay the refund",
        "lane_finance",
        4,
        ext=form(
            "pay_refund",
            "按批准金额退款，记录方式与凭证号。 / Pay the approved amount back; record how and the voucher no.",
            "D-17 / W-07",
        ),
    ),
    Node(
        "payment_overdue",
        "boundaryEvent",
        "退款逾期 / Refund overdue",
        "lane_finance",
        4,
        ext=payment_ext,
        inner=payment_timer,
        attached_to="pay_refund",
    ),
    Node("refund_paid", "endEvent", "已退款 / Refund paid", "lane_finance", 5),
    Node(
        "notify_refund_refused",
        "userTask",
        "告知客户不予退款 / Tell the customer the refund is refused",
        "lane_cs_agent",
        4,
        ext=form("notify_refund_refused"),
    ),
    Node("refund_refused", "endEvent", "不予退款 / Refund refused", "lane_cs_agent", 5),
    Node(
        "supervisor_refund_followup",
        "userTask",
        "主管督办逾期退款 / Supervisor chases the overdue refund",
        "lane_supervisor",
        3.5,
        ext=form("supervisor_refund_followup"),
    ),
    Node("refund_followup_done", "endEvent", "督办完成 / Follow-up done", "lane_supervisor", 5),
]

FLOWS = [
    Flow("flow_refund_requested_to_set_refund_due", "refund_requested", "set_refund_due"),
    Flow("flow_set_refund_due_to_approve_refund", "set_refund_due", "approve_refund"),
    Flow("flow_approve_refund_to_gw_refund_approved", "approve_refund", "gw_refund_approved"),
    Flow(
        "flow_gw_refund_approved_to_pay_refund",
        "gw_refund_approved",
        "pay_refund",
        "批准 / Approved",
        "refund_approved == True",
    ),
    Flow(
        "flow_gw_refund_approved_to_notify_refund_refused",
        "gw_refund_approved",
        "notify_refund_refused",
        "拒绝 / Refused",
    ),
    Flow("flow_pay_refund_to_refund_paid", "pay_refund", "refund_paid"),
    Flow("flow_notify_refund_refused_to_refund_refused", "notify_refund_refused", "refund_refused"),
    Flow("flow_approval_overdue_to_supervisor_refund_followup", "approval_overdue", "supervisor_refund_followup"),
    Flow("flow_payment_overdue_to_supervisor_refund_followup", "payment_overdue", "supervisor_refund_followup"),
    Flow(
        "flow_supervisor_refund_followup_to_refund_followup_done", "supervisor_refund_followup", "refund_followup_done"
    ),
]

LANES = [
    ("lane_cs_agent", "客服专员 / Customer service agent"),
    ("lane_finance", "财务 / Finance"),
    ("lane_supervisor", "服务主管 / Service supervisor"),
]

if __name__ == "__main__":
    write("processes/refund.bpmn", "refund", "退款 / Refund", LANES, NODES, FLOWS, ["refund_opened"])
