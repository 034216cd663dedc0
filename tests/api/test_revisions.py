"""Revisions (ETag / If-Match): a client that read a task or a case and changes it with the revision it
read is refused (412) when someone changed it since — a colleague claimed the task, the case moved —
and nothing changes; with the current revision, or without If-Match, the change goes through."""

from __future__ import annotations

from app.services.planning.default_schedules import ensure_default_schedules
from tests.repair_driver import RepairCase


def headers(api, etag: str) -> dict:
    return {**api._headers(), "If-Match": etag}


def test_a_task_changed_since_it_was_read_is_not_completed_on_the_old_revision(as_user):
    case = RepairCase(as_user)
    [task] = [t for t in as_user("agent").get(f"/tasks?instance_id={case.id}").json if t["status"] == "ready"]
    read = as_user("agent").get(f"/tasks/{task['id']}")
    etag = read.headers["ETag"]
    assert etag.startswith('"t')
    agent = as_user("agent")
    assert agent.client.post(f"/api/v1/tasks/{task['id']}/claim", headers=headers(agent, etag)).status_code == 200
    # the claim moved the task on: the revision read before it is stale now
    stale = agent.client.post(f"/api/v1/tasks/{task['id']}/unclaim", headers=headers(agent, etag))
    assert stale.status_code == 412 and stale.json["status"] == 412
    assert as_user("agent").get(f"/tasks/{task['id']}").json["assignee"] == "agent"  # unchanged
    fresh = as_user("agent").get(f"/tasks/{task['id']}").headers["ETag"]
    assert fresh != etag
    assert agent.client.post(f"/api/v1/tasks/{task['id']}/unclaim", headers=headers(agent, fresh)).status_code == 200


def test_a_case_operation_on_a_stale_revision_is_refused(as_user):
    case = RepairCase(as_user)
    supervisor = as_user("admin")
    etag = supervisor.get(f"/instances/{case.id}").headers["ETag"]
    assert as_user("agent").get(f"/cases/{case.body['case_no']}").headers["ETag"] == etag  # one revision
    case.do(next(iter(case.ready())))  # the case moves on
    stale = supervisor.client.post(
        f"/api/v1/instances/{case.id}/suspend", json={"reason": "wait"}, headers=headers(supervisor, etag)
    )
    assert stale.status_code == 412 and case.body["status"] == "running"
    fresh = supervisor.get(f"/instances/{case.id}").headers["ETag"]
    moved = supervisor.client.post(
        f"/api/v1/instances/{case.id}/suspend", json={"reason": "wait"}, headers=headers(supervisor, fresh)
    )
    assert moved.status_code == 200 and case.body["status"] == "suspended"
    assert supervisor.post(f"/instances/{case.id}/resume", json={"reason": "go on"}).status_code == 200  # no If-Match


def test_a_draft_saved_elsewhere_since_it_was_read_is_not_overwritten(as_user):
    case = RepairCase(as_user)
    [task] = [t for t in as_user("agent").get(f"/tasks?instance_id={case.id}").json if t["status"] == "ready"]
    agent = as_user("agent")
    put = agent.client.put(f"/api/v1/drafts/{task['id']}", json={"notes": "first"}, headers=agent._headers())
    read = agent.get(f"/drafts/{task['id']}")
    assert read.headers["ETag"] == f'"{put.json["revision"]}"'
    # another tab of the same user saves meanwhile
    agent.client.put(f"/api/v1/drafts/{task['id']}", json={"notes": "second"}, headers=agent._headers())
    stale = agent.client.put(
        f"/api/v1/drafts/{task['id']}", json={"notes": "lost?"}, headers=headers(agent, read.headers["ETag"])
    )
    assert stale.status_code == 412 and agent.get(f"/drafts/{task['id']}").json["data"] == {"notes": "second"}


def test_a_schedule_changed_since_it_was_listed_is_not_changed_again(as_user, ctx):
    ensure_default_schedules(ctx)
    admin = as_user("admin")
    [first, *_] = admin.get("/schedules").json
    assert (
        admin.client.patch(
            f"/api/v1/schedules/{first['id']}", json={"enabled": False}, headers=headers(admin, first["revision"])
        ).status_code
        == 200
    )
    stale = admin.client.patch(
        f"/api/v1/schedules/{first['id']}", json={"enabled": True}, headers=headers(admin, first["revision"])
    )
    assert stale.status_code == 412
    [now] = [s for s in admin.get("/schedules").json if s["id"] == first["id"]]
    assert now["enabled"] is False and now["revision"] != first["revision"]
