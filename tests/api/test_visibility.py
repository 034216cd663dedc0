"""Customer records are confidential per person (seed 000 §4.11): what each grant of
app/domain/visibility.py lets a user read, and what it stops letting them read. The full
users × cases × endpoints table is in tests/api/test_authorisation_matrix.py."""

from __future__ import annotations

import pytest

from app.domain.principal import Principal
from app.domain.visibility import CaseVisibility
from app.domain.visibility import read_scope
from app.services.people.users import create_user
from tests.api.test_workspace import put_draft
from tests.api.test_workspace import session_for
from tests.conftest import Api
from tests.conftest import make_app
from tests.diagrams import TINY
from tests.repair_driver import RepairCase


def reads(as_user, username: str, case_id: int) -> bool:
    """Does ``username`` read the case (its detail answers 200, and the case list has it)?"""
    detail = as_user(username).get(f"/instances/{case_id}").status_code
    listed = case_id in {c["id"] for c in as_user(username).get("/instances").json}
    assert (detail == 200) == listed, (username, case_id, detail, listed)
    assert detail in (200, 403)
    return detail == 200


def test_claiming_a_task_takes_the_case_from_the_other_technicians_and_completing_keeps_it(as_user):
    case = RepairCase(as_user)
    case.do("contact_customer", service_mode="remote")
    task = case.ready()["remote_support"]
    assert task["assignee"] is None
    assert reads(as_user, "tech_urban1", case.id) and reads(as_user, "tech_urban2", case.id)  # either may take it
    assert as_user("tech_urban2").post(f"/tasks/{task['id']}/claim").status_code == 200
    assert not reads(as_user, "tech_urban1", case.id)
    assert as_user("tech_urban1").get(f"/tasks/{task['id']}").status_code == 403
    case.do("remote_support")  # by tech_urban2, who holds it
    assert reads(as_user, "tech_urban2", case.id) and not reads(as_user, "tech_urban1", case.id)
    done = as_user("tech_urban2").get(f"/tasks?instance_id={case.id}&status=all").json
    assert {t["element_id"] for t in done} >= {"register_request", "contact_customer", "remote_support"}


def test_the_group_inbox_shows_unclaimed_work_not_a_colleagues_task_and_customer(app, as_user):
    open_job = RepairCase(as_user, customer_name="李娜 Li Na")
    open_job.do("contact_customer", service_mode="remote")
    theirs = RepairCase(as_user, customer_name="陈静 Chen Jing")
    theirs.walk("contact_customer", "dispatch_notice", "agree_appointment", "record_arrival")  # to tech_urban1
    diagnosis = theirs.ready()["diagnose_on_site"]["id"]
    inbox = {t["id"] for t in as_user("tech_urban2").get("/tasks?status=all").json}
    assert open_job.ready()["remote_support"]["id"] in inbox and diagnosis not in inbox
    client, _ = session_for(app, "tech_urban2")
    group = client.get("/inbox?tab=group").get_data(as_text=True)
    assert "李娜 Li Na" in group and "陈静" not in group
    assert "陈静" not in client.get("/inbox?tab=group&customer=chen").get_data(as_text=True)
    mine = {t["id"] for t in as_user("tech_urban1").get("/tasks?mine=true").json}
    assert mine == {diagnosis}
    # Coordinators still see the whole lane of their procedure.
    dispatcher = {t["id"] for t in as_user("dispatcher").get("/tasks?status=all").json}
    notice = [e for e in theirs.events("task_completed") if e["element_id"] == "dispatch_notice"]
    assert notice[0]["task_id"] in dispatcher


def test_the_technician_chosen_on_the_service_notice_keeps_the_case_after_handing_it_over(as_user):
    case = RepairCase(as_user)
    case.walk("contact_customer", "dispatch_notice", "agree_appointment", "record_arrival")
    assert case.data["technician"] == "tech_urban1"
    diagnosis = case.ready()["diagnose_on_site"]["id"]
    assert not reads(as_user, "tech_urban2", case.id)
    moved = as_user("tech_urban1").post(f"/tasks/{diagnosis}/delegate", json={"username": "tech_urban2"})
    assert moved.status_code == 200
    assert reads(as_user, "tech_urban2", case.id)  # handed to them
    assert reads(as_user, "tech_urban1", case.id)  # named on the notice
    assert not reads(as_user, "tech_suburb1", case.id)


def test_a_draft_of_someone_elses_task_is_refused(as_user):
    case = RepairCase(as_user)
    case.walk("contact_customer", "dispatch_notice", "agree_appointment", "record_arrival")
    diagnosis = case.ready()["diagnose_on_site"]["id"]
    assert put_draft(as_user, "tech_urban2", diagnosis, {"cause": "x"}).status_code == 403
    assert put_draft(as_user, "tech_urban1", diagnosis, {"cause": "x"}).status_code == 200


def test_links_name_only_the_linked_cases_the_user_may_read(as_user):
    repair = RepairCase(as_user, contract_no="MC-2025-001")
    repair.do("contact_customer", service_mode="remote")
    repair.do("remote_support")  # tech_urban1
    repair.do("callback_answer", satisfied=False, satisfaction_score=30, callback_comments="工程师态度差")
    [complaint] = repair.body["links"]
    assert complaint["process_key"] == "complaint"
    technician = as_user("tech_urban1").get(f"/instances/{repair.id}")
    assert technician.status_code == 200 and technician.json["links"] == []  # the complaint about them is not theirs
    assert as_user("tech_urban1").get(f"/instances/{complaint['id']}").status_code == 403
    assert [link["relation"] for link in as_user("agent").get(f"/instances/{repair.id}").json["links"]] == ["opened"]


def test_a_person_reads_the_case_they_started_after_a_colleague_took_its_task(tiny_finance):
    client = tiny_finance
    started = client("finance").post("/processes/tiny/instances")
    assert started.status_code == 201
    case = started.json["id"]
    [task] = client("finance2").get(f"/tasks?instance_id={case}").json
    assert client("finance2").post(f"/tasks/{task['id']}/claim").status_code == 200
    assert client("finance").get(f"/instances/{case}").status_code == 200  # started it
    assert client("finance3").get(f"/instances/{case}").status_code == 403  # no longer claimable for them


@pytest.fixture
def tiny_finance(app_with_diagram):
    """TINY with its work in the finance lane (finance coordinates nothing): finance, finance2, finance3."""
    app = app_with_diagram(TINY.replace("lane_cs_agent", "lane_finance"), ("finance",))
    ctx = app.extensions["aftersales"]
    for username in ("finance2", "finance3"):
        create_user(ctx, username, username, ["finance"])
    client = app.test_client()
    return lambda username: Api(client, username)


def test_lookups_of_customers_are_for_those_who_register_requests(as_user):
    assert as_user("tech_urban1").get("/lookups/customers?q=张").status_code == 403
    assert as_user("tech_urban1").get("/lookups/units?serial=SN-FR").status_code == 403
    assert as_user("finance").get("/lookups/customers?q=张").status_code == 403
    assert as_user("dispatcher").get("/lookups/customers?q=张伟").json[0]["code"] == "C001"


def test_coordinators_read_the_procedures_they_have_a_lane_in():
    lanes = {
        "repair": frozenset({"cs_agent", "dispatcher", "technician", "supervisor"}),
        "complaint": frozenset({"cs_agent", "supervisor", "executive"}),
        "annual_plan": frozenset({"cs_agent", "executive"}),
    }
    scope = read_scope(Principal("dispatcher", frozenset({"dispatcher"})), CaseVisibility.PERSON, lanes)
    assert scope.process_keys == {"repair"} and not scope.everything
    scope = read_scope(Principal("supervisor", frozenset({"supervisor"})), CaseVisibility.PERSON, lanes)
    assert scope.process_keys == {"repair", "complaint"}
    technician = read_scope(Principal("t", frozenset({"technician"})), CaseVisibility.PERSON, lanes)
    assert technician.process_keys == set() and technician.claimable_roles == {"technician"}
    assert read_scope(Principal("qa", frozenset({"qa"})), CaseVisibility.PERSON, lanes).everything
    assert read_scope(Principal("s", frozenset({"supervisor"})), CaseVisibility.ROLE, lanes).everything
    assert not read_scope(Principal("qa", frozenset({"qa"})), CaseVisibility.ROLE, lanes).everything


def test_an_unknown_visibility_setting_stops_the_start_with_the_choices(database_url, clock):
    with pytest.raises(ValueError, match="AFTERSALES_CASE_VISIBILITY must be 'person' or 'role'"):
        make_app(database_url, clock, create=False, CASE_VISIBILITY="everyone")
    app = make_app(database_url, clock, create=False, CASE_VISIBILITY=" Role ")
    assert app.extensions["aftersales"].case_visibility is CaseVisibility.ROLE
    app.extensions["aftersales.db"].dispose()
