"""Lane roles: a process owner maps the lanes of a diagram drawn elsewhere ("A", "B", "C") to roles,
through GET/PUT /api/v1/processes/<key>/lane-roles; the mapping applies to the running cases' ready
tasks, to the tasks that become ready later, and to the next deploy (no warning for a mapped lane)."""

from __future__ import annotations

import re
from pathlib import Path

from tests.api.test_web import login
from tests.interop_driver import answer
from tests.interop_driver import upload

LANES = Path(__file__).resolve().parents[1] / "interop" / "spiff-lanes.bpmn"


def put(api, key: str, body: dict):
    return api.client.put(f"/api/v1/processes/{key}/lane-roles", json=body, headers=api._headers())


def test_an_owner_maps_lanes_to_roles_and_the_ready_and_later_tasks_follow(as_user):
    admin, owner, tech, agent = (as_user(u) for u in ("admin", "process_owner", "tech_urban1", "agent"))
    deployed = upload(admin, "lanes.bpmn", LANES.read_bytes())
    assert deployed.status_code == 201, deployed.json
    unmapped = {w["element_id"] for w in deployed.json["warnings"] if w["rule"] == "lane-names-role"}
    assert unmapped == {"A_id", "B_id", "Lane_03noz08"}
    table = owner.get("/processes/lanes/lane-roles").json
    assert [(r["lane"], r["name"], r["role"]) for r in table] == [
        ("B_id", "B", None),
        ("A_id", "A", None),
        ("Lane_03noz08", "C", None),
    ]

    case_id = admin.post("/processes/lanes/instances", json={}).json["id"]
    (first,) = admin.get(f"/tasks?instance_id={case_id}").json
    assert first["element_id"] == "Activity_A1" and first["candidate_roles"] == []  # only an administrator may work it
    assert tech.post(f"/tasks/{first['id']}/complete", json={}).status_code == 403

    mapping = {"A_id": "technician", "B_id": "cs_agent", "Lane_03noz08": None}
    changed = put(owner, "lanes", {"lanes": mapping})
    assert changed.status_code == 200, changed.json
    assert {r["lane"]: r["role"] for r in changed.json} == {
        "A_id": "technician",
        "B_id": "cs_agent",
        "Lane_03noz08": None,
    }
    assert admin.get(f"/tasks/{first['id']}").json["candidate_roles"] == [
        "technician"
    ]  # the running case's ready task moved
    task = tech.get(f"/tasks/{first['id']}").json
    assert tech.post(f"/tasks/{first['id']}/complete", json=answer(task.get("form"))).status_code == 200
    (second,) = admin.get(f"/tasks?instance_id={case_id}").json
    assert (second["element_id"], second["candidate_roles"]) == ("Activity_B1", ["cs_agent"])  # a task made ready later
    assert agent.get(f"/tasks/{second['id']}").status_code == 200

    again = upload(admin, "lanes.bpmn", LANES.read_bytes() + b"\n")  # the next deploy: only the unmapped lane
    assert {w["element_id"] for w in again.json["warnings"] if w["rule"] == "lane-names-role"} == {"Lane_03noz08"}


def test_lane_roles_refuse_a_lane_the_process_lacks_and_a_role_that_works_no_tasks(as_user):
    admin, owner, tech = (as_user(u) for u in ("admin", "process_owner", "tech_urban1"))
    assert upload(admin, "lanes.bpmn", LANES.read_bytes()).status_code == 201
    refused = put(owner, "lanes", {"lanes": {"Z_id": "technician", "A_id": "janitor"}})
    assert refused.status_code == 422
    assert {e["field"] for e in refused.json["errors"]} == {"Z_id", "A_id"}
    assert put(tech, "lanes", {"lanes": {"A_id": "technician"}}).status_code == 403
    assert all(r["role"] is None for r in owner.get("/processes/lanes/lane-roles").json)


def test_the_workbench_page_shows_the_lane_roles_table_and_saves_it_with_the_session(app, as_user):
    admin = as_user("admin")
    assert upload(admin, "lanes.bpmn", LANES.read_bytes()).status_code == 201
    assert put(admin, "lanes", {"lanes": {"A_id": "technician"}}).status_code == 200
    client = app.test_client()
    assert login(client, "process_owner").status_code == 302
    page = client.get("/workbench/lanes").get_data(as_text=True)
    table = page[page.index('id="wb-lane-roles"') : page.index("</table>")]
    assert "泳道角色" in table and "按流程图" in table  # in the user's language (zh_Hans by default)
    assert re.findall(r'data-lane="([^"]+)"', table) == ["B_id", "A_id", "Lane_03noz08"]
    assert re.search(r'data-lane="A_id".*?<option value="technician" selected>', table, re.S)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    saved = client.put(
        "/api/v1/processes/lanes/lane-roles", json={"lanes": {"C_id": None}}, headers={"X-CSRF-Token": token}
    )
    assert saved.status_code == 422  # the session's PUT reaches the service (C_id is no lane of it)
    cleared = client.put("/api/v1/processes/lanes/lane-roles", json={"lanes": {}}, headers={"X-CSRF-Token": token})
    assert cleared.status_code == 200 and all(r["role"] is None for r in cleared.json)
