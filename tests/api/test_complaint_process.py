"""Every branch of complaint.bpmn through the API, with working-day deadlines and a moved clock."""

from __future__ import annotations

from datetime import datetime
from datetime import timedelta

import pytest

from app.clock import SimulatedClock
from app.services.people.users import create_user
from app.services.planning.schedules import fire_due_schedules
from app.services.timing.timer_firing import fire_due_timers
from tests.api.test_workspace import session_for
from tests.complaint_driver import FORMS
from tests.complaint_driver import ComplaintCase
from tests.complaint_driver import register
from tests.conftest import T0
from tests.repair_driver import RepairCase

INVESTIGATED = ("dept_head_review", "qa_investigation")
HANDLED = ("handle_complaint", "approve_countermeasures")
TRACKED = ("complete_action", "complete_action")  # the two actions of FORMS["handle_complaint"]
CLOSED_LOOP = (*HANDLED, *TRACKED, "qa_sign_tracking", "feedback_customer", "confirm_feedback", "approve_closure")


@pytest.fixture
def clock(request):
    """Tests may start the clock elsewhere: ``@pytest.mark.clock("2026-09-30T10:00:00+08:00")``."""
    marker = request.node.get_closest_marker("clock")
    start = datetime.fromisoformat(marker.args[0]) if marker else T0
    return SimulatedClock(start, frozen=True)


def fire(app) -> int:
    return fire_due_timers(app.extensions["aftersales"]).timers


def test_a_complaint_within_the_agents_authority_is_resolved_then_closed_by_the_complainant(app, as_user, clock):
    case = ComplaintCase.registered(as_user)
    assert case.data["handling_due"].startswith("2026-03-05T09:00")  # quality: 3 working days
    case.do("clarify_facts", within_authority=True)
    case.walk("immediate_solution", "feedback_customer", "confirm_feedback", "approve_closure")
    assert case.data["complaint_status"] == "resolved" and case.body["status"] == "running"
    wait = case.timers()["wait_three_months"]
    assert wait["due_at"].startswith("2026-06-02")
    clock.advance(timedelta(days=92, seconds=1))  # three calendar months
    assert fire(app) == 1
    case.do("callback_survey")
    assert case.body["status"] == "completed" and case.data["complaint_status"] == "closed"
    assert case.completed_path()[-1] == "complaint_closed"


def test_a_complaint_caused_by_a_third_party_is_answered_and_closed(as_user):
    case = ComplaintCase.registered(as_user, category="logistics")
    case.do("clarify_facts", fault_party="third_party")
    case.do("reply_and_close")
    assert case.body["status"] == "completed" and case.data["complaint_status"] == "closed"
    assert case.completed_path()[-1] == "closed_not_company_fault"


def test_an_investigated_complaint_with_clear_responsibility_goes_to_the_department(as_user):
    case = ComplaintCase.registered(as_user)
    case.do("clarify_facts")
    case.walk(*INVESTIGATED)
    assert list(case.ready()) == ["handle_complaint"]
    assert case.ready()["handle_complaint"]["candidate_roles"] == ["production"]  # QA named 生产部
    assert as_user("resp_dept").post(f"/tasks/{case.ready()['handle_complaint']['id']}/claim").status_code == 403


def test_the_department_ruled_by_the_general_manager_handles_the_complaint(as_user):
    case = ComplaintCase.registered(as_user)
    case.do("clarify_facts")
    case.do("dept_head_review")
    case.do("qa_investigation", responsibility_clear=False, joint_departments=["production", "quality"])
    case.sign_joint_review({"production": "quality", "quality": "production"})  # each blames the other
    case.do("gm_ruling", responsible_department="after_sales")  # 售后服务部
    assert case.ready()["handle_complaint"]["candidate_roles"] == ["supervisor"]  # its 服务主管, not 生产部
    case.do("handle_complaint")
    assert case.completed_path()[-1] == "handle_complaint"


def test_the_department_head_approves_the_countermeasures_or_returns_them_with_a_reason(as_user):
    case = ComplaintCase.registered(as_user)
    case.do("clarify_facts")
    case.walk(*INVESTIGATED, "handle_complaint")
    assert list(case.ready()) == ["approve_countermeasures"]
    refused = case.submit("approve_countermeasures", {"countermeasures_approved": False})
    assert refused.status_code == 422 and "countermeasures_notes" in str(refused.json["fields"])
    case.do("approve_countermeasures", countermeasures_approved=False, countermeasures_notes="期限太晚")
    assert list(case.ready()) == ["handle_complaint"]
    case.walk(*HANDLED, *TRACKED)
    assert list(case.ready()) == ["qa_sign_tracking"]


def test_the_department_head_returns_the_complaint_report_to_the_desk_with_a_reason(as_user):
    case = ComplaintCase.registered(as_user)
    case.do("clarify_facts")
    refused = case.submit("dept_head_review", {"report_approved": False, "review_notes": ""})
    assert refused.status_code == 422 and "review_notes" in str(refused.json["fields"])
    case.do("dept_head_review", report_approved=False, review_notes="缺少订单号")
    assert list(case.ready()) == ["clarify_facts"]
    case.do("clarify_facts")
    case.walk(*INVESTIGATED)
    assert list(case.ready()) == ["handle_complaint"]


@pytest.mark.parametrize("back_to", ["feedback_customer", "handle_complaint", "qa_investigation"])
def test_the_general_manager_refuses_the_closure_and_names_the_step_it_goes_back_to(as_user, back_to):
    case = ComplaintCase.registered(as_user)
    case.do("clarify_facts")
    case.walk(*INVESTIGATED, *CLOSED_LOOP[:-1])
    no_reason = case.submit("approve_closure", {"closure_approved": False, "closure_return_to": back_to})
    assert no_reason.status_code == 422 and "closure_refusal_reason" in str(no_reason.json["fields"])
    refusal = {"closure_approved": False, "closure_return_to": back_to, "closure_refusal_reason": "客户仍有疑虑"}
    case.do("approve_closure", refusal)
    assert list(case.ready()) == [back_to] and case.data["complaint_status"] == "open"
    rest = CLOSED_LOOP[CLOSED_LOOP.index(back_to) :] if back_to in CLOSED_LOOP else ("qa_investigation", *CLOSED_LOOP)
    case.walk(*rest)
    assert case.data["complaint_status"] == "resolved" and case.completed_path().count("approve_closure") == 2


def test_unclear_responsibility_goes_to_a_joint_review_and_then_to_the_general_manager(as_user):
    case = ComplaintCase.registered(as_user)
    case.do("clarify_facts")
    case.do("dept_head_review")
    case.do("qa_investigation", responsibility_clear=False, joint_departments=["production", "quality"])
    case.sign_joint_review({"production": "purchasing", "quality": "production"})
    case.do("gm_ruling")
    assert list(case.ready()) == ["handle_complaint"]
    assert case.data["responsible_department"] == "after_sales"
    path = case.completed_path()
    assert path.index("joint_review") < path.index("gm_ruling")


def test_special_compensation_is_proposed_and_approved_before_qa_signs(as_user):
    case = ComplaintCase.registered(as_user)
    case.do("clarify_facts")
    case.walk(*INVESTIGATED)
    case.do("handle_complaint", special_compensation=True)
    case.do("approve_countermeasures")
    case.walk("propose_compensation", "approve_compensation")
    assert sorted(case.ready()) == ["complete_action"]
    case.track_actions()
    assert list(case.ready()) == ["qa_sign_tracking"]
    assert case.data["approved_amount"] == 500


def test_a_customer_who_rejects_the_result_gets_mediation_and_new_feedback(as_user):
    case = ComplaintCase.registered(as_user)
    case.do("clarify_facts")
    case.walk(*INVESTIGATED, *HANDLED, *TRACKED, "qa_sign_tracking")
    case.do("feedback_customer")
    case.do("confirm_feedback", customer_accepts=False, not_accepted_reason="补偿不足 / not enough")
    case.do("mediate")
    case.walk("feedback_customer", "confirm_feedback", "approve_closure")
    assert case.data["complaint_status"] == "resolved"
    assert case.completed_path().count("feedback_customer") == 2


def test_unverified_actions_cannot_be_signed_off(as_user):
    case = ComplaintCase.registered(as_user)
    case.do("clarify_facts")
    case.walk(*INVESTIGATED, *HANDLED, *TRACKED)
    response = case.submit("qa_sign_tracking", {**FORMS["qa_sign_tracking"], "actions_verified": False})
    assert response.status_code == 422 and "actions_verified" in response.json["fields"]


def test_a_serious_complaint_informs_the_general_manager_and_is_mediated(as_user):
    case = ComplaintCase.registered(as_user, severity="serious", urgency="high")
    assert sorted(case.ready()) == ["gm_informed", "mediate_serious"]
    case.do("gm_informed")
    assert list(case.ready()) == ["mediate_serious"]  # both before the facts are clarified
    case.do("mediate_serious")
    assert list(case.ready()) == ["clarify_facts"]


def test_a_recurring_problem_reopens_the_complaint_into_investigation(app, as_user, clock):
    case = ComplaintCase.registered(as_user)
    case.do("clarify_facts")
    case.walk(*INVESTIGATED, *CLOSED_LOOP)
    clock.advance(timedelta(days=93))
    assert fire(app) >= 1
    case.do(
        "callback_survey",
        recurred=True,
        complainant_satisfied=False,
        closure_decision="reopen",
        reopen_reason="又漏水了 / leaking again",
    )
    assert list(case.ready()) == ["qa_investigation"]
    data = case.data
    assert data["complaint_status"] == "reopened" and data["reopen_count"] == 1
    assert data["handling_due"] > data["received_at"]  # new working-day deadline from the reopening
    case.do("qa_investigation")
    later = [{"action": "更换密封圈供应商", "kind": "corrective", "owner": "resp_dept", "due_date": "2026-07-31"}]
    case.do("handle_complaint", actions=later)  # the new round's actions, with new due dates
    case.do("approve_countermeasures")
    case.walk("complete_action", *CLOSED_LOOP[-4:])
    clock.advance(timedelta(days=93))
    fire(app)
    case.do("callback_survey")
    assert case.body["status"] == "completed" and case.completed_path().count("qa_investigation") == 2


def test_registration_later_than_2_hours_alerts_the_desk_lead(app, as_user, clock):
    case = ComplaintCase.received(as_user)
    clock.advance(timedelta(hours=2, seconds=1))
    assert fire(app) == 1
    assert sorted(case.ready()) == ["register_complaint", "register_followup"]
    assert [e["element_id"] for e in case.events("escalation")] == ["register_overdue"]


def test_investigation_not_done_within_24_hours_is_chased(app, as_user, clock):
    case = ComplaintCase.registered(as_user)
    case.do("clarify_facts")
    case.do("dept_head_review")
    assert case.ready()["qa_investigation"]["due_at"].startswith("2026-03-03T01:00")
    clock.advance(timedelta(hours=24, seconds=1))
    assert fire(app) == 1
    assert "investigation_followup" in case.ready()


def test_feedback_later_than_2_hours_is_chased(app, as_user, clock):
    case = ComplaintCase.registered(as_user)
    case.do("clarify_facts", within_authority=True)
    case.do("immediate_solution")
    clock.advance(timedelta(hours=2, seconds=1))
    assert fire(app) == 1
    assert "feedback_followup" in case.ready()


@pytest.mark.clock("2026-09-30T10:00:00+08:00")
def test_a_quality_complaint_received_before_national_day_is_due_on_the_make_up_saturday(app, as_user, clock):
    case = ComplaintCase.registered(as_user, category="quality")
    case.do("clarify_facts")
    case.walk(*INVESTIGATED)
    task = case.ready()["handle_complaint"]
    assert task["due_at"].startswith("2026-10-10T02:00") and task["due_estimated"] is False  # 10:00 Shanghai
    timers = case.timers()
    assert timers["handling_overdue_gm"]["due_at"].startswith("2026-10-12T02:00")  # one working day later
    clock.advance(datetime.fromisoformat("2026-10-10T09:59:00+08:00") - clock.now())
    assert fire(app) == 0
    clock.advance(timedelta(minutes=2))
    assert fire(app) == 1
    assert "escalate_to_service_manager" in case.ready() and "escalate_to_gm" not in case.ready()
    clock.advance(datetime.fromisoformat("2026-10-12T10:01:00+08:00") - clock.now())
    assert fire(app) == 1
    assert "escalate_to_gm" in case.ready()
    assert [e["element_id"] for e in case.events("escalation")] == ["handling_overdue", "handling_overdue_gm"]


@pytest.mark.clock("2026-02-13T10:00:00+08:00")
def test_a_quality_complaint_across_the_spring_festival(as_user):
    case = ComplaintCase.registered(as_user, category="quality")
    assert case.data["handling_due"].startswith("2026-02-25T10:00")
    logistics = ComplaintCase.registered(as_user, category="logistics")
    assert logistics.data["handling_due"].startswith("2026-03-02T10:00")  # 7 working days; 02-28 is a make-up day


@pytest.mark.clock("2026-12-24T10:00:00+08:00")
def test_a_deadline_in_an_unpublished_year_is_flagged_as_estimated(as_user):
    case = ComplaintCase.registered(as_user, category="logistics")
    case.do("clarify_facts")
    case.walk(*INVESTIGATED)
    task = case.ready()["handle_complaint"]
    assert task["due_estimated"] is True and task["due_at"].startswith("2027-01-04")
    assert case.timers()["handling_overdue"]["estimated"] is True
    assert case.timers(None)["investigation_overdue"]["estimated"] is False  # 24 calendar hours


def test_a_dissatisfied_repair_callback_opens_a_linked_complaint(app, as_user):
    repair = RepairCase(as_user, contract_no="MC-2025-001")
    repair.do("contact_customer", service_mode="remote")
    repair.do("remote_support")
    repair.do("callback_answer", satisfied=False, satisfaction_score=30, callback_comments="工程师态度差")
    links = repair.body["links"]
    assert [(link["relation"], link["process_key"]) for link in links] == [("opened", "complaint")]
    complaint = ComplaintCase(as_user, links[0]["id"])
    assert complaint.body["links"][0]["relation"] == "opened_by"
    assert complaint.body["links"][0]["case_no"] == repair.body["case_no"]
    intake = complaint.data["intake"]
    assert intake["linked_case_no"] == repair.body["case_no"] and intake["description"] == "工程师态度差"
    assert list(complaint.ready()) == ["register_complaint"]
    # the registration starts with the callback's data; both case pages link to each other
    client, _ = session_for(app, "agent")
    form = client.get(f"/tasks/{complaint.ready()['register_complaint']['id']}").get_data(as_text=True)
    for value in (repair.data["customer_name"], repair.data["customer_phone"], repair.body["case_no"], "工程师态度差"):
        assert value in form
    assert complaint.data["channel"] == "callback"
    complaint_page = client.get(f"/cases/{complaint.id}").get_data(as_text=True)
    assert f'href="/cases/{repair.id}"' in complaint_page and repair.body["case_no"] in complaint_page
    repair_page = client.get(f"/cases/{repair.id}").get_data(as_text=True)
    assert f'href="/cases/{complaint.id}"' in repair_page and complaint.body["case_no"] in repair_page
    [sent] = repair.events("message_sent")
    assert sent["data"]["to_case_no"] == complaint.body["case_no"]


def test_monthly_statistics_count_category_urgency_and_hot_spots(as_user):
    for urgency in ("high", "high", "low"):
        ComplaintCase.registered(as_user, category="quality", urgency=urgency, product_model="XQG100")
    ComplaintCase.registered(as_user, category="service", urgency="medium", product_model="BCD-520W")
    ComplaintCase.received(as_user)  # not registered yet
    stats = as_user("qa").get("/reports/complaints?month=2026-03").json
    assert stats["total"] == 5 and stats["registered"] == 4
    assert {(r["category"], r["urgency"]): r["count"] for r in stats["by_category_urgency"]} == {
        ("quality", "high"): 2,
        ("quality", "low"): 1,
        ("service", "medium"): 1,
    }
    assert stats["hot_spots"] == [{"product_model": "XQG100", "category": "quality", "count": 3}]
    assert as_user("qa").get("/reports/complaints?month=2026-04").json["total"] == 0
    assert as_user("agent").get("/reports/complaints?month=2026-03").status_code == 403
    assert as_user("qa").get("/reports/complaints?month=March").status_code == 422


def test_each_action_is_tracked_in_its_own_task_to_its_due_date_before_qa_signs(app, as_user, clock):
    case = ComplaintCase.registered(as_user)
    case.do("clarify_facts")
    case.walk(*INVESTIGATED, *HANDLED)
    tracked = case.tasks_of("complete_action")
    assert len(tracked) == 2 and {t["candidate_roles"][0] for t in tracked} == {"qa"}
    assert sorted(t["due_at"][:16] for t in tracked) == ["2026-03-05T16:00", "2026-03-31T16:00"]  # end of the day
    assert "qa_sign_tracking" not in case.ready()
    clock.advance(datetime.fromisoformat("2026-03-05T00:00:01+08:00") - clock.now())
    assert fire(app) == 1  # the first action's reminder, a day before its due date
    assert [e["element_id"] for e in case.events("reminder")] == ["action_reminder"]
    clock.advance(timedelta(days=1))
    assert fire(app) == 1  # and its escalation when the due date has passed
    assert [e["element_id"] for e in case.events("escalation")] == ["action_overdue"]
    assert len(case.tasks_of("action_overdue_followup")) == 1
    unverified = case.submit(
        "complete_action", {"action_done_on": "2026-03-06", "action_verification": "未验证", "action_verified": False}
    )
    assert unverified.status_code == 422
    case.track_actions(done_on="2026-03-06")
    assert list(case.ready()) == ["action_overdue_followup"]  # the chase of the late action is reported too
    case.do("action_overdue_followup")
    assert list(case.ready()) == ["qa_sign_tracking"]
    late = {a["action"]: a["late"] for a in case.data["actions_tracked"]}
    assert late == {"为客户更换整机": True, "密封圈来料全检": False}


def test_a_serious_complaint_registered_as_not_urgent_is_refused_with_the_rule(as_user):
    case = ComplaintCase.received(as_user)
    refused = case.submit("register_complaint", register(severity="serious", urgency="low"))
    assert refused.status_code == 422
    assert refused.json["fields"]["urgency"] == [
        "严重客诉须为高紧急程度 / a serious complaint is urgent: urgency must be high"
    ]
    assert list(case.ready()) == ["register_complaint"]
    case.do("register_complaint", register(severity="general", urgency="low"))  # a general one may wait


def test_the_emergency_team_is_named_from_the_staff_and_each_member_is_informed(as_user):
    case = ComplaintCase.registered(as_user, severity="serious", urgency="high")
    task = case.ready()["gm_informed"]
    schema = as_user("executive").get(f"/tasks/{task['id']}").json["form"]
    choices = {c["const"] for c in schema["properties"]["emergency_team"]["items"]["oneOf"]}
    assert {"qa", "production", "service_manager"} <= choices and "auditor" not in choices
    unnamed = case.submit("gm_informed", {"gm_ack_notes": "成立应急小组", "emergency_team_needed": True})
    assert unnamed.status_code == 422 and "emergency_team" in unnamed.json["fields"]
    stranger = {"gm_ack_notes": "成立应急小组", "emergency_team_needed": True, "emergency_team": ["nobody"]}
    assert case.submit("gm_informed", stranger).status_code == 422
    case.do("gm_informed", emergency_team_needed=True, emergency_team=["qa", "production"])
    for member in ("qa", "production"):
        told = as_user(member).get("/notifications").json
        assert [n["kind"] for n in told if n["instance_id"] == case.id] == ["informed"], member
    assert not [n for n in as_user("finance").get("/notifications").json if n["kind"] == "informed"]


def start_choices(client) -> str:
    page = client.get("/inbox").get_data(as_text=True)
    return page.split('id="start-case"')[1].split("</form>")[0] if 'id="start-case"' in page else ""


def test_the_complaint_desk_opens_a_complaint_from_the_browser(app):
    client, csrf = session_for(app, "agent")
    assert 'value="complaint"' in start_choices(client)
    opened = client.post("/api/v1/processes/complaint/instances", json={"channel": "phone"}, headers=csrf)
    assert opened.status_code == 201
    assert 'value="complaint"' not in start_choices(session_for(app, "qa")[0])


def test_each_department_named_signs_the_joint_review_in_its_own_task(as_user):
    case = ComplaintCase.registered(as_user)
    case.do("clarify_facts")
    case.do("dept_head_review")
    alone = case.submit("qa_investigation", {**FORMS["qa_investigation"], "responsibility_clear": False})
    assert alone.status_code == 422 and "joint_departments" in alone.json["fields"]
    named = ["production", "after_sales", "quality"]
    case.do("qa_investigation", responsibility_clear=False, joint_departments=named)
    signing = case.tasks_of("joint_review")
    assert sorted(t["candidate_roles"][0] for t in signing) == ["production", "qa", "supervisor"]  # in parallel
    case.sign_joint_review({"production": "purchasing", "after_sales": "purchasing", "quality": "purchasing"})
    assert list(case.ready()) == ["handle_complaint"]  # all signed for 采购部: no ruling needed
    assert case.data["responsible_department"] == "purchasing" and case.data["joint_votes"] == ["purchasing"] * 3
    assert case.ready()["handle_complaint"]["candidate_roles"] == ["responsible_dept"]


def test_the_24_hours_of_the_investigation_count_from_when_qa_receives_it(app, as_user, clock):
    case = ComplaintCase.registered(as_user)
    case.do("clarify_facts")
    clock.advance(timedelta(hours=20))  # the department head took 20 h: their delay, not QA's
    case.do("dept_head_review")
    assert case.ready()["qa_investigation"]["due_at"].startswith("2026-03-03T21:00")  # 24 h from now (UTC)
    clock.advance(timedelta(hours=23))
    assert fire(app) == 0
    clock.advance(timedelta(hours=1, seconds=1))
    assert fire(app) == 1 and "investigation_followup" in case.ready()


@pytest.mark.parametrize("start", ["claim", "draft"])
def test_the_investigation_deadline_is_met_when_qa_starts_it_not_when_it_is_done(app, as_user, clock, start):
    case = ComplaintCase.registered(as_user)
    case.do("clarify_facts")
    case.do("dept_head_review")
    task = case.ready()["qa_investigation"]
    clock.advance(timedelta(hours=23))
    qa = as_user("qa")
    if start == "claim":
        assert qa.post(f"/tasks/{task['id']}/claim").status_code == 200
    else:
        assert qa.put(f"/drafts/{task['id']}", json={"root_cause": "待查"}).status_code == 200
    assert [e["element_id"] for e in case.events("deadline_met")] == ["qa_investigation"]
    assert case.timers(None)["investigation_overdue"]["status"] == "cancelled"
    clock.advance(timedelta(hours=30))  # the investigation itself takes longer than 24 h: no breach of D-12
    assert fire(app) == 0 and "investigation_followup" not in case.ready()
    case.do("qa_investigation")
    assert not case.events("escalation") and list(case.ready()) == ["handle_complaint"]


def test_each_action_goes_to_its_owner_from_the_staff_and_the_ruled_departments_head_approves(app, as_user):
    create_user(app.extensions["aftersales"], "production_head", "production_head", ["dept_head", "production"])
    case = ComplaintCase.registered(as_user)
    case.do("clarify_facts")
    case.walk(*INVESTIGATED)  # QA rules 生产部 responsible
    task = case.ready()["handle_complaint"]
    form = as_user("production").get(f"/tasks/{task['id']}").json["form"]
    owners = {c["const"] for c in form["properties"]["actions"]["items"]["properties"]["owner"]["oneOf"]}
    assert {"production", "qa", "resp_dept"} <= owners and "auditor" not in owners
    typed = [{"action": "更换整机", "kind": "corrective", "owner": "生产部 张工", "due_date": "2026-03-05"}]
    assert case.submit("handle_complaint", {"remedy": "replace", "actions": typed}).status_code == 422
    case.do("handle_complaint")
    approval = case.ready()["approve_countermeasures"]
    assert approval["assignee"] == "production_head"  # 生产部's head, not any department head
    assert (
        as_user("dept_head")
        .post(f"/tasks/{approval['id']}/complete", json=FORMS["approve_countermeasures"])
        .status_code
        == 403
    )
    case.do("approve_countermeasures")
    tracked = {t["assignee"]: t for t in case.tasks_of("complete_action")}
    assert sorted(tracked) == ["production", "qa"]  # each action with its owner
    assert {t["id"] for t in as_user("production").get("/tasks?mine=true").json} == {tracked["production"]["id"]}
    assert tracked["production"]["id"] in {t["id"] for t in as_user("qa").get("/tasks").json}  # QA tracks it
    done = {"action_done_on": "2026-03-04", "action_verification": "现场核实有效", "action_verified": True}
    assert as_user("qa").post(f"/tasks/{tracked['production']['id']}/complete", json=done).status_code == 403
    case.track_actions()
    assert list(case.ready()) == ["qa_sign_tracking"]


@pytest.mark.parametrize(("remedy", "process_key"), [("replace", "repair"), ("refund", "refund"), ("compensate", None)])
def test_the_remedy_opens_its_service_or_refund_case_as_a_linked_child(app, as_user, clock, remedy, process_key):
    case = ComplaintCase.registered(as_user)
    case.do("clarify_facts")
    case.walk(*INVESTIGATED)
    if remedy == "refund":
        no_amount = case.submit("handle_complaint", {**FORMS["handle_complaint"], "remedy": "refund"})
        assert no_amount.status_code == 422 and "refund_amount" in no_amount.json["fields"]
    case.do("handle_complaint", remedy=remedy, refund_amount=300)
    case.do("approve_countermeasures")
    clock.advance(timedelta(seconds=1))  # the scheduler's next round
    assert fire_due_schedules(app.extensions["aftersales"]) == (1 if process_key else 0)
    links = [link for link in case.body["links"] if link["relation"] == "opened"]
    assert [link["process_key"] for link in links] == ([process_key] if process_key else [])
    if process_key is None:
        return
    child = as_user("admin").get(f"/instances/{links[0]['id']}").json
    assert child["links"][0]["relation"] == "opened_by" and child["links"][0]["case_no"] == case.body["case_no"]
    assert child["data"]["customer_name"] == "王秀英"
    if process_key == "refund":
        refund = child["data"]
        assert (refund["requested_amount"], refund["refund_reason"]) == (300, "agreed_after_dissatisfaction")
    else:
        assert case.body["case_no"] in child["data"]["description"]


def test_with_two_heads_of_the_ruled_department_only_they_may_take_the_approval(app, as_user):
    for head in ("production_head", "production_head2"):
        create_user(app.extensions["aftersales"], head, head, ["dept_head", "production"])
    case = ComplaintCase.registered(as_user)
    case.do("clarify_facts")
    case.walk(*INVESTIGATED, "handle_complaint")
    approval = case.ready()["approve_countermeasures"]
    assert approval["assignee"] is None  # two heads: either may take it
    assert as_user("dept_head").post(f"/tasks/{approval['id']}/claim").status_code == 403  # not 生产部's head
    assert as_user("production_head2").post(f"/tasks/{approval['id']}/claim").status_code == 200
