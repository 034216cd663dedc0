"""/api/v1/cases/<case_no>: a case found by the number people quote (SR-2026-000001), as
/api/v1/instances/<id> answers it."""

from __future__ import annotations

from flask_smorest import Blueprint

from ...services import revisions
from ...services.cases import opening as cases
from ..common import principal
from ..common import services
from ..revisions import ETAG_HEADER
from ..revisions import etag
from ..schemas import InstanceDetailSchema

bp = Blueprint("cases", __name__, url_prefix="/api/v1/cases", description="Cases by their number")


@bp.get("/<case_no>")
@bp.response(200, InstanceDetailSchema, headers=ETAG_HEADER)
def get_case_by_number(case_no: str):
    """The case with this number (404 when none, 403 when the caller may not read it)."""
    instance = cases.case_by_number(services(), case_no, principal())
    instance.links = cases.case_links(services(), instance.id, principal())
    return instance, 200, etag(revisions.of_case(instance))
