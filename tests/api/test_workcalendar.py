"""The work calendar over the API: each day's source, and only administrators fix a day."""

from __future__ import annotations


def test_the_calendar_api_shows_sources_and_lets_only_admins_fix_a_day(as_user):
    days = as_user("agent").get("/calendar?from=2026-10-08&to=2026-10-11").json
    assert [(d["date"], d["is_workday"], d["source"]) for d in days] == [
        ("2026-10-08", True, "chinesecalendar"),
        ("2026-10-09", True, "chinesecalendar"),
        ("2026-10-10", True, "chinesecalendar"),  # 调休 make-up Saturday
        ("2026-10-11", False, "chinesecalendar"),
    ]
    years = {y["year"]: y["estimated"] for y in as_user("agent").get("/calendar/years").json}
    assert years == {2026: False, 2027: True}
    assert (
        as_user("agent")
        .client.put("/api/v1/calendar/2027-02-08", json={"is_workday": False}, headers=as_user("agent")._headers())
        .status_code
        == 403
    )
    admin = as_user("admin")
    fixed = admin.client.put(
        "/api/v1/calendar/2027-02-08", json={"is_workday": False, "note": "春节"}, headers=admin._headers()
    )
    assert fixed.status_code == 200 and fixed.json["source"] == "admin"
    [day] = admin.get("/calendar?from=2027-02-08&to=2027-02-08").json
    assert (day["is_workday"], day["estimated"], day["note"]) == (False, False, "春节")
