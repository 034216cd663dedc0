"""The functions diagram scripts and timer expressions may call (ISO strings in, ISO strings out).

They are bound to the application's clock and work calendar by ``make_helpers``; nothing else
of the application is reachable from a diagram.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

from .fees import chargeable
from .fees import classify_fee
from .fees import warranty_end
from .iso8601 import add_months as _add_months
from .iso8601 import parse_moment
from .master_data import SlaProfile
from .service_levels import arrival_deadline
from .service_levels import arrival_profile
from .service_levels import contact_deadline
from .workcalendar import WorkCalendar


def add_days(moment: str, days: float) -> str:
    """``add_days("2026-11-24T09:00:00+08:00", 3)`` → the ISO time three calendar days later."""
    return (parse_moment(moment) + timedelta(days=days)).isoformat()


def add_hours(moment: str, hours: float) -> str:
    return (parse_moment(moment) + timedelta(hours=hours)).isoformat()


def add_months(moment: str, months: int) -> str:
    """The same day so many calendar months later (earlier for a negative number), on the month's last day
    when it is shorter: ``add_months("2027-01-31", 1)`` → ``"2027-02-28"``; a date-time keeps its time
    and offset (``add_months("2026-05-15T00:00:00+08:00", -1)`` → ``"2026-04-15T00:00:00+08:00"``)."""
    text = str(moment)
    if len(text) == 10:
        return _add_months(date.fromisoformat(text), int(months)).isoformat()
    return (parse_moment(text) + relativedelta(months=int(months))).isoformat()


def days_between(start: str, end: str) -> float:
    return (parse_moment(end) - parse_moment(start)).total_seconds() / 86400


def make_helpers(now: Callable[[], datetime], calendar: Callable[[], WorkCalendar], tz: ZoneInfo) -> dict[str, Any]:
    """The whitelisted helpers, bound to a clock and a work calendar."""

    def now_iso() -> str:
        return now().astimezone(tz).isoformat()

    def classify_fee_on_clock(*args: Any, **kwargs: Any) -> str:
        """``classify_fee(purchase_date, received_at, warranty_evidence, tampered, contract_no, on_record,
        recall_case_no)``."""
        # A request without a received date is judged on the application's clock (simulated in
        # demos and tests), never the wall clock.
        return classify_fee(*args, **kwargs, today=now().astimezone(tz).date())

    def arrival_profile_of(region: Any, urgency: Any, on_record: Any, received_at: str) -> str:
        """``arrival_profile(region, urgency, on_record, received_at)``: the request's service level."""
        return arrival_profile(region, urgency, on_record, parse_moment(received_at).astimezone(tz)).value

    def arrival_deadline_of(received_at: str, sla_profile: str) -> str:
        """``arrival_deadline(received_at, sla_profile)``: by when the technician must be on site."""
        due = arrival_deadline(parse_moment(received_at), SlaProfile(sla_profile), calendar())
        return due.astimezone(tz).isoformat()

    def contact_deadline_of(received_at: str, sla_profile: str) -> str:
        """``contact_deadline(received_at, sla_profile)``: by when the customer must have been reached."""
        return contact_deadline(parse_moment(received_at), SlaProfile(sla_profile)).astimezone(tz).isoformat()

    def end_of_day(day: str) -> str:
        """``end_of_day("2026-03-05")`` → the first moment after that calendar day, in the service's zone:
        a due date (限期) is met all of its day."""
        start = datetime.combine(date.fromisoformat(str(day)[:10]), time(), tz)
        return (start + timedelta(days=1)).isoformat()

    def add_working_days(moment: str, days: int) -> str:
        return calendar().add_working_days(parse_moment(moment), int(days)).at.isoformat()

    def add_working_hours(moment: str, hours: float) -> str:
        return calendar().add_working_hours(parse_moment(moment), float(hours)).at.isoformat()

    return {
        "classify_fee": classify_fee_on_clock,
        "chargeable": chargeable,
        "arrival_profile": arrival_profile_of,
        "arrival_deadline": arrival_deadline_of,
        "contact_deadline": contact_deadline_of,
        "warranty_end": lambda purchase_date: str(warranty_end(purchase_date) or ""),
        "add_days": add_days,
        "add_months": add_months,
        "add_hours": add_hours,
        "days_between": days_between,
        "now": now_iso,
        "end_of_day": end_of_day,
        "add_working_days": add_working_days,
        "add_working_hours": add_working_hours,
    }
