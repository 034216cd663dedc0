"""A batch defect (W-08, 三包): QA names the batch, the system lists its units from the master data,
the company leader approves, and a service case opens for every affected unit."""

from __future__ import annotations

from datetime import timedelta

from app.services.planning.schedules import fire_due_schedules
from tests.case_driver import CaseDriver
from tests.repair_driver import FORMS as REPAIR_FORMS
from tests.repair_driver import ROLE_USER as REPAIR_USERS
from tests.repair_driver import register

BATCH = {  # three more BCD-520W fridges on record besides the demo's SN-FR-1001 (bought 120 days before)
    "SN-FR-7001": "2025-06-01",
    "SN-FR-7002": "2025-07-15",
    "SN-FR-8001": "2025-07-20",
}


class RecallCase(CaseDriver):
    FORMS = {
        "define_recall": {
            "defect_description": "温控器批次缺陷，压缩机频繁启停 / thermostat batch defect",
            "recall_model": "bcd-520w",
            "purchased_from": "2025-06-01",
            "purchased_to": "2025-08-31",
            "serial_prefix": "SN-FR-7",
            "recall_action": "replace",
        },
        "approve_recall": {"recall_approved": True},
    }
    ROLE_USER = {"qa": "qa", "executive": "executive"}

    def __init__(self, as_user) -> None:
        opened = as_user("qa").post("/processes/recall/instances")
        assert opened.status_code == 201, opened.json
        super().__init__(as_user, opened.json["id"])


def add_units(as_user) -> None:
    for serial, bought in BATCH.items():
        unit = {
            "serial_no": serial,
            "customer_code": "C001",
            "product_category": "refrigeration",
            "model": "BCD-520W",
            "purchase_date": bought,
        }
        assert as_user("agent").post("/master/units", json=unit).status_code == 201


def test_an_approved_recall_opens_a_service_case_for_every_affected_unit_on_record(app, clock, as_user):
    add_units(as_user)
    recall = RecallCase(as_user)
    recall.do("define_recall", affected_units=[{"serial_no": "TYPED-IN"}])  # the list is the system's
    assert [u["serial_no"] for u in recall.data["affected_units"]] == ["SN-FR-7001", "SN-FR-7002"]
    approval = recall.ready()["approve_recall"]
    shown = as_user("executive").get(f"/tasks/{approval['id']}").json["form"]["properties"]
    assert [u["serial_no"] for u in shown["affected_units"]["const"]] == ["SN-FR-7001", "SN-FR-7002"]
    recall.do("approve_recall")
    assert recall.body["status"] == "completed" and recall.completed_path()[-1] == "recall_cases_opened"
    assert recall.data["recalled_units"] == 2
    clock.advance(timedelta(seconds=1))  # the scheduler's next round
    assert fire_due_schedules(app.extensions["aftersales"]) == 2
    opened = [c for c in as_user("admin").get("/instances?process_key=repair").json if c["data"].get("recall_case_no")]
    assert sorted(c["data"]["recall_serial_no"] for c in opened) == ["SN-FR-7001", "SN-FR-7002"]
    case = opened[0]["data"]
    assert (case["recall_case_no"], case["recall_action"]) == (recall.body["case_no"], "replace")
    assert case["customer_name"] and case["product_category"] == "refrigeration"
    links = recall.body["links"]
    assert len([link for link in links if link["relation"] == "opened"]) == 2
    repair = CaseDriver(as_user, opened[0]["id"])
    repair.FORMS, repair.ROLE_USER = REPAIR_FORMS, REPAIR_USERS
    repair.do("register_request", register(serial_no=case["recall_serial_no"], warranty_evidence="none"))
    assert (repair.data["fee_type"], repair.data["to_be_charged"]) == ("C", False)  # no proof, still free (W-08)


def test_a_recall_not_approved_opens_nothing(app, clock, as_user):
    recall = RecallCase(as_user)
    whole_model = {
        k: v for k, v in RecallCase.FORMS["define_recall"].items() if k not in ("purchased_from", "purchased_to")
    }
    recall.do("define_recall", {**whole_model, "serial_prefix": ""})
    assert [u["serial_no"] for u in recall.data["affected_units"]] == ["SN-FR-1001"]  # the whole model
    recall.do("approve_recall", recall_approved=False)
    assert recall.completed_path()[-1] == "recall_rejected"
    clock.advance(timedelta(seconds=1))
    assert fire_due_schedules(app.extensions["aftersales"]) == 0


def test_only_qa_opens_a_recall(as_user):
    assert as_user("agent").post("/processes/recall/instances").status_code == 403
