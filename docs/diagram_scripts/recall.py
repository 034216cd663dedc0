"""processes/recall.bpmn: a batch defect (W-08, 三包 repair/replace/refund) — QA defines the batch,
the company leader approves, and a service case opens for every affected unit on record."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from refund import form  # noqa: E402
from small_process import Flow  # noqa: E402
from small_process import Node  # noqa: E402
from small_process import write  # noqa: E402

SCRIPT = """      <bpmn:script>recall_starts = [{"process_key": "repair", "at": now(), "data": {"recall_case_no": case_no, "recall_action": recall_action, "recall_serial_no": unit["serial_no"], "customer_name": unit["customer_name"] or unit["serial_no"], "product_category": unit["product_category"], "service_category": "repair", "description": defect_description}} for unit in affected_units]
recalled_units = len(recall_starts)</bpmn:script>"""

SCHEDULE = (
    '      <bpmn:messageEventDefinition id="recall_cases_opened_message" messageRef="schedule_starts">'
    "<bpmn:extensionElements>"
    '<spiffworkflow:messagePayload>{"starts": recall_starts}</spiffworkflow:messagePayload>'
    "</bpmn:extensionElements></bpmn:messageEventDefinition>"
)


def forms(task: str, instructions: str, clause: str) -> str:
    return form(task, instructions, clause).replace("forms/refund/", "forms/recall/")


NODES = [
    Node("batch_defect_found", "startEvent", "发现批次缺陷 / Batch defect found", "lane_qa", 0),
    Node(
        "define_recall",
        "userTask",
        "确定缺陷与召回范围 / Define the defect and the units recalled",
        "lane_qa",
        1,
        ext=forms(
            "define_recall",
            "按型号和批次（购买日期区间、序列号前缀）确定受影响的机器；系统按主数据列出机器。三包：包修、包换、包退。"
            " / Name the batch by model, purchase window and serial prefix; the system lists the units on record."
            " 三包 means repair, replace or refund.",
            "W-08",
        ),
    ),
    Node(
        "approve_recall",
        "userTask",
        "公司领导批准召回 / Company leader approves the recall",
        "lane_executive",
        2,
        ext=forms(
            "approve_recall",
            "批准后向客户公开缺陷，并为每台受影响的机器开立服务单。 / Once approved the defect is disclosed and a"
            " service case opens for every affected unit.",
            "W-08",
        ),
    ),
    Node(
        "gw_recall_approved",
        "exclusiveGateway",
        "批准召回? / Recall approved?",
        "lane_executive",
        3,
        attrs={"default": "flow_gw_recall_approved_to_recall_rejected"},
    ),
    Node(
        "plan_recall_cases",
        "scriptTask",
        "为每台机器开服务单 / Open a service case per unit",
        "lane_qa",
        4,
        inner=SCRIPT,
    ),
    Node("recall_cases_opened", "endEvent", "召回服务单已开立 / Recall cases opened", "lane_qa", 5, inner=SCHEDULE),
    Node("recall_rejected", "endEvent", "不召回 / No recall", "lane_executive", 5),
]

FLOWS = [
    Flow("flow_batch_defect_found_to_define_recall", "batch_defect_found", "define_recall"),
    Flow("flow_define_recall_to_approve_recall", "define_recall", "approve_recall"),
    Flow("flow_approve_recall_to_gw_recall_approved", "approve_recall", "gw_recall_approved"),
    Flow(
        "flow_gw_recall_approved_to_plan_recall_cases",
        "gw_recall_approved",
        "plan_recall_cases",
        "批准 / Approved",
        "recall_approved == True",
    ),
    Flow(
        "flow_gw_recall_approved_to_recall_rejected", "gw_recall_approved", "recall_rejected", "不批准 / Not approved"
    ),
    Flow("flow_plan_recall_cases_to_recall_cases_opened", "plan_recall_cases", "recall_cases_opened"),
]

LANES = [("lane_qa", "质量部 / Quality assurance"), ("lane_executive", "公司领导 / Company leader")]

if __name__ == "__main__":
    write(
        "processes/recall.bpmn",
        "recall",
        "批次缺陷与召回（三包） / Batch defect and recall (三包)",
        LANES,
        NODES,
        FLOWS,
        ["schedule_starts"],
    )
