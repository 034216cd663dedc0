"""/api/v1/external-tasks: outside workers fetch, lock and complete service tasks of their topics
(services/integration/external_tasks.py); Camunda 7's external-task API, in its shape."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema
from marshmallow import fields
from marshmallow import validate

from ...services.integration import external_tasks
from ..common import principal
from ..common import services

bp = Blueprint(
    "external_tasks", __name__, url_prefix="/api/v1/external-tasks", description="Service tasks done by outside workers"
)

LOCK = validate.Range(1, external_tasks.MAX_LOCK_MS)
WORKER = fields.String(required=True, validate=validate.Length(1, 128), metadata={"description": "the worker's id"})


class TopicSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(1, 128))
    lock_duration = fields.Integer(required=True, validate=LOCK, metadata={"description": "milliseconds"})


class FetchSchema(Schema):
    worker_id = WORKER
    topics = fields.List(fields.Nested(TopicSchema), required=True, validate=validate.Length(1, 50))
    max_tasks = fields.Integer(load_default=10, validate=validate.Range(1, external_tasks.MAX_TASKS))
    async_response_timeout = fields.Integer(
        load_default=0,
        validate=validate.Range(0, external_tasks.MAX_WAIT_MS),
        metadata={"description": "ms to wait for a task when there is none (long polling); 0: answer at once"},
    )


class LockedTaskSchema(Schema):
    id = fields.String()
    topic = fields.String()
    worker_id = fields.String()
    lock_expiration_time = fields.DateTime()
    instance_id = fields.Integer()
    case_no = fields.String(allow_none=True)
    process_key = fields.String()
    element_id = fields.String()
    name = fields.String()
    retries = fields.Integer(allow_none=True, metadata={"description": "left after earlier failures; null: none yet"})
    error_message = fields.String(allow_none=True, metadata={"description": "the last failure's"})
    variables = fields.Dict(metadata={"description": "the case data"})


class ExternalTaskSchema(Schema):
    id = fields.String()
    instance_id = fields.Integer()
    element_id = fields.String()
    topic = fields.String()
    status = fields.String()
    worker_id = fields.String(allow_none=True)
    locked_until = fields.DateTime(allow_none=True)
    retries = fields.Integer(allow_none=True)
    failure = fields.String(allow_none=True)


class CompleteSchema(Schema):
    worker_id = WORKER
    variables = fields.Dict(keys=fields.String(), load_default=dict, metadata={"description": "into the case data"})


class FailureSchema(Schema):
    worker_id = WORKER
    error_message = fields.String(required=True, validate=validate.Length(1, 2000))
    retries = fields.Integer(
        required=True, validate=validate.Range(0, 1000), metadata={"description": "left; 0: incident"}
    )
    retry_timeout = fields.Integer(
        load_default=0,
        validate=validate.Range(0, external_tasks.MAX_BACK_OFF_MS),
        metadata={"description": "ms before it may be fetched again"},
    )


class ExtendLockSchema(Schema):
    worker_id = WORKER
    new_duration = fields.Integer(required=True, validate=LOCK, metadata={"description": "milliseconds from now"})


class BpmnErrorSchema(Schema):
    worker_id = WORKER
    error_code = fields.String(required=True, validate=validate.Length(1, 128))
    variables = fields.Dict(keys=fields.String(), load_default=dict)


@bp.post("/fetch-and-lock")
@bp.arguments(FetchSchema)
@bp.response(200, LockedTaskSchema(many=True))
def fetch_and_lock(body):
    """Lock up to ``max_tasks`` ready tasks of the topics (of the caller's roles) to the worker, each
    for its topic's lock duration; an empty list when there are none."""
    topics = [external_tasks.TopicRequest(t["name"], t["lock_duration"]) for t in body["topics"]]
    return external_tasks.fetch_and_lock(
        services(), principal(), body["worker_id"], topics, body["max_tasks"], body["async_response_timeout"]
    )


@bp.post("/<task_id>/complete")
@bp.arguments(CompleteSchema)
@bp.response(200, ExternalTaskSchema)
def complete(body, task_id: str):
    """The lock's holder completes the task; 409 if the caller's lock expired or is another's."""
    return external_tasks.complete(services(), principal(), task_id, body["worker_id"], body["variables"])


@bp.post("/<task_id>/failure")
@bp.arguments(FailureSchema)
@bp.response(200, ExternalTaskSchema)
def failure(body, task_id: str):
    """The holder failed: fetchable again after ``retry_timeout`` with ``retries`` left; 0 opens an incident."""
    return external_tasks.fail(
        services(),
        principal(),
        task_id,
        body["worker_id"],
        body["error_message"],
        body["retries"],
        body["retry_timeout"],
    )


@bp.post("/<task_id>/extend-lock")
@bp.arguments(ExtendLockSchema)
@bp.response(200, ExternalTaskSchema)
def extend_lock(body, task_id: str):
    """The holder keeps its lock ``new_duration`` ms from now."""
    return external_tasks.extend_lock(services(), principal(), task_id, body["worker_id"], body["new_duration"])


@bp.post("/<task_id>/bpmn-error")
@bp.arguments(BpmnErrorSchema)
@bp.response(200, ExternalTaskSchema)
def bpmn_error(body, task_id: str):
    """The holder reports a business error, caught by the task's boundary error event with that code
    (409 if none catches it)."""
    return external_tasks.bpmn_error(
        services(), principal(), task_id, body["worker_id"], body["error_code"], body["variables"]
    )
