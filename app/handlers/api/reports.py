"""/api/v1/reports: figures computed from the cases."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema
from marshmallow import fields

from ...services import reports
from ..common import principal
from ..common import services

bp = Blueprint("reports", __name__, url_prefix="/api/v1/reports", description="Reports")


class MonthSchema(Schema):
    month = fields.String(required=True, metadata={"example": "2026-03"})


class CategoryUrgencySchema(Schema):
    category = fields.String()
    urgency = fields.String()
    count = fields.Integer()


class HotSpotSchema(Schema):
    product_model = fields.String()
    category = fields.String()
    count = fields.Integer()


class ComplaintStatisticsSchema(Schema):
    month = fields.String()
    total = fields.Integer()
    registered = fields.Integer()
    by_category_urgency = fields.List(fields.Nested(CategoryUrgencySchema))
    by_severity = fields.Dict(keys=fields.String(), values=fields.Integer())
    by_status = fields.Dict(keys=fields.String(), values=fields.Integer())
    hot_spots = fields.List(fields.Nested(HotSpotSchema))


@bp.get("/complaints")
@bp.arguments(MonthSchema, location="query")
@bp.response(200, ComplaintStatisticsSchema)
def complaints(args):
    """Complaints of a month by category × urgency, severity, status, and hot spots (≥ 3 alike)."""
    return reports.complaint_statistics(services(), args["month"], principal())
