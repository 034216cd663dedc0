"""Repair timeliness (K-02, "repairs done within the SLA"): the arrival promise, and the fix where promised."""

from __future__ import annotations

from datetime import datetime
from datetime import timedelta

from app.domain.kpi import within_service_level

DUE = datetime(2026, 3, 2, 14, 0)


def test_a_repair_arrived_at_in_time_kept_its_service_level():
    assert within_service_level(False, "STANDARD_URBAN", DUE, DUE + timedelta(days=2)) is True


def test_a_late_arrival_misses_it_whatever_followed():
    assert within_service_level(True, "STANDARD_URBAN", DUE, DUE - timedelta(hours=1)) is False


def test_a_premium_contract_promises_the_fix_too():
    assert within_service_level(False, "PREMIUM", DUE, DUE - timedelta(minutes=30)) is True
    assert within_service_level(False, "PREMIUM", DUE, DUE + timedelta(minutes=30)) is False
    assert within_service_level(False, "PREMIUM", DUE, None) is False


def test_a_case_without_an_arrival_promise_is_not_judged_by_it():
    assert within_service_level(None, None, None, None) is None
