"""/api/v1/calendar: the work calendar; administrators fix days of years not yet published."""

from __future__ import annotations

from datetime import date

from flask_smorest import Blueprint
from marshmallow import Schema
from marshmallow import fields

from ...services.timing import work_calendar as calendar_service
from ..common import principal
from ..common import services

bp = Blueprint("calendar", __name__, url_prefix="/api/v1/calendar", description="Work calendar")


class DaySchema(Schema):
    date = fields.Date()
    is_workday = fields.Boolean()
    source = fields.String(metadata={"enum": ["chinesecalendar", "admin", "weekday-estimate"]})
    note = fields.String()
    estimated = fields.Boolean()


class RangeSchema(Schema):
    start = fields.Date(data_key="from", required=True)
    end = fields.Date(data_key="to", required=True)


class YearSchema(Schema):
    year = fields.Integer()
    official_days = fields.Integer()
    admin_days = fields.Integer()
    estimated = fields.Boolean()


class SetDaySchema(Schema):
    is_workday = fields.Boolean(required=True)
    note = fields.String(load_default="")


@bp.get("")
@bp.arguments(RangeSchema, location="query")
@bp.response(200, DaySchema(many=True))
def list_days(args):
    """Days from ``from`` to ``to`` with their source; unpublished days are marked estimated."""
    principal()
    return calendar_service.list_days(services(), args["start"], args["end"])


@bp.get("/years")
@bp.response(200, YearSchema(many=True))
def years():
    """This year and the next: complete or estimated."""
    principal()
    now = services().clock.now()
    return calendar_service.year_status(services(), [now.year, now.year + 1])


@bp.put("/<isodate:day>")
@bp.arguments(SetDaySchema)
@bp.response(200, DaySchema)
def set_day(args, day: date):
    """Mark a day as working day or holiday (administrators)."""
    row = calendar_service.set_day(services(), day, args["is_workday"], args["note"], principal())
    return {"date": row.day, "is_workday": row.is_workday, "source": row.source, "note": row.note, "estimated": False}
