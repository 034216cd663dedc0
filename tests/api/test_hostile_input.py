"""Input an attacker (or a careless client) sends that must be refused, and lose nothing."""

from __future__ import annotations

import json

import pytest

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
    timer = waiting_timers(as_user, other.id)["contact_overdue"]
    moved = owner.client.patch(
        f"/api/v1/instances/{mine.id}/timers/{timer['id']}",
        json={"due_at": "2026-04-01T09:00:00+08:00", "reason": "x"},
        headers=owner._headers(),
    )
    assert moved.status_code == 404 and f"is not of case {mine.id}" in moved.json["message"]
    assert waiting_timers(as_user, other.id)["contact_overdue"]["due_at"] == timer["due_at"]

    task = other.ready()["contact_customer"]
    skipped = owner.post(f"/instances/{mine.id}/tasks/{task['id']}/skip", json={"reason": "x", "data": {}})
    assert skipped.status_code == 404 and f"is not of case {mine.id}" in skipped.json["message"]
    assert "contact_customer" in other.ready() and "task_skipped" not in [e["type"] for e in other.events()]
    # under its own case the same operations work
    assert owner.post(f"/instances/{other.id}/tasks/{task['id']}/skip", json={"reason": "x"}).status_code == 200


def test_an_attachment_of_another_case_is_not_found_under_this_case(as_user):
    from tests.api.test_attachments import PNG
    from tests.api.test_attachments import accept

    signed, _ = accept(as_user, PNG)
    [attachment] = as_user("auditor").get(f"/instances/{signed.id}/attachments").json
    other = RepairCase(as_user)
    wrong = as_user("auditor").get(f"/instances/{other.id}/attachments/{attachment['id']}")
    assert wrong.status_code == 404 and f"is not of case {other.id}" in wrong.json["message"]
    assert as_user("auditor").get(f"/instances/{signed.id}/attachments/{attachment['id']}").status_code == 200


def test_a_number_that_is_not_finite_is_refused_with_its_field_and_the_lists_stay_json(as_user):
    case = RepairCase(as_user)
    case.walk("contact_customer", "dispatch_notice", "agree_appointment", "record_arrival")
    task = case.ready()["diagnose_on_site"]
    technician = as_user(task["assignee"])
    template = json.dumps({**FORMS["diagnose_on_site"], "labour_qty": "HERE"})
    for literal in NOT_FINITE:
        body = template.replace('"HERE"', literal)
        refused = raw_post(technician, f"/tasks/{task['id']}/complete", body)
        assert refused.status_code == 422, (literal, refused.json)
        assert list(refused.json["fields"]) == ["labour_qty"], refused.json
        assert "finite" in refused.json["fields"]["labour_qty"][0]
    nested = raw_post(technician, f"/tasks/{task['id']}/complete", '{"parts": [{"qty": NaN}]}')
    assert nested.status_code == 422 and list(nested.json["fields"]) == ["parts.0.qty"]
    assert "diagnose_on_site" in case.ready()  # nothing was taken
    # the API's argument parser (skip's ``data``) reads through the same provider
    owner = as_user("process_owner")
    skipped = raw_post(owner, f"/instances/{case.id}/tasks/{task['id']}/skip", '{"reason": "x", "data": {"q": NaN}}')
    assert skipped.status_code == 422 and list(skipped.json["fields"]) == ["data.q"]
    assert "diagnose_on_site" in case.ready()
    listing = as_user("admin").client.get("/api/v1/instances", headers=as_user("admin")._headers())
    assert case.id in [c["id"] for c in strict_json(listing.get_data(as_text=True))]


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
        assert skipped.status_code == 422 and list(skipped.json["fields"]) == ["data.technician"], skipped.json
    assert "dispatch_notice" in case.ready()
    case.walk("dispatch_notice", "agree_appointment", "record_arrival")
    task = case.ready()["diagnose_on_site"]
    holder = task["assignee"]
    for who in ("dispatcher", "admin", holder):
        api = as_user(who)
        refused = api.post(f"/tasks/{task['id']}/delegate", json={"username": "tech_expired"})
        if who == "dispatcher":  # not in the task's role at all
            assert refused.status_code == 403
            continue
        assert refused.status_code == 422, refused.json
        assert "certificate expired" in refused.json["fields"]["username"][0]
    assert case.ready()["diagnose_on_site"]["assignee"] == holder
    assert as_user(holder).post(f"/tasks/{task['id']}/unclaim").status_code == 200
    expired = as_user("tech_expired")
    claimed = expired.post(f"/tasks/{task['id']}/claim")
    assert claimed.status_code == 422 and "certificate expired" in claimed.json["fields"]["username"][0]
    completed = expired.post(f"/tasks/{task['id']}/complete", json=FORMS["diagnose_on_site"])
    assert completed.status_code == 422 and "certificate expired" in completed.json["fields"]["username"][0]
    assert case.ready()["diagnose_on_site"]["assignee"] is None
    assert not [e for e in case.events("task_delegated") if e["data"]["to"] == "tech_expired"]
    assert as_user("tech_urban2").post(f"/tasks/{task['id']}/claim").status_code == 200


def case_count(as_user) -> int:
    return len(as_user("admin").get("/instances?limit=1000").json)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"cs_agent": "ghost"}, "cs_agent"),  # would hand the first task to a user who does not exist
        ({"technician": "tech_expired"}, "technician"),
        ({"add_days": 1}, "add_days"),  # sandbox helpers: the case would stop at the first script
        ({"now": "2020-01-01"}, "now"),
        ({"classify_fee": "A"}, "classify_fee"),
        ({"len": 3}, "len"),  # a builtin of the scripts
        ({"_getiter_": 1}, "_getiter_"),
        ({"case_no": "REP-2026-999999"}, "case_no"),  # what the application writes itself
        ({"received_at": "2020-01-01T00:00:00+08:00"}, "received_at"),
        ({"started_by": "admin"}, "started_by"),
        ({"scheduled_for": "2020-01-01T00:00:00+08:00"}, "scheduled_for"),
        ({"note": "来电"}, "note"),  # not a field of the start form
        ({"plan_case_no": "ANN-2026-000001"}, "plan_case_no"),  # readOnly: the annual plan's to set
        ({"customer_name": 5}, "customer_name"),
    ],
)
def test_start_data_outside_the_start_form_is_refused_naming_the_field(as_user, data, field):
    before = case_count(as_user)
    refused = as_user("agent").post("/processes/repair/instances", json={"description": "ok", **data})
    assert refused.status_code == 422, refused.json
    assert list(refused.json["fields"]) == [field], refused.json
    assert case_count(as_user) == before


def test_a_start_body_that_is_not_a_json_object_opens_no_case(as_user):
    agent = as_user("agent")
    before = case_count(as_user)
    for body, content_type in (("garbage", "text/plain"), ('{"description": "x"}', "text/plain")):
        refused = raw_post(agent, "/processes/repair/instances", body, content_type)
        assert refused.status_code == 415 and "Content-Type" in refused.json["fields"], (body, refused.json)
    for body, content_type, status in (
        ("garbage", "application/json", 400),  # not JSON at all: malformed
        ("[1, 2]", "application/json", 422),  # JSON, but not an object
        ('"text"', "application/json", 422),
        ("null", "application/json", 422),
        (b"\xff\xfe{", "application/json", 400),
    ):
        refused = raw_post(agent, "/processes/repair/instances", body, content_type)
        assert refused.status_code == status and list(refused.json["fields"]) == ["_schema"], (body, refused.json)
    assert case_count(as_user) == before
    started = agent.post("/processes/repair/instances", json={"customer_name": "张伟", "description": "不制冷"})
    assert started.status_code == 201 and started.json["data"]["customer_name"] == "张伟"
    assert agent.post("/processes/repair/instances").status_code == 201  # no body: no start data


def test_a_process_without_a_start_form_takes_an_empty_object_only(as_user):
    planner = as_user("agent")
    refused = planner.post("/processes/annual_plan/instances", json={"plan_year": 2030, "x": 1})
    assert refused.status_code == 422 and sorted(refused.json["fields"]) == ["plan_year", "x"]
    assert "takes no start data" in refused.json["fields"]["x"][0]
    assert planner.post("/processes/annual_plan/instances", json={}).status_code == 201


def test_a_schedule_whose_data_the_start_form_refuses_is_refused_when_written(as_user):
    admin = as_user("admin")
    schedule = {"name": "weekly", "process_key": "repair", "rule": "R/2026-03-09T09:00:00+08:00/P1W"}
    refused = admin.post("/schedules", json={**schedule, "data": {"cs_agent": "ghost", "note": "x"}})
    assert refused.status_code == 422 and sorted(refused.json["fields"]) == ["data.cs_agent", "data.note"]
    created = admin.post("/schedules", json={**schedule, "data": {"planned": True}})  # readOnly: the system's
    assert created.status_code == 201, created.json
    changed = admin.client.patch(
        f"/api/v1/schedules/{created.json['id']}", json={"data": {"now": 1}}, headers=admin._headers()
    )
    assert changed.status_code == 422 and list(changed.json["fields"]) == ["data.now"]


def test_a_planned_start_refused_when_it_runs_pauses_its_schedule_and_says_so_on_the_plan(app_with_diagram, clock):
    from datetime import timedelta

    from app.domain.principal import Principal
    from app.services.cases.opening import start_case
    from app.services.planning import schedules
    from app.services.tasks.work import complete_task
    from app.services.tasks.work import list_tasks
    from app.services.timing.timer_firing import fire_due
    from tests.api.test_schedules import PLANNER

    ctx = app_with_diagram(PLANNER.replace('"data": {"visit": i}', '"data": {"visit": "no. " + str(i)}'))
    ctx = ctx.extensions["aftersales"]
    agent = Principal("agent", frozenset({"cs_agent"}))
    plan = start_case(ctx, "tiny", None, agent)
    [(task, _)] = list_tasks(ctx, agent, instance_id=plan.id)
    complete_task(ctx, task.id, {"ok": True}, agent)
    clock.advance(timedelta(days=31))
    assert fire_due(ctx).opened == 0
    with ctx.uow() as uow:
        assert [i.id for i in uow.instances.list(limit=10)] == [plan.id]  # no case opened
        [refusal] = [e for e in uow.events.for_instance(plan.id) if e.type == "scheduled_case_refused"]
    assert refusal.data["errors"] == {"visit": ["'no. 0' is not of type 'integer' / 须为整数"]}
    first = next(s for s in schedules.list_schedules(ctx, Principal("admin", frozenset({"admin"}))) if "#1" in s.name)
    assert first.enabled is False and first.next_run_at is not None  # paused at the refused occurrence
    clock.advance(timedelta(days=1))
    assert fire_due(ctx).opened == 0  # not retried every round
    with ctx.uow() as uow:
        assert len([e for e in uow.events.for_instance(plan.id) if e.type == "scheduled_case_refused"]) == 1


def test_a_message_start_the_receiver_refuses_is_recorded_on_the_sender(app, as_user, tmp_path):
    import json
    import shutil

    from app.services.processes.deployments import deploy_directory

    changed = tmp_path / "processes-v2"
    shutil.copytree(app.config["PROCESSES_DIR"], changed)
    form = changed / "forms" / "complaint" / "start.json"
    schema = json.loads(form.read_text(encoding="utf-8"))
    del schema["properties"]["product_model"]  # the complaint no longer takes what the repair sends
    form.write_text(json.dumps(schema, ensure_ascii=False), encoding="utf-8")
    deploy_directory(app.extensions["aftersales"], changed)
    repair = RepairCase(as_user, contract_no="MC-2025-001")
    repair.do("contact_customer", service_mode="remote")
    repair.do("remote_support")
    repair.do("callback_answer", satisfied=False, satisfaction_score=30, callback_comments="工程师态度差")
    assert repair.body["status"] == "completed" and repair.body["links"] == []
    [undelivered] = repair.events("message_undelivered")
    assert "complaint refused the start data" in undelivered["data"]["reason"]
    assert list(undelivered["data"]["errors"]) == ["product_model"]
