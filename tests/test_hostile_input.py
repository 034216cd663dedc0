"""Input an attacker (or a careless client) sends that must be refused, and lose nothing."""

from __future__ import annotations

from tests.repair_driver import RepairCase


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
