"""An administrator's entry in the work calendar replaces the estimate for a year not yet published."""

from __future__ import annotations

from datetime import date
from datetime import datetime

import pytest

from app.domain.principal import Principal
from app.domain.workcalendar import DayInfo
from app.services.timing import work_calendar as calendar_service
from tests.unit.test_workcalendar import SHANGHAI


def test_an_admin_entry_replaces_the_estimate_for_an_unpublished_year(ctx, clock):
    admin = Principal("admin", frozenset({"admin"}))
    calendar = ctx.calendar.ensure_fresh()
    new_years_day = datetime(2027, 1, 1, 9, tzinfo=SHANGHAI)
    assert calendar.day(date(2027, 1, 1)).estimated and calendar.day(date(2027, 1, 1)).is_workday
    calendar_service.set_day(ctx, date(2027, 1, 1), False, "元旦 / New Year", admin)
    updated = ctx.calendar.current()
    assert updated.day(date(2027, 1, 1)) == DayInfo(False, "admin")
    assert updated.add_working_days(new_years_day.replace(day=1), 1).at.date() == date(2027, 1, 4)
    with pytest.raises(Exception, match="administrator"):
        calendar_service.set_day(ctx, date(2027, 1, 2), True, "", Principal("agent", frozenset({"cs_agent"})))
