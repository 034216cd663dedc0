"""Fee types take their time from the application's clock, never from the wall clock."""

from __future__ import annotations

from datetime import date
from datetime import datetime
from datetime import time
from zoneinfo import ZoneInfo

import pytest

from app.domain.fees import classify_fee
from app.domain.scripting_helpers import make_helpers
from app.domain.workcalendar import WorkCalendar

SHANGHAI = ZoneInfo("Asia/Shanghai")


def helpers_at(moment: datetime) -> dict:
    calendar = WorkCalendar({}, SHANGHAI, time(8, 30), time(17, 30))
    return make_helpers(lambda: moment, lambda: calendar, SHANGHAI)


@pytest.mark.parametrize(
    ("simulated_now", "purchase_date", "fee_type"),
    [
        # Years before the wall clock: bought nine months before the simulated day, still in warranty.
        (datetime(2001, 3, 1, 9, tzinfo=SHANGHAI), "2000-06-01", "C"),
        # Years after it: the warranty of a purchase 17 months before the simulated day has run out.
        (datetime(2041, 6, 1, 9, tzinfo=SHANGHAI), "2040-01-01", "A"),
    ],
)
def test_a_request_without_a_received_date_is_judged_on_the_simulated_day(simulated_now, purchase_date, fee_type):
    classify = helpers_at(simulated_now)["classify_fee"]
    assert classify(purchase_date, None, "invoice", False) == fee_type
    assert classify(purchase_date, "", "invoice", False, None) == fee_type


def test_the_simulated_day_is_the_local_day_of_the_service_time_zone():
    # 2001-05-31 17:00 UTC is already 1 June in Shanghai, the day the warranty of 2000-06-01 ends.
    classify = helpers_at(datetime(2001, 5, 31, 17, tzinfo=ZoneInfo("UTC")))["classify_fee"]
    assert classify("2000-06-01", None, "invoice", False) == "A"


def test_a_received_date_wins_over_today():
    assert classify_fee("2026-01-10", "2026-03-02T09:00:00+08:00", "invoice", False, today=date(2040, 1, 1)) == "C"
    assert classify_fee("2026-01-10", "2027-01-10", "invoice", False, today=date(2026, 3, 2)) == "A"
    assert classify_fee("2026-01-10", None, "warranty_card", False, "MC-1", today=date(2040, 1, 1)) == "B"
