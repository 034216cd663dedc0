""" "The same person as step X": a user task whose ``same_performer_as`` names an earlier user task goes
to whoever completed that step in the case, so the technician who commissioned the unit does its
acceptance without claiming it again; a step the diagram lacks is a deploy error."""

from __future__ import annotations

from tests.diagrams import acceptance
from tests.interop_driver import upload


def diagram(step: str) -> bytes:
    """Commission, then the acceptance by the same person as ``step``."""
    return acceptance({"same_performer_as": step}).encode()


def test_the_acceptance_goes_to_the_technician_who_commissioned_the_unit(as_user):
    admin, tech1, tech2 = as_user("admin"), as_user("tech_urban1"), as_user("tech_urban2")
    deployed = upload(admin, "acceptance.bpmn", diagram("commission"))
    assert deployed.status_code == 201, deployed.json
    case_id = admin.post("/processes/acceptance/instances", json={}).json["id"]
    (commission,) = admin.get(f"/tasks?instance_id={case_id}").json
    assert commission["element_id"] == "commission" and commission["assignee"] is None  # anyone of the lane
    assert tech1.post(f"/tasks/{commission['id']}/complete", json={}).status_code == 200

    (accept,) = admin.get(f"/tasks?instance_id={case_id}").json
    assert (accept["element_id"], accept["assignee"]) == ("accept", "tech_urban1")
    assert tech2.post(f"/tasks/{accept['id']}/claim").status_code == 409  # no second technician takes it
    assert tech1.post(f"/tasks/{accept['id']}/complete", json={}).status_code == 200
    assert admin.get(f"/instances/{case_id}").json["status"] == "completed"


def test_a_same_performer_step_the_diagram_lacks_is_refused_at_deploy(as_user):
    refused = upload(as_user("admin"), "acceptance.bpmn", diagram("comission"))
    assert refused.status_code == 422
    [error] = [e for e in refused.json["errors"] if e["severity"] == "error"]
    assert (error["rule"], error["element_id"]) == ("same-performer-known", "accept")
    assert "comission" in error["reason"]
    assert as_user("admin").get("/processes/acceptance").status_code == 404
