"""The JSON API's contract: who may do what, and the answers to bad requests."""

from __future__ import annotations

import threading

from tests.conftest import make_app


def start(api, key="tiny", data=None):
    response = api.post(f"/processes/{key}/instances", json=data)
    assert response.status_code == 201, response.json
    return response.json


def ready_task(api, instance_id):
    [task] = api.get(f"/tasks?instance_id={instance_id}").json
    return task


def test_health_and_openapi_need_no_login(tiny):
    client = tiny.test_client()
    assert client.get("/healthz").json["status"] == "ok"
    spec = client.get("/api/v1/openapi.json").json
    assert "/api/v1/tasks/{task_id}/complete" in spec["paths"]
    assert "/api/v1/processes/{key}/instances" in spec["paths"]


def test_the_api_needs_credentials(tiny_api):
    response = tiny_api(None).get("/processes")
    assert response.status_code == 401
    # A challenge, but not Basic's: a browser would ask for a password and then send it cross-site too.
    assert response.headers["WWW-Authenticate"].startswith("AftersalesBasic ")
    assert (
        tiny_api(None).client.get("/api/v1/processes", headers={"Authorization": "Basic YWdlbnQ6d3Jvbmc="}).status_code
        == 401
    )  # agent:wrong


def test_starting_a_case_returns_it_and_lists_the_process(tiny_api):
    api = tiny_api("agent")
    body = start(api)
    assert body["status"] == "running" and body["process_key"] == "tiny" and body["version"] == 1
    assert body["case_no"] == f"TIN-2026-{body['id']:06d}"
    assert body["next_timer_at"].startswith("2026-03-03T01:00")
    [process] = api.get("/processes").json
    assert (process["key"], process["version"], process["running_instances"]) == ("tiny", 1, 1)
    task = ready_task(api, body["id"])
    assert task["lane"] == "lane_cs_agent" and task["candidate_roles"] == ["cs_agent"]
    assert task["form"]["required"] == ["ok"] and task["due_at"] == body["next_timer_at"]


def test_unknown_process_instance_and_task_are_404(tiny_api):
    api = tiny_api("admin")
    assert api.post("/processes/nope/instances").status_code == 404
    assert api.get("/instances/999").status_code == 404
    assert api.get("/tasks/00000000-0000-0000-0000-000000000000").status_code == 404
    assert api.post("/tasks/not-a-task/complete", json={}).status_code == 404


def test_a_role_outside_the_lane_gets_403_and_changes_nothing(tiny_api):
    case = start(tiny_api("agent"))
    task = ready_task(tiny_api("agent"), case["id"])
    response = tiny_api("dispatcher").post(f"/tasks/{task['id']}/complete", json={"ok": True})
    assert response.status_code == 403
    assert tiny_api("agent").get(f"/tasks/{task['id']}").json["status"] == "ready"
    assert tiny_api("dispatcher").post("/processes/tiny/instances").status_code == 403


def test_the_read_only_auditor_sees_everything_and_changes_nothing(tiny_api):
    case = start(tiny_api("agent"))
    auditor = tiny_api("auditor")
    assert auditor.get(f"/instances/{case['id']}/events").status_code == 200
    task = ready_task(auditor, case["id"])
    assert auditor.post(f"/tasks/{task['id']}/claim").status_code == 403
    assert auditor.post(f"/tasks/{task['id']}/complete", json={"ok": True}).status_code == 403
    assert auditor.post("/processes/tiny/instances").status_code == 403


def test_invalid_form_data_gets_422_with_field_errors_and_nothing_changes(tiny_api):
    api = tiny_api("agent")
    case = start(api)
    task = ready_task(api, case["id"])
    events_before = len(api.get(f"/instances/{case['id']}/events").json)
    response = api.post(f"/tasks/{task['id']}/complete", json={"ok": "yes", "extra": 1})
    assert response.status_code == 422
    assert set(response.json["fields"]) == {"ok", "_schema"}
    response = api.post(f"/tasks/{task['id']}/complete", json={})
    assert response.status_code == 422 and response.json["fields"] == {"ok": ["this field is required / 必填"]}
    assert api.post(f"/tasks/{task['id']}/complete", json=["not", "an", "object"]).status_code == 422
    assert ready_task(api, case["id"])["status"] == "ready"
    assert len(api.get(f"/instances/{case['id']}/events").json) == events_before


def test_double_completion_gets_409(tiny_api):
    api = tiny_api("agent")
    case = start(api)
    task = ready_task(api, case["id"])
    assert api.post(f"/tasks/{task['id']}/complete", json={"ok": False}).status_code == 200
    second = api.post(f"/tasks/{task['id']}/complete", json={"ok": True})
    assert second.status_code == 409
    assert api.get(f"/instances/{case['id']}").json["data"]["result"] == "no"


def test_concurrent_completions_of_one_task_give_one_200_and_409s(tiny, database_url, clock, tmp_path):
    api_client = tiny.test_client()
    from tests.conftest import Api

    agent = Api(api_client, "agent")
    case = start(agent)
    task = ready_task(agent, case["id"])
    others = [make_app(database_url, clock, tmp_path / "processes") for _ in range(2)]
    clients = [Api(a.test_client(), "agent") for a in [tiny, *others] for _ in range(3)]
    barrier, codes = threading.Barrier(len(clients)), []

    def complete(api):
        barrier.wait()
        codes.append(api.post(f"/tasks/{task['id']}/complete", json={"ok": True}).status_code)

    threads = [threading.Thread(target=complete, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(codes) == [200] + [409] * (len(clients) - 1)
    events = agent.get(f"/instances/{case['id']}/events").json
    assert [e["type"] for e in events].count("task_completed") == 1
    for other in others:
        other.extensions["aftersales.db"].dispose()


def test_claim_unclaim_and_delegate_are_recorded(tiny_api):
    agent = tiny_api("agent")
    case = start(agent)
    task = ready_task(agent, case["id"])
    assert agent.post(f"/tasks/{task['id']}/claim").json["assignee"] == "agent"
    assert agent.get("/tasks?mine=true").json[0]["id"] == task["id"]
    assert tiny_api("admin").post(f"/tasks/{task['id']}/claim").status_code == 409
    assert agent.post(f"/tasks/{task['id']}/delegate", json={"username": "dispatcher"}).status_code == 422
    assert agent.post(f"/tasks/{task['id']}/unclaim").json["assignee"] is None
    types = [e["type"] for e in agent.get(f"/instances/{case['id']}/events").json]
    assert types.count("task_claimed") == 1 and types.count("task_unclaimed") == 1


def test_users_are_listed_for_admins_only(tiny_api):
    users = tiny_api("admin").get("/users").json
    assert {"username": "agent", "roles": ["cs_agent"]}.items() <= next(
        u for u in users if u["username"] == "agent"
    ).items()
    assert tiny_api("agent").get("/users").status_code == 403


def test_clock_endpoints_move_a_simulated_clock_and_fire_timers(tiny_api):
    agent, admin = tiny_api("agent"), tiny_api("admin")
    case = start(agent)
    assert admin.get("/clock").json["now"].startswith("2026-03-02T01:00")
    assert agent.post("/clock/advance", json={"duration": "PT25H"}).status_code == 403
    assert admin.post("/clock/advance", json={"duration": "soon"}).status_code == 422
    moved = admin.post("/clock/advance", json={"duration": "PT25H"}).json
    assert moved["now"].startswith("2026-03-03T02:00") and moved["fired_timers"] == 1
    timers = agent.get(f"/instances/{case['id']}/timers").json
    assert [(t["element_id"], t["status"]) for t in timers] == [("late", "fired")]


def test_clock_endpoints_are_404_on_the_system_clock(database_url):
    from app.clock import SystemClock

    app = make_app(database_url, SystemClock(), CLOCK="system")
    client = app.test_client()
    assert client.get("/api/v1/clock").status_code in (401, 404)
    from app.services.people.users import create_user
    from tests.conftest import Api

    create_user(app.extensions["aftersales"], "admin", "admin", ["admin"])
    admin = Api(client, "admin")
    assert admin.get("/clock").status_code == 404
    assert admin.post("/clock/advance", json={"duration": "PT1H"}).status_code == 404
    app.extensions["aftersales.db"].dispose()
