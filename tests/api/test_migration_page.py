"""A process owner moves running cases to a new version on the workbench's migration page: the dry run
says per case whether it moves and why not, a mapping of renamed elements lets more cases move, a
reason is required and kept with the mapping and the actor; afterwards an old task link (the page
and the API) leads to the task of the same element the case has now."""

from __future__ import annotations

import re

from tests.api.test_versions import waiting_and_contacted_then_version_2_renames_contact
from tests.api.test_web import login

MAPPING = {"contact_customer": "call_customer"}


def test_the_dry_run_says_where_each_case_waits_what_the_target_lacks_and_a_mapping_places_it(as_user):
    waiting, contacted = waiting_and_contacted_then_version_2_renames_contact(as_user)
    owner = as_user("process_owner")
    check = {r["case_id"]: r for r in owner.get("/processes/repair/migration-check?from=1&to=2").json}
    assert check[waiting.id]["here"] == ["contact_customer"] and check[waiting.id]["can_move"] is True
    assert check[waiting.id]["missing"] == ["contact_customer"]  # it would leave its step for call_customer
    held = check[contacted.id]
    assert held["can_move"] is False and held["here"] == ["dispatch_notice"]
    assert held["missing"] == ["contact_customer"]
    assert {"kind": "inserted", "element_id": "contact_customer"}.items() <= held["problems"][0].items()

    mapped = owner.get("/processes/repair/migration-check?from=1&to=2&map=contact_customer:call_customer").json
    assert all(r["can_move"] and r["missing"] == [] and r["problems"] == [] for r in mapped)
    unknown = owner.get("/processes/repair/migration-check?from=1&to=2&map=contact_customer:no_such_task")
    assert unknown.status_code == 422
    assert unknown.json["fields"]["mapping"] == ["no_such_task is not an element of version 2"]


def test_a_move_needs_a_reason_and_a_mapping_onto_elements_that_exist(as_user):
    waiting, contacted = waiting_and_contacted_then_version_2_renames_contact(as_user)
    owner = as_user("process_owner")
    for reason in (None, "", "   "):
        body = {"from": 1, "to": 2, **({"reason": reason} if reason is not None else {})}
        refused = owner.post("/processes/repair/migrate", json=body)
        assert refused.status_code == 422 and "reason" in refused.json["fields"], reason
        one = owner.post(f"/instances/{waiting.id}/migrate", json={k: v for k, v in body.items() if k == "reason"})
        assert one.status_code == 422 and "reason" in one.json["fields"]
    wrong = owner.post("/processes/repair/migrate", json={"from": 1, "to": 2, "reason": "r", "mapping": {"x": "y"}})
    assert wrong.status_code == 422
    assert wrong.json["fields"]["mapping"] == ["x is not an element of version 1", "y is not an element of version 2"]
    assert waiting.body["version"] == 1 and contacted.body["version"] == 1  # nothing moved


def test_only_the_selected_cases_move_and_the_move_is_audited_with_reason_mapping_and_actor(app, as_user):
    waiting, contacted = waiting_and_contacted_then_version_2_renames_contact(as_user)
    owner = as_user("process_owner")
    body = {"from": 1, "to": 2, "mapping": MAPPING, "reason": "v2 calls the customer", "cases": [contacted.id]}
    report = owner.post("/processes/repair/migrate", json=body).json
    assert report == [{"case_id": contacted.id, "case_no": contacted.body["case_no"], "moved": True, "why_not": []}]
    assert waiting.body["version"] == 1 and contacted.body["version"] == 2
    [event] = contacted.events("instance_migrated")
    assert event["actor"] == "process_owner"
    assert event["data"]["reason"] == "v2 calls the customer" and event["data"]["mapping"] == MAPPING

    web = app.test_client()
    login(web, "process_owner")
    page = web.get(f"/cases/{contacted.id}").get_data(as_text=True)
    migrated = page[page.index('class="event-migrated"') :][:600]
    assert "v1 → v2" in migrated and "v2 calls the customer" in migrated
    assert "<code>contact_customer</code> → <code>call_customer</code>" in migrated


def test_an_old_task_link_leads_to_the_new_task_of_the_same_element(app, as_user):
    waiting, contacted = waiting_and_contacted_then_version_2_renames_contact(as_user)
    old_contact = waiting.ready()["contact_customer"]["id"]
    old_dispatch = contacted.ready()["dispatch_notice"]["id"]
    owner = as_user("process_owner")
    body = {"from": 1, "to": 2, "mapping": MAPPING, "reason": "renamed"}
    assert all(r["moved"] for r in owner.post("/processes/repair/migrate", json=body).json)
    new_call = waiting.ready()["call_customer"]["id"]
    new_dispatch = contacted.ready()["dispatch_notice"]["id"]
    assert new_dispatch != old_dispatch
    [event] = waiting.events("instance_migrated")
    assert event["data"]["tasks"] == {old_contact: new_call}

    for old, new, user in ((old_contact, new_call, "agent"), (old_dispatch, new_dispatch, "dispatcher")):
        answer = as_user(user).get(f"/tasks/{old}")
        assert answer.status_code == 308 and answer.headers["Location"].endswith(f"/api/v1/tasks/{new}")
        assert answer.json["moved_to"] == new
        assert as_user(user).get(f"/tasks/{new}").json["status"] == "ready"
    claimed = as_user("agent").post(f"/tasks/{old_contact}/claim")  # working the old task says where to go
    assert claimed.status_code == 409 and new_call in claimed.json["detail"]
    # Someone who may not read the case learns nothing of the move.
    assert as_user("finance").get(f"/tasks/{old_contact}").status_code == 403

    web = app.test_client()
    login(web, "agent")
    followed = web.get(f"/tasks/{old_contact}", follow_redirects=True)
    assert followed.request.path == f"/tasks/{new_call}" and followed.status_code == 200
    # Moved once more (back to a copy of version 1 as version 3): the first link still leads to the newest task.
    assert owner.post("/processes/repair/versions/1/redeploy").status_code == 201
    again = {"from": 2, "to": 3, "mapping": {"call_customer": "contact_customer"}, "reason": "back"}
    assert owner.post("/processes/repair/migrate", json=again).json[0]["moved"] is True
    newest = waiting.ready()["contact_customer"]["id"]
    assert as_user("agent").get(f"/tasks/{old_contact}").json["moved_to"] == newest


def test_the_migration_page_offers_the_target_elements_for_each_element_the_target_lacks(app, as_user):
    waiting_and_contacted_then_version_2_renames_contact(as_user)
    web = app.test_client()
    login(web, "process_owner")
    page = web.get("/workbench/repair/migrate").get_data(as_text=True)
    assert 'id="wb-migrate-from"' in page and '<option value="1" selected>v1 · 2 ' in page
    rows = re.findall(r'<tr data-element-id="([^"]+)">', page)
    assert rows == ["contact_customer"]
    mapping = page[page.index('data-source="contact_customer"') :].split("</select>")[0]
    assert '<option value="call_customer">' in mapping and '<option value="contact_customer">' not in mapping
    assert "<script>" not in page and "onclick" not in page
    editor = web.get("/workbench/repair").get_data(as_text=True)
    assert "/workbench/repair/migrate?from=1" in editor
    assert web.get("/workbench/repair/migrate?from=9").status_code == 404
