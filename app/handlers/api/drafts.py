"""/api/v1/drafts: the user's own drafts of task forms (kept server-side, never validated)."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema
from marshmallow import fields

from ...services import revisions
from ...services.tasks import drafts
from ..common import principal
from ..common import services
from ..json_input import json_object_body
from ..revisions import ETAG_HEADER
from ..revisions import etag

bp = Blueprint("drafts", __name__, url_prefix="/api/v1/drafts", description="Drafts of task forms")


class DraftSchema(Schema):
    task_id = fields.String()
    data = fields.Dict()
    updated_at = fields.DateTime()
    revision = fields.Function(revisions.of_draft, metadata={"description": "the ETag; send it as If-Match"})


@bp.get("/<task_id>")
@bp.response(200, DraftSchema, headers=ETAG_HEADER)
def get_draft(task_id: str):
    """The caller's draft of the task's form (404 if none)."""
    draft = drafts.get_draft(services(), task_id, principal())
    return draft, 200, etag(revisions.of_draft(draft))


@bp.put("/<task_id>")
@bp.response(200, DraftSchema)
@bp.doc(requestBody={"content": {"application/json": {"schema": {"type": "object"}}}, "description": "the form so far"})
def put_draft(task_id: str):
    """Keep the form as it is so far; only while the task is ready and the caller may work it."""
    return drafts.save_draft(services(), task_id, json_object_body(), principal())


@bp.delete("/<task_id>")
@bp.response(204)
def delete_draft(task_id: str):
    """Forget the caller's draft of the task (no error if there is none)."""
    drafts.delete_draft(services(), task_id, principal())
