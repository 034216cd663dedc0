"""/api/v1/reports: figures computed from the cases."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema
from marshmallow import fields

from ...services import kpi as kpi_service
from ...services import plans
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


class QuarterSchema(Schema):
    quarter = fields.String(required=True, metadata={"example": "2026-Q1"})


class KpiFigureSchema(Schema):
    name = fields.String()
    value = fields.Float(allow_none=True)
    target = fields.Float()
    weight = fields.Float()
    met = fields.Boolean()
    cases = fields.Integer()
    case_ids = fields.List(fields.Integer())
    missed_case_ids = fields.List(fields.Integer())


class KpiSchema(Schema):
    period = fields.String()
    figures = fields.Dict(keys=fields.String(), values=fields.Nested(KpiFigureSchema))
    weighted_score = fields.Float(allow_none=True)
    missed = fields.List(fields.String())


class PlanItemSchema(Schema):
    item_no = fields.Integer()
    type = fields.String()
    customer = fields.String()
    planned_for = fields.String()
    status = fields.String(metadata={"enum": ["planned", "in_progress", "done", "overdue"]})
    case_id = fields.Integer(allow_none=True)
    case_no = fields.String(allow_none=True)


class PlanProgressSchema(Schema):
    plan_case_no = fields.String()
    plan_year = fields.Integer(allow_none=True)
    status = fields.String()
    items = fields.List(fields.Nested(PlanItemSchema))
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())


@bp.get("/kpi")
@bp.arguments(QuarterSchema, location="query")
@bp.response(200, KpiSchema)
def kpi(args):
    """The quarter's service KPIs (seed 002 §5.1.5) with the cases behind each figure."""
    return kpi_service.quarter_kpis(services(), args["quarter"], principal())


@bp.get("/plans/<int:instance_id>")
@bp.response(200, PlanProgressSchema)
def plan(instance_id: int):
    """An annual plan's items and the service cases they became: planned, in progress, done, overdue."""
    return plans.plan_progress(services(), instance_id, principal())


@bp.get("/complaints")
@bp.arguments(MonthSchema, location="query")
@bp.response(200, ComplaintStatisticsSchema)
def complaints(args):
    """Complaints of a month by category × urgency, severity, status, and hot spots (≥ 3 alike)."""
    return reports.complaint_statistics(services(), args["month"], principal())
