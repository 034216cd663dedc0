"""/api/v1/reports/{conformance,deadlines,kpi}.{xlsx,csv}: the QA tables as downloads.

The same reports as the JSON endpoints (same roles, same figures): XLSX holds every table of the
report on its own sheet, CSV the main one (UTF-8 with a byte-order mark). Sheet names and column
headers are in ``lang`` (zh_Hans or en), by default the session's language.
"""

from __future__ import annotations

from datetime import datetime
from datetime import time

from flask_smorest import Blueprint
from marshmallow import Schema
from marshmallow import fields
from marshmallow import validate

from ...integrations.spreadsheets import XLSX_MIMETYPE
from ...services.qa import downloads as qa_tables
from ..common import principal
from ..common import send_download
from ..common import services
from ..i18n import LANGUAGES
from ..i18n import current_language

bp = Blueprint("qa_downloads", __name__, url_prefix="/api/v1/reports", description="QA tables as XLSX or CSV downloads")
FORMATS = "<any(xlsx, csv):fmt>"
BINARY = {"schema": {"type": "string", "format": "binary"}}
DOWNLOAD = {
    "responses": {
        "200": {
            "description": "the report's tables: every one on its own sheet (xlsx), the main one (csv)",
            "content": {XLSX_MIMETYPE: BINARY, "text/csv": BINARY},
        }
    }
}


class LanguageSchema(Schema):
    lang = fields.String(
        validate=validate.OneOf(list(LANGUAGES)),
        metadata={"description": "sheet names and headers: zh_Hans or en (default: the session's language)"},
    )


class PeriodSchema(LanguageSchema):
    start = fields.Date(data_key="from", required=True)
    end = fields.Date(data_key="to", required=True, metadata={"description": "exclusive"})
    process_key = fields.String()


def language(args) -> str:
    return args.get("lang") or current_language()


class QuarterSchema(LanguageSchema):
    quarter = fields.String(required=True, validate=validate.Regexp(r"^\d{4}-Q[1-4]$"), metadata={"example": "2026-Q1"})


def _bounds(args) -> tuple[datetime, datetime]:
    tz = services().calendar.tz
    return datetime.combine(args["start"], time(0), tz), datetime.combine(args["end"], time(0), tz)


@bp.get(f"/conformance.{FORMATS}")
@bp.doc(**DOWNLOAD)
@bp.arguments(PeriodSchema, location="query")
def conformance_table(args, fmt: str):
    """The conformance report: cases, deviations, deviations per element, summary."""
    process_key = args.get("process_key") or "repair"
    return send_download(
        qa_tables.conformance_download(services(), process_key, *_bounds(args), principal(), fmt, language(args))
    )


@bp.get(f"/deadlines.{FORMATS}")
@bp.doc(**DOWNLOAD)
@bp.arguments(PeriodSchema, location="query")
def deadline_table(args, fmt: str):
    """The deadline report: every deadline, and the outcomes by clause, person, branch and month."""
    return send_download(
        qa_tables.deadline_download(
            services(), *_bounds(args), principal(), args.get("process_key"), fmt, language(args)
        )
    )


@bp.get(f"/kpi.{FORMATS}")
@bp.doc(**DOWNLOAD)
@bp.arguments(QuarterSchema, location="query")
def kpi_table(args, fmt: str):
    """The quarter's KPI table and weighted score."""
    return send_download(qa_tables.kpi_download(services(), args["quarter"], principal(), fmt, language(args)))
