"""/api/v1/instances: where cases stand, their audit trail and their timers."""

from __future__ import annotations

from flask import Response
from flask_smorest import Blueprint
from marshmallow import Schema
from marshmallow import fields
from marshmallow import validate

from ...services import revisions
from ...services.cases import attachments
from ...services.cases import opening as cases
from ...services.cases import papers
from ...services.cases import repair as case_repair
from ...services.integration import external_tasks
from ..common import principal
from ..common import services
from ..revisions import ETAG_HEADER
from ..revisions import etag
from ..schemas import CancelSchema
from ..schemas import EventSchema
from ..schemas import InstanceDetailSchema
from ..schemas import InstanceQuerySchema
from ..schemas import InstanceSchema
from ..schemas import TimerSchema
from ..schemas import mapping_field

bp = Blueprint("instances", __name__, url_prefix="/api/v1/instances", description="Cases (process instances)")


@bp.get("")
@bp.arguments(InstanceQuerySchema, location="query")
@bp.response(
    200,
    InstanceSchema(many=True),
    headers={"X-Total-Count": {"description": "cases matching, all pages", "schema": {"type": "integer"}}},
)
def list_instances(args):
    """The cases the caller may read, newest first unless ``sort``/``order`` say otherwise."""
    rows, total = cases.list_cases_counted(services(), principal(), **args)
    return rows, 200, {"X-Total-Count": str(total)}


@bp.get("/<int:instance_id>")
@bp.response(200, InstanceDetailSchema, headers=ETAG_HEADER)
def get_instance(instance_id: int):
    """Where the case stands, with the cases it is linked to and its open incidents."""
    instance = cases.get_case(services(), instance_id, principal())
    instance.links = cases.case_links(services(), instance_id, principal())
    instance.incidents = external_tasks.case_incidents(services(), instance_id)
    return instance, 200, etag(revisions.of_case(instance))


@bp.get("/<int:instance_id>/events")
@bp.response(200, EventSchema(many=True))
def list_events(instance_id: int):
    """The audit trail of the case, oldest first."""
    return cases.case_events(services(), instance_id, principal())


@bp.get("/<int:instance_id>/timers")
@bp.response(200, TimerSchema(many=True))
def list_timers(instance_id: int):
    """Timers of the case: waiting (with due time), fired, cancelled."""
    return cases.case_timers(services(), instance_id, principal())


@bp.post("/<int:instance_id>/cancel")
@bp.arguments(CancelSchema)
@bp.response(200, InstanceSchema)
def cancel_instance(args, instance_id: int):
    return cases.cancel_case(
        services(), instance_id, principal(), args["reason"], customer_cancelled=args["customer_cancelled"]
    )


class RetrySchema(Schema):
    data = fields.Dict(load_default=None, metadata={"description": "corrected case data for the failed step"})


class MigrateSchema(Schema):
    version = fields.Integer(load_default=None, metadata={"description": "target version (default: the latest)"})
    mapping = mapping_field()
    reason = fields.String(required=True, metadata={"description": "why the case moves (the audit trail keeps it)"})


@bp.post("/<int:instance_id>/retry")
@bp.arguments(RetrySchema)
@bp.response(200, InstanceSchema)
def retry(args, instance_id: int):
    """Run a failed step again, optionally with corrected data (process owners, administrators)."""
    return case_repair.retry_case(services(), instance_id, args["data"], principal())


@bp.post("/<int:instance_id>/migrate")
@bp.arguments(MigrateSchema)
@bp.response(200, InstanceSchema)
def migrate(args, instance_id: int):
    """Move a running case to another version; refused with the deviations when its path does not fit.
    Its ready tasks are replaced by new ones: ``GET /tasks/{old id}`` answers 308 to the new task."""
    return case_repair.migrate_case(
        services(), instance_id, args["version"], principal(), args["mapping"], reason=args["reason"]
    )


class ReasonSchema(Schema):
    reason = fields.String(required=True, metadata={"description": "recorded in the audit trail"})


class RepeatSchema(ReasonSchema):
    element_id = fields.String(required=True, metadata={"description": "a user task already done in this case"})


class DeadlineSchema(ReasonSchema):
    due_at = fields.AwareDateTime(required=True)


class SkipSchema(ReasonSchema):
    data = fields.Dict(load_default=dict, metadata={"description": "what the process goes on with"})


@bp.post("/<int:instance_id>/suspend")
@bp.arguments(ReasonSchema)
@bp.response(200, InstanceSchema)
def suspend(args, instance_id: int):
    """Hold the case: no task can be completed and no timer fires until it is resumed."""
    return case_repair.suspend_case(services(), instance_id, args["reason"], principal())


@bp.post("/<int:instance_id>/resume")
@bp.arguments(ReasonSchema)
@bp.response(200, InstanceSchema)
def resume(args, instance_id: int):
    return case_repair.resume_case(services(), instance_id, args["reason"], principal())


@bp.post("/<int:instance_id>/repeat")
@bp.arguments(RepeatSchema)
@bp.response(200, InstanceSchema)
def repeat(args, instance_id: int):
    """Move the token back to a step already done; it becomes ready again."""
    return case_repair.repeat_step(services(), instance_id, args["element_id"], args["reason"], principal())


@bp.patch("/<int:instance_id>/timers/<timer_id>")
@bp.arguments(DeadlineSchema)
@bp.response(200, InstanceSchema)
def change_deadline(args, instance_id: int, timer_id: str):
    """Give a waiting timer of the case a new due time."""
    return case_repair.change_deadline(services(), instance_id, timer_id, args["due_at"], args["reason"], principal())


@bp.post("/<int:instance_id>/tasks/<task_id>/skip")
@bp.arguments(SkipSchema)
@bp.response(200, InstanceSchema)
def skip(args, instance_id: int, task_id: str):
    """Complete a task on someone's behalf without its form's checks (audited as a skip)."""
    return case_repair.skip_task(services(), instance_id, task_id, args["data"], args["reason"], principal())


class AttachmentSchema(Schema):
    id = fields.Integer()
    instance_id = fields.Integer()
    task_id = fields.String(allow_none=True)
    field = fields.String()
    media_type = fields.String()
    size = fields.Integer()
    created_by = fields.String()
    created_at = fields.DateTime()


@bp.get("/<int:instance_id>/attachments")
@bp.response(200, AttachmentSchema(many=True))
def list_attachments(instance_id: int):
    """Files of the case (signatures, scans); the case data refers to them as ``attachment:<id>``."""
    return attachments.case_attachments(services(), instance_id, principal())


@bp.get("/<int:instance_id>/attachments/<int:attachment_id>")
def download_attachment(instance_id: int, attachment_id: int):
    row = attachments.attachment_content(services(), instance_id, attachment_id, principal())
    return Response(
        row.content,
        mimetype=row.media_type,
        headers={
            "Content-Disposition": f'inline; filename="{row.field}-{row.id}"',
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'",
        },
    )


class PaperVersionSchema(Schema):
    version = fields.Integer(metadata={"description": "1, 2, …: a step done again stores a new version"})
    number = fields.String(metadata={"description": "the document number printed on it"})
    issued_by = fields.String(metadata={"description": "the step whose completion issued it"})
    issued_at = fields.DateTime()
    state = fields.String(metadata={"description": "pending (PDF not yet stored) or stored"})
    sha256 = fields.String(allow_none=True, metadata={"description": "of the stored PDF, which every download gives"})


class PaperSchema(Schema):
    kind = fields.String(metadata={"description": "the paper's name in /papers/<kind>.pdf"})
    title = fields.String()
    number = fields.String(metadata={"description": "the document number printed on its latest version"})
    version = fields.Integer(allow_none=True, metadata={"description": "its latest version (null: not yet stored)"})
    stored = fields.Boolean(metadata={"description": "the latest version's PDF is stored"})
    versions = fields.List(fields.Nested(PaperVersionSchema), metadata={"description": "oldest first"})


class PaperQuerySchema(Schema):
    version = fields.Integer(validate=validate.Range(min=1), metadata={"description": "a version; default the latest"})


@bp.get("/<int:instance_id>/papers")
@bp.response(200, PaperSchema(many=True))
def list_papers(instance_id: int):
    """The printable papers the case has issued so far (service notice, signed report, receipts, plan), with
    their versions."""
    return papers.case_papers(services(), instance_id, principal())


@bp.get("/<int:instance_id>/papers/<kind>.pdf")
@bp.arguments(PaperQuerySchema, location="query")
@bp.response(200, {"format": "binary", "type": "string"}, content_type="application/pdf")
def download_paper(query: dict, instance_id: int, kind: str):
    """One paper of the case as the PDF stored when its step was done (A4, Chinese): the same bytes at
    every download (``X-Paper-SHA256``), recorded in the audit trail."""
    paper = papers.paper_pdf(services(), instance_id, kind, principal(), query.get("version"))
    return Response(
        paper.content,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="{paper.filename}"',
            "X-Content-Type-Options": "nosniff",
            "X-Paper-Version": str(paper.version),
            "X-Paper-SHA256": paper.sha256,
        },
    )
