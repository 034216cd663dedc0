"""/api/v1/reports: figures computed from the cases."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema
from marshmallow import ValidationError
from marshmallow import fields
from marshmallow import validates_schema

from ...services.planning import plan_progress as plans
from ...services.qa import kpi as kpi_service
from ...services.qa import reports
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


class PeriodQuerySchema(Schema):
    period = fields.String(metadata={"description": "2026, 2026-H1, 2026-Q1 or 2026-03", "example": "2026-Q1"})
    quarter = fields.String(
        metadata={"description": "the same as period (kept for older clients)", "example": "2026-Q1"}
    )

    @validates_schema
    def _one_period(self, data, **kwargs) -> None:
        if not (data.get("period") or data.get("quarter")):
            raise ValidationError("give the period, e.g. period=2026-Q1", field_name="period")


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


class RatingItemSchema(Schema):
    name = fields.String()
    average = fields.Float(allow_none=True, metadata={"description": "average level, 1 (poor) … 4 (very good)"})
    levels = fields.Dict(keys=fields.String(), values=fields.Integer(), metadata={"description": "level → cases"})


class TechnicianRatingSchema(Schema):
    technician = fields.String()
    cases = fields.Integer()
    case_ids = fields.List(fields.Integer())
    items = fields.Dict(keys=fields.String(), values=fields.Nested(RatingItemSchema))
    overall = fields.Float(allow_none=True, metadata={"description": "mean of the item averages"})
    score = fields.Float(allow_none=True, metadata={"description": "100 × overall / 4"})


class TechnicianReportSchema(Schema):
    period = fields.String()
    technicians = fields.List(fields.Nested(TechnicianRatingSchema))


@bp.get("/kpi")
@bp.arguments(PeriodQuerySchema, location="query")
@bp.response(200, KpiSchema)
def kpi(args):
    """The service KPIs (seed 002 §5.1.5) of a year, half year, quarter or month, with the cases behind each figure."""
    return kpi_service.period_kpis(services(), args.get("period") or args["quarter"], principal())


@bp.get("/technicians")
@bp.arguments(PeriodQuerySchema, location="query")
@bp.response(200, TechnicianReportSchema)
def technicians(args):
    """Customers' ratings of each technician (seed 003: 4 items × 4 levels) for the monthly appraisal."""
    return kpi_service.technician_report(services(), args.get("period") or args["quarter"], principal())


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
