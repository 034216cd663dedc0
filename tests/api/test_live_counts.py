"""Live counts of a version: open cases waiting at each element (ready tasks) and waiting timers on it."""

from __future__ import annotations

import pytest

from app.demo.repairs import ON_SITE
from tests.api.test_web import login
from tests.repair_driver import RepairCase

LIVE = "/processes/repair/versions/1/live"
HAPPY_PATH_TO_REPORT = (*ON_SITE, "payment_invoice")


def counts_by_element(body: dict) -> dict[str, tuple[int, int, int]]:
    return {e["element_id"]: (e["cases"], e["tasks"], e["timers"]) for e in body["elements"]}


def test_live_counts_name_each_element_where_open_cases_wait(as_user):
    just_started = as_user("agent").post("/processes/repair/instances").json["id"]
    RepairCase(as_user)
    RepairCase(as_user)
    reporting = RepairCase(as_user)
    reporting.walk(*HAPPY_PATH_TO_REPORT)
    cancelled = RepairCase(as_user)
    response = as_user("supervisor").post(f"/instances/{cancelled.id}/cancel", json={"reason": "duplicate request"})
    assert response.status_code == 200, response.json

    body = as_user("process_owner").get(LIVE).json

    assert body["process_key"] == "repair" and body["version"] == 1
    assert body["open_cases"] == 4  # the cancelled case waits nowhere
    assert counts_by_element(body) == {
        "register_request": (1, 1, 0),
        "contact_customer": (2, 2, 0),
        "contact_overdue": (2, 0, 2),
        "arrival_deadline_passed": (2, 0, 2),  # the two cases nobody has visited yet
        "file_report": (1, 1, 0),
        "report_escalation": (1, 0, 1),
        "report_reminder": (1, 0, 1),
    }
    timers = {e["element_id"]: e for e in body["elements"]}
    assert timers["contact_overdue"]["next_due_at"] == "2026-03-03T09:00:00+08:00"  # 24 h after the start
    assert timers["contact_overdue"]["type"] == "intermediateCatchEvent"  # on the watch beside the contact
    assert as_user("admin").get(f"/instances/{just_started}").json["status"] == "running"


def test_a_badge_opens_the_cases_waiting_at_its_element(clock, as_user):
    from datetime import timedelta

    first = RepairCase(as_user)
    clock.advance(timedelta(hours=1))
    second = RepairCase(as_user)
    second.do("contact_customer")
    third = RepairCase(as_user)
    body = as_user("supervisor").get(f"{LIVE}/contact_customer").json
    assert body["name"].startswith("首次联系客户") and body["more"] is False
    # The longest waiting first; the case that moved on is not listed.
    assert [c["case_no"] for c in body["cases"]] == [first.body["case_no"], third.body["case_no"]]
    assert [c["since"] for c in body["cases"]] == ["2026-03-02T09:00:00+08:00", "2026-03-02T10:00:00+08:00"]
    timers = as_user("supervisor").get(f"{LIVE}/contact_overdue").json["cases"]
    assert [(c["instance_id"], c["due_at"]) for c in timers] == [
        (first.id, "2026-03-03T09:00:00+08:00"),
        (third.id, "2026-03-03T10:00:00+08:00"),
    ]
    assert as_user("supervisor").get(f"{LIVE}/no_such_element").json["cases"] == []
    assert as_user("tech_urban1").get(f"{LIVE}/contact_customer").status_code == 403


def test_a_completed_step_leaves_the_counts(as_user):
    case = RepairCase(as_user)
    before = counts_by_element(as_user("auditor").get(LIVE).json)
    case.do("contact_customer")
    after = counts_by_element(as_user("auditor").get(LIVE).json)
    arrival_clock = {"arrival_deadline_passed": (1, 0, 1)}  # the arrival promise runs until the check-in
    assert before == {"contact_customer": (1, 1, 0), "contact_overdue": (1, 0, 1), **arrival_clock}
    assert after == {"dispatch_notice": (1, 1, 0), **arrival_clock}


@pytest.mark.parametrize("username", ["process_owner", "admin", "auditor", "supervisor", "service_manager"])
def test_watching_roles_read_the_live_counts(as_user, username):
    assert as_user(username).get(LIVE).status_code == 200


@pytest.mark.parametrize("username", ["tech_urban1", "agent", "qa"])
def test_other_roles_are_refused_the_live_counts(as_user, username):
    response = as_user(username).get(LIVE)
    assert response.status_code == 403
    assert "live counts" in response.json["message"]


def test_an_unknown_version_has_no_live_counts(as_user):
    assert as_user("admin").get("/processes/repair/versions/9/live").status_code == 404
    assert as_user("admin").get("/processes/nothing/versions/1/live").status_code == 404


def test_the_live_viewer_page_and_its_diagram_follow_the_same_roles(app):
    supervisor, technician = app.test_client(), app.test_client()
    login(supervisor, "supervisor")
    login(technician, "tech_urban1")
    page = supervisor.get(LIVE)
    assert page.status_code == 200
    assert 'id="live"' in page.get_data(as_text=True)
    diagram = supervisor.get(f"{LIVE}/diagram.xml")
    assert diagram.status_code == 200 and b'id="contact_customer"' in diagram.data
    assert technician.get(LIVE).status_code == 403
    assert technician.get(f"{LIVE}/diagram.xml").status_code == 403
