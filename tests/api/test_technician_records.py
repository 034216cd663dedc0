"""Technician records: who may have one, and what their certificate and leave do to dispatch —
through the API, with the simulated clock moved instead of waited for."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.services.timing.timer_firing import fire_due
from tests.repair_driver import FORMS
from tests.repair_driver import RepairCase

TECH = {"name": "钱明 Qian Ming", "branch": "市区 Urban", "title": "junior", "max_load": 4, "cert_expiry": "2027-01-01"}


def patch(api, path: str, body: dict):
    return api.client.patch(f"/api/v1{path}", json=body, headers=api._headers())


def edit_technician(as_user, username: str, **fields):
    manager = as_user("service_manager")
    revision = manager.get(f"/master/technicians/{username}").json["record"]["revision"]
    response = patch(manager, f"/master/technicians/{username}", {**fields, "revision": revision})
    assert response.status_code == 200, response.json
    return response.json


def add_user(as_user, username: str, roles: list[str]) -> None:
    response = as_user("admin").post("/users", json={"username": username, "roles": roles})
    assert response.status_code == 201, response.json


@pytest.mark.parametrize(
    ("prepare", "username", "problem"),
    [
        (lambda as_user: None, "nobody", "no users record 'nobody'"),
        (lambda as_user: None, "agent", "user agent does not have the role technician"),
        (
            lambda as_user: (
                add_user(as_user, "qian.ming", ["technician"]),
                as_user("admin").post("/users/qian.ming/disable"),
            ),
            "qian.ming",
            "user qian.ming is disabled",
        ),
    ],
)
def test_a_technician_record_names_an_active_user_with_the_technician_role(as_user, prepare, username, problem):
    prepare(as_user)
    response = as_user("service_manager").post("/master/technicians", json={"username": username, **TECH})
    assert response.status_code == 422 and response.json["fields"] == {"username": [problem]}


def test_a_new_technician_user_gets_a_record_that_stays_editable_after_disabling(as_user):
    add_user(as_user, "qian.ming", ["technician"])
    response = as_user("service_manager").post("/master/technicians", json={"username": "qian.ming", **TECH})
    assert response.status_code == 201, response.json
    assert as_user("admin").post("/users/qian.ming/disable").status_code == 200
    assert edit_technician(as_user, "qian.ming", cert_no="CERT-QM-2")["cert_no"] == "CERT-QM-2"


def proposed(as_user, task_id: str) -> list[str]:
    form = as_user("dispatcher").get(f"/tasks/{task_id}").json["form"]
    return [o["const"] for o in form["properties"]["technician"]["oneOf"]]


def at_dispatch(as_user) -> tuple[RepairCase, str]:
    case = RepairCase(as_user)  # urban refrigeration: tech_urban1 is the best match
    case.do("contact_customer")
    return case, case.ready()["dispatch_notice"]["id"]


def test_a_certificate_that_ran_out_takes_the_technician_out_of_dispatch_the_next_day(as_user, clock):
    today = clock.now().date().isoformat()  # 09:00 in Shanghai: the same day there
    edit_technician(as_user, "tech_urban1", cert_expiry=today)
    case, task = at_dispatch(as_user)
    assert proposed(as_user, task)[0] == "tech_urban1"  # valid through its last day
    clock.advance(timedelta(days=1))
    assert "tech_urban1" not in proposed(as_user, task)
    refused = case.submit("dispatch_notice", {**FORMS["dispatch_notice"], "technician": "tech_urban1"})
    assert refused.status_code == 422
    assert f"certificate expired on {today}" in refused.json["fields"]["technician"][0]
    case.do("dispatch_notice", technician="tech_urban2")
    case.do("agree_appointment")
    assert case.ready()["record_arrival"]["assignee"] == "tech_urban2"


def test_a_technician_on_leave_is_not_proposed_nor_dispatched_on_those_days(as_user, clock):
    edit_technician(as_user, "tech_urban1", unavailable="2026-03-02/2026-03-03; 2026-03-09")
    case, task = at_dispatch(as_user)
    assert "tech_urban1" not in proposed(as_user, task)
    refused = case.submit("dispatch_notice", {**FORMS["dispatch_notice"], "technician": "tech_urban1"})
    assert refused.status_code == 422
    assert "on leave 2026-03-02 to 2026-03-03" in refused.json["fields"]["technician"][0]
    clock.advance(timedelta(days=2))  # Wednesday: back at work
    assert proposed(as_user, task)[0] == "tech_urban1"
    clock.advance(timedelta(days=5))  # the next Monday: a day off
    assert "tech_urban1" not in proposed(as_user, task)
    clock.advance(timedelta(days=1))
    case.do("dispatch_notice", technician="tech_urban1")
    case.do("agree_appointment")
    assert case.ready()["record_arrival"]["assignee"] == "tech_urban1"


def certificate_notes(as_user, username: str) -> list[str]:
    return [n["title"] for n in as_user(username).get("/notifications").json if n["kind"] == "certificate"]


def test_dispatchers_and_the_service_manager_are_told_once_when_a_certificate_runs_out(app, ctx, as_user, clock):
    edit_technician(as_user, "tech_urban1", cert_expiry=(clock.now() + timedelta(days=40)).date().isoformat())
    fire_due(ctx)
    # tech_expired's certificate ran out 30 days before the demo's data was loaded
    expected = [
        "上岗证已过期，不可派工：孙浩 Sun Hao（tech_expired），2026-01-31"
        " / Certificate expired, not dispatched: 孙浩 Sun Hao (tech_expired), 2026-01-31"
    ]
    assert certificate_notes(as_user, "dispatcher") == expected
    assert certificate_notes(as_user, "service_manager") == expected
    assert certificate_notes(as_user, "supervisor") == [] and certificate_notes(as_user, "tech_urban1") == []

    clock.advance(timedelta(days=10))  # 30 days before tech_urban1's expiry
    fire_due(ctx)
    fire_due(ctx)  # a second round tells nothing again
    notes = certificate_notes(as_user, "dispatcher")
    assert len(notes) == 2 and notes[0].startswith("上岗证即将到期：刘洋 Liu Yang（tech_urban1），2026-04-11 / ")

    clock.advance(timedelta(days=31))  # the day after expiry
    fire_due(ctx)
    fire_due(ctx)
    notes = certificate_notes(as_user, "service_manager")
    assert (
        len(notes) == 3 and "Certificate expired, not dispatched: 刘洋 Liu Yang (tech_urban1), 2026-04-11" in notes[0]
    )

    # A renewed certificate is told about again when it, too, runs out.
    edit_technician(as_user, "tech_urban1", cert_expiry=(clock.now() + timedelta(days=5)).date().isoformat())
    fire_due(ctx)
    assert len(certificate_notes(as_user, "dispatcher")) == 4


def test_a_certificate_notice_is_about_no_case_and_opens_the_notifications(app, ctx, as_user):
    fire_due(ctx)
    [note] = [n for n in as_user("dispatcher").get("/notifications").json if n["kind"] == "certificate"]
    assert note["instance_id"] is None and note["task_id"] is None and note["read_at"] is None
    browser = app.test_client()
    browser.get("/login")
    with browser.session_transaction() as session:
        token = session["csrf"]
    browser.post("/login", data={"username": "dispatcher", "password": "dispatcher", "csrf_token": token})
    page = browser.get("/notifications").get_data(as_text=True)
    assert "<td>上岗证</td>" in page.replace('<span class="badge badge-unread">未读</span> ', "")
    with browser.session_transaction() as session:
        token = session["csrf"]
    opened = browser.post(f"/notifications/{note['id']}/open", data={"csrf_token": token})
    assert opened.status_code == 302 and opened.headers["Location"].endswith("/notifications")
    assert note["id"] not in [n["id"] for n in as_user("dispatcher").get("/notifications?unread=true").json]


def test_a_disabled_technician_is_not_told_about(app, ctx, as_user):
    assert as_user("admin").post("/users/tech_expired/disable").status_code == 200
    fire_due(ctx)
    assert certificate_notes(as_user, "dispatcher") == []
