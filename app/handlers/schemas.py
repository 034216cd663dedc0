"""marshmallow schemas of the JSON API (the OpenAPI document is generated from them)."""

from __future__ import annotations

from marshmallow import INCLUDE
from marshmallow import Schema
from marshmallow import fields
from marshmallow import validate

from ..domain.cases import CaseStatus
from ..domain.cases import TaskState
from ..domain.task_queries import SORTS as TASK_SORTS


class ProblemErrorSchema(Schema):
    class Meta:
        unknown = INCLUDE  # more about where, as the refusal knows it (a migration's ``kind``, …)

    field = fields.String(metadata={"description": "dotted path into the body (items.0.date); _schema: the whole"})
    message = fields.String()
    # A diagram refused at deploy says where besides.
    file = fields.String()
    element_id = fields.String(allow_none=True)
    line = fields.Integer(allow_none=True)
    reason = fields.String()
    in_ = fields.String(data_key="in", metadata={"description": "where a parameter was: json, query, …"})


class ProblemSchema(Schema):
    """RFC 9457 problem details: the one shape of every API error (handlers/problems.py)."""

    class Meta:
        unknown = INCLUDE  # RFC 9457 §3.2: problems may carry extension members

    type = fields.String(metadata={"description": "about:blank, or a urn:aftersales:problem:… name"})
    title = fields.String()
    status = fields.Integer()
    detail = fields.String()
    errors = fields.List(fields.Nested(ProblemErrorSchema))
    code = fields.Integer(metadata={"description": "= status (kept for clients of the first release)"})
    message = fields.String(metadata={"description": "= detail (kept for clients of the first release)"})
    fields_ = fields.Dict(
        data_key="fields",
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={"description": "field -> messages: errors by field (the first release's errors map)"},
    )


class ProcessSchema(Schema):
    key = fields.String()
    name = fields.String()
    version = fields.Integer()
    version_id = fields.Integer()
    content_hash = fields.String()
    deployed_at = fields.DateTime()
    deployed_by = fields.String(allow_none=True)
    versions = fields.List(fields.Integer())
    running_instances = fields.Integer()


class InstanceSchema(Schema):
    id = fields.Integer()
    case_no = fields.String()
    process_key = fields.String()
    process_version = fields.Function(
        lambda case: case.version, metadata={"type": "integer", "description": "the process version it runs"}
    )
    version = fields.Integer(metadata={"description": "the same as process_version (kept for older clients)"})
    version_id = fields.Integer()
    status = fields.String(metadata={"enum": [s.value for s in CaseStatus]})
    next_timer_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    completed_at = fields.DateTime(allow_none=True)
    started_by = fields.String(allow_none=True)
    error = fields.String(allow_none=True)
    parent_id = fields.Integer(allow_none=True, metadata={"description": "the case that opened this one"})
    data = fields.Dict()


class LinkSchema(Schema):
    relation = fields.String(metadata={"enum": ["opened_by", "opened"]})
    id = fields.Integer()
    case_no = fields.String()
    process_key = fields.String()
    status = fields.String()


class IncidentSchema(Schema):
    task_id = fields.String()
    element_id = fields.String()
    name = fields.String()
    topic = fields.String()
    message = fields.String(allow_none=True, metadata={"description": "the worker's last error message"})


class InstanceDetailSchema(InstanceSchema):
    links = fields.List(fields.Nested(LinkSchema))
    incidents = fields.List(
        fields.Nested(IncidentSchema),
        metadata={"description": "external tasks whose retries ran out; POST .../retry gives them new ones"},
    )


class StartSchema(Schema):
    class Meta:
        unknown = "include"


class InstanceQuerySchema(Schema):
    process_key = fields.String()
    case_no = fields.String(metadata={"description": "the case's number, e.g. SR-2026-000001"})
    status = fields.String(validate=validate.OneOf([s.value for s in CaseStatus]))
    limit = fields.Integer(load_default=100, validate=validate.Range(1, 1000))
    offset = fields.Integer(load_default=0, validate=validate.Range(0))
    updated_since = fields.AwareDateTime(
        metadata={"description": "only cases changed at or after this moment (ISO 8601 with an offset)"}
    )
    sort = fields.String(load_default="id", validate=validate.OneOf(["id", "case_no", "created_at", "updated_at"]))
    order = fields.String(load_default="desc", validate=validate.OneOf(["asc", "desc"]))


class EventSchema(Schema):
    id = fields.Integer()
    instance_id = fields.Integer()
    at = fields.DateTime()
    actor = fields.String(allow_none=True)
    type = fields.String()
    element_id = fields.String(allow_none=True)
    element_name = fields.String(allow_none=True)
    task_id = fields.String(allow_none=True)
    data = fields.Dict()


class TimerSchema(Schema):
    id = fields.String()
    instance_id = fields.Integer()
    element_id = fields.String()
    name = fields.String()
    kind = fields.String(allow_none=True)
    attached_to = fields.String(allow_none=True)
    due_at = fields.DateTime()
    estimated = fields.Boolean(metadata={"description": "due time counted on a calendar year not yet published"})
    status = fields.String()
    fired_at = fields.DateTime(allow_none=True)


class TaskSchema(Schema):
    id = fields.String()
    instance_id = fields.Integer()
    process_key = fields.String()
    element_id = fields.String()
    name = fields.String()
    lane = fields.Function(lambda t: f"lane_{t.role}" if t.role else None)
    candidate_roles = fields.Function(lambda t: [t.role] if t.role else [])
    assignee = fields.String(allow_none=True)
    status = fields.String()
    created_at = fields.DateTime()
    due_at = fields.DateTime(allow_none=True)
    due_estimated = fields.Boolean()
    claimed_at = fields.DateTime(allow_none=True)
    completed_at = fields.DateTime(allow_none=True)
    completed_by = fields.String(allow_none=True)
    form = fields.Raw(
        attribute="form_schema", allow_none=True, metadata={"description": "JSON Schema of the task's form"}
    )


class TaskDetailSchema(TaskSchema):
    case_no = fields.String(allow_none=True)
    instructions = fields.String(allow_none=True)
    data = fields.Dict()


class TaskQuerySchema(Schema):
    instance_id = fields.Integer()
    status = fields.String(
        load_default=TaskState.READY.value, validate=validate.OneOf([*(s.value for s in TaskState), "all"])
    )
    process_key = fields.String()
    mine = fields.Boolean(load_default=False)
    overdue = fields.Boolean(load_default=False)
    assignee = fields.String(metadata={"description": "held by this user"})
    name = fields.String(metadata={"description": "the task's name contains this (any case)"})
    customer = fields.String(metadata={"description": "the case's customer name contains this (any case)"})
    due_before = fields.AwareDateTime(metadata={"description": "due before this moment (with its offset)"})
    due_after = fields.AwareDateTime(metadata={"description": "due at or after this moment"})
    sort = fields.String(load_default="due", validate=validate.OneOf(TASK_SORTS))
    order = fields.String(load_default="asc", validate=validate.OneOf(["asc", "desc"]))
    with_forms = fields.Boolean(
        load_default=True, metadata={"description": "false: leave out each task's form schema (most of the bytes)"}
    )
    limit = fields.Integer(load_default=100, validate=validate.Range(1, 1000))
    offset = fields.Integer(load_default=0, validate=validate.Range(0))


class DelegateSchema(Schema):
    username = fields.String(required=True)


class UserSchema(Schema):
    username = fields.String()
    display_name = fields.String()
    email = fields.String(allow_none=True)
    locale = fields.String()
    roles = fields.Function(lambda u: sorted(u.roles))


class ClockSchema(Schema):
    now = fields.DateTime()
    simulated = fields.Boolean()
    fired_timers = fields.Integer()
    opened_cases = fields.Integer()


class AdvanceSchema(Schema):
    duration = fields.String(required=True, metadata={"example": "PT25H"})


class CancelSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1))
    customer_cancelled = fields.Boolean(
        load_default=False, metadata={"description": "the customer called it off (a payment made is refunded)"}
    )


REFUSED_PROBLEM = {
    "type": "object",
    "properties": {
        "file": {"type": "string"},
        "element_id": {"type": "string", "nullable": True},
        "line": {"type": "integer", "nullable": True},
        "reason": {"type": "string"},
        "message": {"type": "string"},
    },
}


class DiagramProblemSchema(Schema):
    """One finding of a diagram's validation: where, why, which rule, and whether it refuses."""

    file = fields.String()
    reason = fields.String()
    element_id = fields.String(allow_none=True)
    line = fields.Integer(allow_none=True)
    rule = fields.String(allow_none=True, metadata={"description": "the validation rule's id"})
    severity = fields.String(metadata={"description": "error (refused) or warning (a house convention)"})
    code = fields.String(allow_none=True, metadata={"description": "the message's code (reason is its English)"})
    params = fields.Dict(keys=fields.String(), values=fields.String(), metadata={"description": "the message's values"})
    message = fields.String(metadata={"description": "the reason in the user's language"})
    folded = fields.List(
        fields.String(), metadata={"description": "elements whose problems this one causes and stands for"}
    )


class DiagramRefusedSchema(Schema):
    """A 422 of a deploy: the diagram refused with every problem (``errors`` a list), or the request
    itself rejected (``errors`` field → messages)."""

    code = fields.Integer()
    status = fields.String()
    message = fields.String()
    errors = fields.Raw(
        metadata={
            "oneOf": [
                {"type": "array", "items": REFUSED_PROBLEM},
                {"type": "object", "additionalProperties": {}},
            ]
        }
    )


def mapping_field() -> fields.Dict:
    """A migration's renamed elements: source element id → target element id."""
    return fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        load_default=None,
        metadata={"description": "source element id → target element id, for elements the target version renamed"},
    )


def file_upload_body(description: str, **fields: dict) -> dict:
    """The OpenAPI request body of an endpoint that takes one file in the multipart field ``file``
    (and the other form ``fields`` given, as OpenAPI properties)."""
    return {
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "file": {"type": "string", "format": "binary", "description": description},
                        **fields,
                    },
                    "required": ["file"],
                }
            }
        }
    }
