"""The arrival promise: which service level a request gets and by when the technician is on site.

Seed 003 promises arrival within 6 working hours in town and 7 in the suburbs (D-03); seed 002
promises 4 hours around the clock (D-02), which this project gives to contracts of the PREMIUM
profile (G-01). Seed 001 asks for urgent faults to be attended "in the prescribed time" without a
value (D-05): decided here as the PREMIUM promise, 4 hours around the clock. A contract in force
sets the profile; otherwise the customer's region does.

The first contact (D-01) is due 24 hours after the request; seed 002's 1-hour response (D-02) is
given to the PREMIUM profile, which urgent faults share, so a PREMIUM request must be answered (the
customer reached) within 1 hour around the clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta
from typing import Any

from .fees import contract_in_force
from .master_data import Region
from .master_data import SlaProfile
from .workcalendar import WorkCalendar


@dataclass(frozen=True)
class ArrivalPromise:
    hours: float
    working_time: bool  # counted in working hours of working days (else around the clock)


PROMISES: dict[SlaProfile, ArrivalPromise] = {
    SlaProfile.STANDARD_URBAN: ArrivalPromise(6, working_time=True),
    SlaProfile.STANDARD_SUBURBAN: ArrivalPromise(7, working_time=True),
    SlaProfile.PREMIUM: ArrivalPromise(4, working_time=False),
}
CONTACT_HOURS = 24.0  # D-01: 「接到服務申請后24小時內」
RESPONSE_HOURS: dict[SlaProfile, float] = {SlaProfile.PREMIUM: 1.0}  # D-02: 「1小时内做出响应」
URGENT = SlaProfile.PREMIUM  # D-05 has no value: an urgent fault gets the fastest promise


def arrival_profile(region: str | None, urgency: str | None, on_record: Any, received: datetime) -> SlaProfile:
    """The service level of a request: its contract's, the urgent one, or its region's."""
    contract = contract_in_force(on_record, received.date())
    if contract is not None:
        try:
            return SlaProfile(contract.get("sla_profile"))
        except ValueError:
            pass
    if urgency == "high":
        return URGENT
    return SlaProfile.STANDARD_SUBURBAN if region == Region.SUBURBAN else SlaProfile.STANDARD_URBAN


def arrival_deadline(received: datetime, profile: SlaProfile, calendar: WorkCalendar) -> datetime:
    """By when the technician must be on site for a request received at ``received``."""
    promise = PROMISES[profile]
    if promise.working_time:
        return calendar.add_working_hours(received, promise.hours).at
    return received + timedelta(hours=promise.hours)


def contact_deadline(received: datetime, profile: SlaProfile) -> datetime:
    """By when the customer must have been reached: 1 hour for PREMIUM (D-02), else 24 hours (D-01)."""
    return received + timedelta(hours=RESPONSE_HOURS.get(profile, CONTACT_HOURS))
