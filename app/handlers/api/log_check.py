"""/api/v1/qa/log-check: a legacy event log (CSV or XES) checked against a diagram version.

A POST because the log is uploaded, but it changes nothing: the read-only auditor may run it
(auth.READ_ONLY_ANALYSIS names this one path).
"""

from __future__ import annotations

from flask import request
from flask_smorest import Blueprint
from marshmallow import Schema
from marshmallow import fields
from marshmallow import validate

from ...errors import InvalidInput
from ...integrations.event_log_formats import MAX_LOG_BYTES
from ...integrations.spreadsheets import XLSX_MIMETYPE
from ...services.qa import downloads as qa_tables
from ...services.qa import log_check as log_import
from ..common import principal
from ..common import send_download
from ..common import services
from ..i18n import LANGUAGES
from ..i18n import current_language
from ..schemas import file_upload_body

bp = Blueprint(
    "log_check", __name__, url_prefix="/api/v1/qa", description="QA: legacy event logs checked against a diagram"
)


class LogCheckQuerySchema(Schema):
    process = fields.String(required=True, metadata={"example": "repair", "description": "process key"})
    version = fields.Integer(
        validate=validate.Range(1), metadata={"description": "deployed version; default the latest"}
    )
    format = fields.String(
        load_default="json",
        validate=validate.OneOf(["json", "csv", "xlsx"]),
        metadata={"description": "json (default), or the report as a csv / xlsx download"},
    )
    complete = fields.Boolean(
        load_default=False,
        metadata={
            "description": "the log's cases are finished: work the model still expects counts as missing"
            " (default false: a legacy log may end mid-case)"
        },
    )
    lang = fields.String(
        validate=validate.OneOf(list(LANGUAGES)),
        metadata={"description": "the download's sheet names and headers: zh_Hans or en (default: the session's)"},
    )


class LogDeviationSchema(Schema):
    kind = fields.String(metadata={"enum": ["missing", "inserted", "out_of_order", "unknown_activity"]})
    activity = fields.String(metadata={"description": "element id (the log's label for unknown activities)"})
    name = fields.String()
    position = fields.Integer(metadata={"description": "0-based index of the event in the case's trace"})
    detail = fields.String()
    related = fields.List(
        fields.String(),
        metadata={"description": "out_of_order: the work required first; missing: the step it was skipped before"},
    )


class LogCaseSchema(Schema):
    case_id = fields.String()
    events = fields.Integer()
    fitness = fields.Float(metadata={"description": "½(1 − missing/consumed) + ½(1 − remaining/produced)"})
    fitting = fields.Boolean()
    produced = fields.Integer()
    consumed = fields.Integer()
    missing = fields.Integer()
    remaining = fields.Integer()
    deviations = fields.List(fields.Nested(LogDeviationSchema))


class LogSummarySchema(Schema):
    cases = fields.Integer()
    events = fields.Integer()
    ignored_routing_events = fields.Integer(metadata={"description": "events naming a gateway (routing, left out)"})
    fitting_cases = fields.Integer()
    average_fitness = fields.Float(allow_none=True)
    log_fitness = fields.Float(allow_none=True, metadata={"description": "the formula over the whole log's tokens"})
    produced = fields.Integer()
    consumed = fields.Integer()
    missing = fields.Integer()
    remaining = fields.Integer()
    deviations_by_activity = fields.List(fields.Dict())


class LogCheckSchema(Schema):
    process_key = fields.String()
    version = fields.Integer()
    filename = fields.String()
    format = fields.String(metadata={"enum": ["csv", "xes"]})
    complete = fields.Boolean()
    summary = fields.Nested(LogSummarySchema)
    cases = fields.List(fields.Nested(LogCaseSchema))


@bp.post("/log-check")
@bp.arguments(LogCheckQuerySchema, location="query")
@bp.response(200, LogCheckSchema)
@bp.doc(
    requestBody=file_upload_body(
        "event log: .csv (case id, activity, timestamp [, resource]) or .xes (IEEE 1849), optionally gzip-compressed"
    ),
    responses={
        "200": {
            "description": "the report as JSON, or as a download with format=xlsx|csv",
            "content": {
                "application/json": {"schema": LogCheckSchema},
                XLSX_MIMETYPE: {"schema": {"type": "string", "format": "binary"}},
                "text/csv": {"schema": {"type": "string", "format": "binary"}},
            },
        }
    },
)
def log_check(args):
    """Token replay of an uploaded event log on a deployed diagram: fitness and deviations per case.

    Read-only analysis (nothing is stored; the auditor may run it). Malformed logs get 422 with
    the reason. ``format=csv|xlsx`` returns the report as a download instead of JSON.
    """
    uploaded = request.files.get("file")
    if uploaded is None or not uploaded.filename:
        raise InvalidInput("send the event log as the multipart field 'file'", errors={"file": ["missing"]})
    content = uploaded.stream.read(MAX_LOG_BYTES + 1)
    report = log_import.check_log(
        services(),
        args["process"],
        args.get("version"),
        uploaded.filename,
        content,
        principal(),
        complete=args["complete"],
    )
    if args["format"] == "json":
        return report
    file = qa_tables.log_check_download(report, args["format"], args.get("lang") or current_language())
    return send_download(file)
