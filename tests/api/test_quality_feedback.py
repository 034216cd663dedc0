"""Field quality feedback (F-12, 用户信息反馈/处理表): ticking quality feedback on the service form opens
QA's feedback case (quality_feedback.bpmn: record, analyse, measures, close), linked to the repair
case, which goes on to the acceptance; QA's reports list the feedback and how far it got."""

from __future__ import annotations

from tests.case_driver import CaseDriver
from tests.repair_driver import RepairCase

PERIOD = "from=2026-03-01&to=2026-04-01"
QA_FORMS = {
    "record_feedback": {"problem": "压缩机启动继电器批量失效", "conditions": "夏季高温", "scope": "batch"},
    "analyse_feedback": {"cause": "继电器供应商更换了触点材料", "responsible_stage": "purchasing"},
    "define_measures": {
        "measures": "更换供应商并对在库继电器全检",
        "measures_owner": "采购部 王芳",
        "measures_due": "2026-04-15",
    },
    "close_feedback": {"measures_effective": True, "result": "全检后无复发"},
}


class FeedbackCase(CaseDriver):
    FORMS = QA_FORMS
    ROLE_USER = {"qa": "qa"}


def serviced(as_user, **service) -> RepairCase:
    case = RepairCase(as_user)
    case.walk(
        "contact_customer", "dispatch_notice", "agree_appointment", "record_arrival", "diagnose_on_site", "accept_plan"
    )
    case.do("perform_service", **service)
    return case


def test_quality_feedback_on_the_service_form_opens_qas_feedback_case(as_user):
    case = serviced(as_user, quality_feedback=True, quality_feedback_notes="同批继电器第三次失效")
    assert list(case.ready()) == ["customer_acceptance"]  # the repair goes on
    [sent] = case.events("message_sent")
    assert sent["data"]["message"] == "quality_feedback_opened"
    feedback = FeedbackCase(as_user, sent["data"]["to_instance_id"])
    assert feedback.body["process_key"] == "quality_feedback"
    [record] = feedback.ready().values()
    assert record["element_id"] == "record_feedback" and record["candidate_roles"] == ["qa"]
    assert feedback.body["parent_id"] == case.id
    feedback.walk("record_feedback", "analyse_feedback", "define_measures")
    feedback.do("close_feedback", measures_effective=False, result="仍有失效")
    assert list(feedback.ready()) == ["define_measures"]  # not effective: new measures
    feedback.walk("define_measures", "close_feedback")
    assert feedback.body["status"] == "completed"


def test_no_feedback_ticked_opens_nothing(as_user):
    case = serviced(as_user)
    assert case.events("message_sent") == []
    assert "quality_feedback_sent" not in case.completed_path()


def test_qas_report_lists_the_feedback_with_its_repair_case_and_step(as_user):
    case = serviced(as_user, quality_feedback=True, quality_feedback_notes="外壳开裂")
    done = serviced(as_user, quality_feedback=True, quality_feedback_notes="噪音大")
    [sent] = done.events("message_sent")
    closed = FeedbackCase(as_user, sent["data"]["to_instance_id"])
    closed.walk(*QA_FORMS)
    report = as_user("qa").get(f"/reports/quality-feedback?{PERIOD}")
    assert report.status_code == 200, report.json
    body = report.json
    assert (body["opened"], body["open"], body["closed"]) == (2, 1, 1)
    first, second = body["cases"]
    assert first["from_case_no"] == case.body["case_no"] and first["description"] == "外壳开裂"
    assert first["waiting_on"] == ["record_feedback"] and first["status"] == "running"
    assert second["from_case_no"] == done.body["case_no"] and second["result"] == "全检后无复发"
    assert first["serial_no"] == "SN-FR-1001" and first["reported_by"] == "tech_urban1"
    assert as_user("agent").get(f"/reports/quality-feedback?{PERIOD}").status_code == 403
    later = as_user("qa").get("/reports/quality-feedback?from=2026-04-01&to=2026-05-01").json
    assert later["opened"] == 0
