"""The arrival promise (D-02, D-03, D-05, G-01): the technician is on site within 6 working hours in
town, 7 in the suburbs, 4 hours around the clock for a PREMIUM contract or an urgent fault; a late
arrival goes to the supervisor at once, and the check-in or a service without a visit stops the clock."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.services.timing.timer_firing import fire_due
from tests.repair_driver import RepairCase


def arrival_timer(case: RepairCase) -> dict:
    [timer] = [t for t in case.timer_rows() if t["element_id"] == "arrival_deadline_passed"]
    return timer


@pytest.mark.parametrize(
    ("register", "profile", "due"),
    [
        ({}, "STANDARD_URBAN", "2026-03-02T07:00:00+00:00"),  # 15:00 in Shanghai: 6 working hours
        ({"region": "suburban"}, "STANDARD_SUBURBAN", "2026-03-02T08:00:00+00:00"),  # 16:00: 7 working hours
        ({"urgency": "high"}, "PREMIUM", "2026-03-02T05:00:00+00:00"),  # 13:00: urgent, 4 h around the clock
        # SN-IT-5001 is covered by C003's PREMIUM contract MC-2026-003, in force
        ({"serial_no": "SN-IT-5001", "customer_phone": "01062000003"}, "PREMIUM", "2026-03-02T05:00:00+00:00"),
    ],
)
def test_the_service_level_sets_the_arrival_deadline(as_user, register, profile, due):
    case = RepairCase(as_user, **register)
    assert case.data["sla_profile"] == profile
    assert arrival_timer(case)["due_at"] == due and arrival_timer(case)["status"] == "waiting"


def test_working_hours_carry_over_to_the_next_working_day(as_user, clock):
    clock.advance(timedelta(hours=7))  # Monday 16:00: 1.5 working hours left today
    case = RepairCase(as_user)
    assert arrival_timer(case)["due_at"] == "2026-03-03T05:00:00+00:00"  # Tuesday 13:00: 4.5 h after 08:30


def test_nobody_on_site_in_time_goes_to_the_supervisor_at_once(ctx, clock, as_user):
    case = RepairCase(as_user)
    case.walk("contact_customer", "dispatch_notice", "agree_appointment")
    clock.advance(timedelta(hours=5, minutes=59))
    fire_due(ctx)
    assert "supervisor_late_arrival" not in case.ready()
    clock.advance(timedelta(minutes=1, seconds=1))
    fire_due(ctx)
    assert sorted(case.ready()) == ["record_arrival", "supervisor_late_arrival"]
    [escalation] = [e for e in case.events("escalation") if e["element_id"] == "arrival_deadline_passed"]
    assert escalation["data"]["clause"] == "D-03"
    told = as_user("supervisor").get("/notifications?unread=true").json
    assert [n["kind"] for n in told] == ["escalation"] and case.body["case_no"] in told[0]["title"]
    case.walk("record_arrival", "supervisor_late_arrival")  # the technician arrives late; the case goes on
    assert "diagnose_on_site" in case.ready()


def test_checking_in_on_time_stops_the_clock(ctx, clock, as_user):
    case = RepairCase(as_user)
    case.walk("contact_customer", "dispatch_notice", "agree_appointment")
    clock.advance(timedelta(hours=3))
    case.do("record_arrival")
    arrived = [e for e in case.events("task_completed") if e["element_id"] == "record_arrival"]
    assert arrived[0]["at"].startswith("2026-03-02T04:00:00")  # 12:00 in Shanghai: the arrival time
    assert arrival_timer(case)["status"] == "cancelled"
    clock.advance(timedelta(days=1))
    fire_due(ctx)
    assert "supervisor_late_arrival" not in case.ready()


@pytest.mark.parametrize("mode", ["remote", "mail_parts"])
def test_a_service_without_a_visit_stops_the_clock(ctx, clock, as_user, mode):
    case = RepairCase(as_user)
    case.do("contact_customer", service_mode=mode)
    assert arrival_timer(case)["status"] == "cancelled"
    clock.advance(timedelta(days=1))
    fire_due(ctx)
    assert "supervisor_late_arrival" not in case.ready()
