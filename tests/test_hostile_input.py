"""Input an attacker (or a careless client) sends that must be refused, and lose nothing."""

from __future__ import annotations

import json

import pytest

from app.errors import InvalidInput
from app.services import forms
from tests.repair_driver import FORMS
from tests.repair_driver import RepairCase

NOT_FINITE = ("NaN", "Infinity", "-Infinity", "1e999", "-1e999")


def raw_post(api, path: str, body: str | bytes, content_type: str = "application/json"):
    return api.client.post(f"/api/v1{path}", data=body, content_type=content_type, headers=api._headers())


def strict_json(text: str):
    """What any JSON parser other than Python's would accept."""

    def refuse(constant: str):
        raise ValueError(f"{constant} is not JSON")

    return json.loads(text, parse_constant=refuse)


def waiting_timers(as_user, case_id: int) -> dict[str, dict]:
    rows = as_user("admin").get(f"/instances/{case_id}/timers").json
    return {t["element_id"]: t for t in rows if t["status"] == "waiting"}


def test_a_timer_or_task_of_another_case_is_not_found_under_this_case(as_user):
    mine, other = RepairCase(as_user), RepairCase(as_user)
    owner = as_user("process_owner")
    [(element, timer)] = waiting_timers(as_user, other.id).items()
    moved = owner.client.patch(
        f"/api/v1/instances/{mine.id}/timers/{timer['id']}",
        json={"due_at": "2026-04-01T09:00:00+08:00", "reason": "x"},
        headers=owner._headers(),
    )
    assert moved.status_code == 404 and f"is not of case {mine.id}" in moved.json["message"]
    assert waiting_timers(as_user, other.id)[element]["due_at"] == timer["due_at"]

    task = other.ready()["contact_customer"]
    skipped = owner.post(f"/instances/{mine.id}/tasks/{task['id']}/skip", json={"reason": "x", "data": {}})
    assert skipped.status_code == 404 and f"is not of case {mine.id}" in skipped.json["message"]
    assert "contact_customer" in other.ready() and "task_skipped" not in [e["type"] for e in other.events()]
    # under its own case the same operations work
    assert owner.post(f"/instances/{other.id}/tasks/{task['id']}/skip", json={"reason": "x"}).status_code == 200


def test_an_attachment_of_another_case_is_not_found_under_this_case(as_user):
    from tests.test_attachments import PNG
    from tests.test_attachments import accept

    signed, _ = accept(as_user, PNG)
    [attachment] = as_user("auditor").get(f"/instances/{signed.id}/attachments").json
    other = RepairCase(as_user)
    wrong = as_user("auditor").get(f"/instances/{other.id}/attachments/{attachment['id']}")
    assert wrong.status_code == 404 and f"is not of case {other.id}" in wrong.json["message"]
    assert as_user("auditor").get(f"/instances/{signed.id}/attachments/{attachment['id']}").status_code == 200


def test_a_number_that_is_not_finite_is_refused_with_its_field_and_the_lists_stay_json(as_user):
    case = RepairCase(as_user)
    case.walk("contact_customer", "dispatch_notice")
    task = case.ready()["diagnose_on_site"]
    technician = as_user(task["assignee"])
    template = json.dumps({**FORMS["diagnose_on_site"], "quote_amount": "HERE"})
    for literal in NOT_FINITE:
        body = template.replace('"HERE"', literal)
        refused = raw_post(technician, f"/tasks/{task['id']}/complete", body)
        assert refused.status_code == 422, (literal, refused.json)
        assert list(refused.json["errors"]) == ["quote_amount"], refused.json
        assert "finite" in refused.json["errors"]["quote_amount"][0]
    nested = raw_post(technician, f"/tasks/{task['id']}/complete", '{"parts": [{"qty": NaN}]}')
    assert nested.status_code == 422 and list(nested.json["errors"]) == ["parts.0.qty"]
    assert "diagnose_on_site" in case.ready()  # nothing was taken
    # the API's argument parser (skip's ``data``) reads through the same provider
    owner = as_user("process_owner")
    skipped = raw_post(owner, f"/instances/{case.id}/tasks/{task['id']}/skip", '{"reason": "x", "data": {"q": NaN}}')
    assert skipped.status_code == 422 and list(skipped.json["errors"]) == ["data.q"]
    assert "diagnose_on_site" in case.ready()
    listing = as_user("admin").client.get("/api/v1/instances", headers=as_user("admin")._headers())
    assert case.id in [c["id"] for c in strict_json(listing.get_data(as_text=True))]


def test_a_form_given_a_non_finite_float_by_any_path_is_refused():
    schema = {"type": "object", "properties": {"budget": {"type": "number"}, "rows": {"type": "array"}}}
    for value in (float("nan"), float("inf"), float("-inf")):
        with pytest.raises(InvalidInput) as refused:
            forms.validate(schema, {"budget": value, "rows": [{"qty": value}]})
        assert sorted(refused.value.errors) == ["budget", "rows.0.qty"]
    assert forms.validate(schema, {"budget": 1e308}) == {"budget": 1e308}


def test_a_body_nested_too_deeply_is_a_422_not_a_500(as_user):
    case = RepairCase(as_user)
    task = case.ready()["contact_customer"]
    owner, agent = as_user("process_owner"), as_user("agent")
    for depth in (100, 100_000):
        deep = "[" * depth + "]" * depth
        for api, path in (
            (agent, f"/tasks/{task['id']}/complete"),
            (agent, "/processes/repair/instances"),
            (owner, f"/instances/{case.id}/suspend"),  # parsed by webargs
        ):
            response = raw_post(api, path, deep)
            assert response.status_code == 422, (depth, path, response.status_code)
            assert "nested" in response.json["message"]
    assert "contact_customer" in case.ready() and case.body["status"] == "running"


def test_a_technician_without_a_valid_certificate_is_handed_no_task_by_any_path(as_user):
    case = RepairCase(as_user)
    case.walk("contact_customer")
    owner = as_user("process_owner")
    notice = case.ready()["dispatch_notice"]
    for named in ("tech_expired", "ghost"):
        skipped = owner.post(
            f"/instances/{case.id}/tasks/{notice['id']}/skip",
            json={"reason": "x", "data": {**FORMS["dispatch_notice"], "technician": named}},
        )
        assert skipped.status_code == 422 and list(skipped.json["errors"]) == ["data.technician"], skipped.json
    assert "dispatch_notice" in case.ready()
    case.walk("dispatch_notice")
    task = case.ready()["diagnose_on_site"]
    holder = task["assignee"]
    for who in ("dispatcher", "admin", holder):
        api = as_user(who)
        refused = api.post(f"/tasks/{task['id']}/delegate", json={"username": "tech_expired"})
        if who == "dispatcher":  # not in the task's role at all
            assert refused.status_code == 403
            continue
        assert refused.status_code == 422, refused.json
        assert "certificate expired" in refused.json["errors"]["username"][0]
    assert case.ready()["diagnose_on_site"]["assignee"] == holder
    assert as_user(holder).post(f"/tasks/{task['id']}/unclaim").status_code == 200
    expired = as_user("tech_expired")
    claimed = expired.post(f"/tasks/{task['id']}/claim")
    assert claimed.status_code == 422 and "certificate expired" in claimed.json["errors"]["username"][0]
    completed = expired.post(f"/tasks/{task['id']}/complete", json=FORMS["diagnose_on_site"])
    assert completed.status_code == 422 and "certificate expired" in completed.json["errors"]["username"][0]
    assert case.ready()["diagnose_on_site"]["assignee"] is None
    assert not [e for e in case.events("task_delegated") if e["data"]["to"] == "tech_expired"]
    assert as_user("tech_urban2").post(f"/tasks/{task['id']}/claim").status_code == 200
