"""/api/v1 QA endpoints: deadline and model conformance, and event-log exports (read-only)."""

from __future__ import annotations

from datetime import datetime
from datetime import time

from flask_smorest import Blueprint
from marshmallow import Schema
from marshmallow import fields

from ...integrations.spreadsheets import CSV_MIMETYPE
from ...integrations.spreadsheets import Download
from ...integrations.spreadsheets import csv_bytes
from ...services.processes import deployments
from ...services.qa import accepted_deviations as accepted
from ...services.qa import conformance
from ...services.qa import deadline_conformance as deadlines
from ...services.qa import event_log_export as export
from ..common import principal
from ..common import send_download
from ..common import services

bp = Blueprint("qa", __name__, url_prefix="/api/v1", description="Quality assurance: conformance and exports")


class PeriodSchema(Schema):
    start = fields.Date(data_key="from", required=True)
    end = fields.Date(data_key="to", required=True, metadata={"description": "exclusive"})
    process_key = fields.String()


class DeadlineRowSchema(Schema):
    case_id = fields.Integer()
    case_no = fields.String()
    process_key = fields.String()
    deadline = fields.String()
    name = fields.String()
    clause = fields.String()
    task = fields.String()
    due_at = fields.DateTime()
    outcome = fields.String(metadata={"enum": ["met", "breached", "open", "at_risk"]})
    seconds = fields.Float(metadata={"description": "margin (met), breach (breached) or time left (open)"})
    person = fields.String(allow_none=True)
    branch = fields.String()
    month = fields.String()
    estimated = fields.Boolean()


class DeadlineReportSchema(Schema):
    rows = fields.List(fields.Nested(DeadlineRowSchema))
    by_clause = fields.List(fields.Dict())
    by_person = fields.List(fields.Dict())
    by_branch = fields.List(fields.Dict())
    by_month = fields.List(fields.Dict())


class DeviationSchema(Schema):
    kind = fields.String(metadata={"enum": ["inserted", "missing", "skipped", "repeated", "error"]})
    element_id = fields.String(allow_none=True)
    position = fields.Integer(allow_none=True)
    detail = fields.String()
    accepted = fields.Boolean(metadata={"description": "on QA's allow-list of accepted deviations"})


class CaseConformanceSchema(Schema):
    case_id = fields.Integer()
    case_no = fields.String()
    version = fields.Integer()
    status = fields.String()
    fitness = fields.Float()
    fitness_with_accepted = fields.Float()
    steps = fields.Integer()
    matched = fields.Integer()
    deviations = fields.List(fields.Nested(DeviationSchema))


class ConformanceReportSchema(Schema):
    process_key = fields.String()
    cases = fields.Integer()
    average_fitness = fields.Float(allow_none=True)
    conforming = fields.Integer()
    conforming_with_accepted = fields.Integer()
    deviations_by_element = fields.List(fields.Dict())
    per_case = fields.List(fields.Nested(CaseConformanceSchema))


class ExportPeriodSchema(Schema):
    start = fields.Date(data_key="from", metadata={"description": "default: since the first case"})
    end = fields.Date(data_key="to", metadata={"description": "exclusive; default: up to now"})


def _bounds(args) -> tuple[datetime, datetime]:
    tz = services().calendar.tz
    return datetime.combine(args["start"], time(0), tz), datetime.combine(args["end"], time(0), tz)


def _open_bounds(args) -> tuple[datetime | None, datetime | None]:
    """The export's period; a bound not given is open (neither: the whole log)."""
    tz = services().calendar.tz
    start, end = args.get("start"), args.get("end")
    return (
        datetime.combine(start, time(0), tz) if start else None,
        datetime.combine(end, time(0), tz) if end else None,
    )


@bp.get("/reports/deadlines")
@bp.arguments(PeriodSchema, location="query")
@bp.response(200, DeadlineReportSchema)
def deadline_report(args):
    """Every deadline falling due in the period: met, breached by how long, open or at risk."""
    return deadlines.deadline_report(services(), *_bounds(args), principal(), args.get("process_key"))


@bp.get("/reports/conformance")
@bp.arguments(PeriodSchema, location="query")
@bp.response(200, ConformanceReportSchema)
def conformance_report(args):
    """Each case opened in the period replayed against its diagram version: fitness and deviations."""
    return conformance.conformance_report(services(), args.get("process_key") or "repair", *_bounds(args), principal())


@bp.get("/instances/<int:instance_id>/conformance")
@bp.response(200, CaseConformanceSchema)
def case_conformance(instance_id: int):
    return conformance.case_conformance(services(), instance_id, principal())


def _require_deployed(process_key: str) -> None:
    """An export names a deployed process (an unknown key, e.g. with control characters, cannot be
    written into the XES log's name or the file name: it was a 500)."""
    deployments.require_deployed(services(), process_key)


@bp.get("/exports/<process_key>.xes")
@bp.arguments(ExportPeriodSchema, location="query")
@bp.doc(
    responses={"200": {"description": "the event log", "content": {"application/xml": {"schema": {"type": "string"}}}}}
)
def export_xes(args, process_key: str):
    """The event log of the process's cases opened in the period (without one: every case), as XES (IEEE 1849)."""
    rows = export.event_log(services(), process_key, *_open_bounds(args), principal())
    _require_deployed(process_key)
    body = export.to_xes(rows, export.log_name(process_key, args.get("start"), args.get("end")))
    return send_download(Download(body, "application/xml; charset=utf-8", f"{process_key}.xes"))


@bp.get("/exports/<process_key>.csv")
@bp.arguments(ExportPeriodSchema, location="query")
@bp.doc(responses={"200": {"description": "the event log", "content": {"text/csv": {"schema": {"type": "string"}}}}})
def export_csv(args, process_key: str):
    """The event log as CSV (UTF-8 with a byte-order mark, like every CSV download); without a period, every case."""
    rows = export.event_log(services(), process_key, *_open_bounds(args), principal())
    _require_deployed(process_key)
    return send_download(Download(csv_bytes(export.to_csv(rows)), CSV_MIMETYPE, f"{process_key}.csv"))


class AcceptedDeviationSchema(Schema):
    id = fields.Integer(dump_only=True)
    process_key = fields.String(required=True)
    element_id = fields.String(required=True)
    kind = fields.String(required=True, metadata={"enum": ["inserted", "missing", "skipped", "repeated"]})
    reason = fields.String(required=True)
    created_by = fields.String(dump_only=True)
    created_at = fields.DateTime(dump_only=True)


@bp.get("/accepted-deviations")
@bp.arguments(Schema.from_dict({"process_key": fields.String()}), location="query")
@bp.response(200, AcceptedDeviationSchema(many=True))
def list_accepted(args):
    """QA's allow-list: deviations accepted with a reason (they still show, marked accepted)."""
    return accepted.list_accepted(services(), principal(), args.get("process_key"))


@bp.post("/accepted-deviations")
@bp.arguments(AcceptedDeviationSchema)
@bp.response(201, AcceptedDeviationSchema)
def accept(args):
    return accepted.accept(
        services(), args["process_key"], args["element_id"], args["kind"], args["reason"], principal()
    )


@bp.delete("/accepted-deviations/<int:row_id>")
@bp.response(204)
def withdraw(row_id: int):
    accepted.withdraw(services(), row_id, principal())
