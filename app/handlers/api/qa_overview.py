"""/api/v1/reports heatmap and KPI trend: the data behind the QA page's diagram overlays and charts."""

from __future__ import annotations

from datetime import date

from flask_smorest import Blueprint
from marshmallow import Schema
from marshmallow import fields
from marshmallow import validate
from webargs.fields import DelimitedList

from ...services.qa import overview as qa_overview
from ...services.qa import quality_feedback
from ..common import principal
from ..common import services

bp = Blueprint(
    "qa_overview", __name__, url_prefix="/api/v1/reports", description="QA overview: diagram heatmap and KPI trend"
)


PERIOD_MIN, PERIOD_MAX = date(1970, 1, 1), date(2999, 12, 31)


class HeatmapQuerySchema(Schema):
    process_key = fields.String(load_default="repair", metadata={"example": "repair"})
    # Bounded: before 1901 Asia/Shanghai had a local mean time offset (+08:05:43), which the answer's
    # date-times cannot carry; an unbounded year could not be answered as a date-time at all.
    start = fields.Date(data_key="from", required=True, validate=validate.Range(PERIOD_MIN, PERIOD_MAX))
    end = fields.Date(
        data_key="to",
        required=True,
        validate=validate.Range(PERIOD_MIN, PERIOD_MAX),
        metadata={"description": "exclusive"},
    )
    version = fields.Integer(
        validate=validate.Range(1), metadata={"description": "a deployed version; default the latest, with all cases"}
    )


class HeatmapElementSchema(Schema):
    element_id = fields.String()
    name = fields.String()
    type = fields.String()
    cases = fields.Integer(metadata={"description": "cases opened in the period that passed through the element"})
    completed_tasks = fields.Integer(metadata={"description": "user-task completions behind median_hours"})
    median_hours = fields.Float(allow_none=True, metadata={"description": "user tasks: ready → completed"})
    breaches = fields.Integer(metadata={"description": "breached deadlines due in the period sitting on the element"})


class HeatmapSchema(Schema):
    process_key = fields.String()
    version = fields.Integer()
    start = fields.DateTime(data_key="from")
    end = fields.DateTime(data_key="to")
    cases = fields.Integer()
    breaches = fields.Integer()
    elements = fields.List(fields.Nested(HeatmapElementSchema))


class KpiTrendQuerySchema(Schema):
    quarters = DelimitedList(
        fields.String(validate=validate.Regexp(r"^\d{4}-Q[1-4]$")),
        validate=validate.Length(1, qa_overview.MAX_QUARTERS),
        metadata={"description": "comma-separated; default the last four quarters", "example": "2026-Q1,2026-Q2"},
    )


class KpiSeriesSchema(Schema):
    key = fields.String()
    name = fields.String()
    target = fields.Float()
    weight = fields.Float()
    values = fields.List(fields.Float(allow_none=True))
    cases = fields.List(fields.Integer())


class KpiTrendSchema(Schema):
    quarters = fields.List(fields.String())
    kpis = fields.List(fields.Nested(KpiSeriesSchema))
    weighted_scores = fields.List(fields.Float(allow_none=True))


@bp.get("/heatmap")
@bp.arguments(HeatmapQuerySchema, location="query")
@bp.response(200, HeatmapSchema)
def heatmap(args):
    """Per element of the process diagram: cases passed, median user-task hours, breached deadlines."""
    ctx = services()
    start, end = qa_overview.period_bounds(ctx, args["start"], args["end"])
    return qa_overview.element_heatmap(ctx, args["process_key"], start, end, principal(), args.get("version"))


@bp.get("/kpi-trend")
@bp.arguments(KpiTrendQuerySchema, location="query")
@bp.response(200, KpiTrendSchema)
def kpi_trend(args):
    """Each KPI per quarter with its target, and the weighted score per quarter."""
    ctx = services()
    quarters = args.get("quarters") or qa_overview.default_quarters(ctx)
    return qa_overview.kpi_trend(ctx, quarters, principal())


class PeriodQuerySchema(Schema):
    start = fields.Date(data_key="from", required=True, validate=validate.Range(PERIOD_MIN, PERIOD_MAX))
    end = fields.Date(
        data_key="to",
        required=True,
        validate=validate.Range(PERIOD_MIN, PERIOD_MAX),
        metadata={"description": "exclusive"},
    )


class FeedbackCaseSchema(Schema):
    case_no = fields.String()
    instance_id = fields.Integer()
    status = fields.String()
    from_case_no = fields.String(
        allow_none=True, metadata={"description": "the repair case whose service form sent it"}
    )
    product_model = fields.String(allow_none=True)
    serial_no = fields.String(allow_none=True)
    reported_by = fields.String(allow_none=True)
    description = fields.String(allow_none=True)
    opened_at = fields.DateTime()
    closed_at = fields.DateTime(allow_none=True)
    waiting_on = fields.List(fields.String(), metadata={"description": "QA's steps ready now"})
    measures = fields.String(allow_none=True)
    result = fields.String(allow_none=True)


class FeedbackReportSchema(Schema):
    opened = fields.Integer()
    open = fields.Integer()
    closed = fields.Integer()
    cases = fields.List(fields.Nested(FeedbackCaseSchema))


@bp.get("/quality-feedback")
@bp.arguments(PeriodQuerySchema, location="query")
@bp.response(200, FeedbackReportSchema)
def quality_feedback_report(args):
    """Field quality feedback (F-12) opened in the period: counts, and each case with its repair case and step."""
    ctx = services()
    start, end = qa_overview.period_bounds(ctx, args["start"], args["end"])
    return quality_feedback.feedback_report(ctx, start, end, principal())
