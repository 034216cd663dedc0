"""/api/v1/tasks: the inbox and the work on a task."""

from __future__ import annotations

from flask import jsonify
from flask import request
from flask import url_for
from flask_smorest import Blueprint
from marshmallow import Schema
from marshmallow import fields

from ...domain.task_queries import TaskQuery
from ...services.tasks import quoting
from ...services.tasks import work as tasks
from ..common import principal
from ..common import services
from ..json_input import json_object_body
from ..revisions import ETAG_HEADER
from ..revisions import etag
from ..schemas import DelegateSchema
from ..schemas import TaskDetailSchema
from ..schemas import TaskQuerySchema
from ..schemas import TaskSchema

bp = Blueprint("tasks", __name__, url_prefix="/api/v1/tasks", description="User tasks")


class _TaskOut:
    """A task row plus what the response adds to it (its form schema, the case data)."""

    def __init__(self, task, form=None, **extra) -> None:
        self._task = task
        self.form_schema = form
        self.__dict__.update(extra)

    def __getattr__(self, name: str):
        return getattr(self._task, name)


@bp.get("")
@bp.arguments(TaskQuerySchema, location="query")
@bp.response(
    200,
    TaskSchema(many=True),
    headers={"X-Total-Count": {"description": "tasks matching, all pages", "schema": {"type": "integer"}}},
)
def list_tasks(args):
    """Ready tasks the user may work (``mine=true``: only those claimed by or handed to them), soonest due
    first unless ``sort``/``order`` say otherwise; ``X-Total-Count`` counts all pages. Each comes with the
    form schema its completion is validated against (live choices, the case's values) unless
    ``with_forms=false``."""
    status = None if args["status"] == "all" else args["status"]
    query = TaskQuery(
        status=status,
        instance_id=args.get("instance_id"),
        process_key=args.get("process_key"),
        mine=args["mine"],
        overdue_before=services().clock.now() if args["overdue"] else None,
        assignee=args.get("assignee"),
        name=args.get("name"),
        customer=args.get("customer"),
        due_before=args.get("due_before"),
        due_after=args.get("due_after"),
        sort=args["sort"],
        order=args["order"],
    )
    page = tasks.task_page(
        services(),
        principal(),
        query,
        limit=args["limit"],
        offset=args["offset"],
        with_forms=args["with_forms"],
        live_forms=True,
    )
    return [_TaskOut(task, form) for task, form in page.rows], 200, {"X-Total-Count": str(page.total)}


class TaskMovedSchema(Schema):
    moved_to = fields.String(metadata={"description": "the id of the task that took this one's place"})
    detail = fields.String()


@bp.get("/<task_id>")
@bp.response(200, TaskDetailSchema, headers=ETAG_HEADER)
@bp.alt_response(
    308,
    schema=TaskMovedSchema,
    description="the task's case was moved to another version: this task was replaced by the one of the "
    "same element, ``moved_to`` (also in Location; a client following redirects gets that task)",
    headers={"Location": {"description": "/api/v1/tasks/{moved_to}", "schema": {"type": "string"}}},
)
def get_task(task_id: str):
    """One task with its form (live choices filled in) and the case data it sees. A task replaced by
    a migration answers 308 naming the task that took its place."""
    moved_to = tasks.moved_to(services(), task_id, principal())
    if moved_to is not None:
        location = url_for("tasks.get_task", task_id=moved_to)
        detail = f"task {task_id} was replaced by task {moved_to} when its case moved to another version"
        response = jsonify({"moved_to": moved_to, "detail": detail})  # not the 200 schema's shape
        response.status_code, response.headers["Location"] = 308, location
        return response
    view = tasks.get_task(services(), task_id, principal())
    out = _TaskOut(view.task, view.form, case_no=view.case_no, instructions=view.instructions, data=view.data)
    return out, 200, etag(view.revision)


@bp.post("/<task_id>/claim")
@bp.response(200, TaskSchema)
def claim(task_id: str):
    return _TaskOut(tasks.claim_task(services(), task_id, principal()))


@bp.post("/<task_id>/unclaim")
@bp.response(200, TaskSchema)
def unclaim(task_id: str):
    return _TaskOut(tasks.unclaim_task(services(), task_id, principal()))


@bp.post("/<task_id>/delegate")
@bp.arguments(DelegateSchema)
@bp.response(200, TaskSchema)
def delegate(args, task_id: str):
    """Hand the task to a colleague with the same role."""
    return _TaskOut(tasks.delegate_task(services(), task_id, args["username"], principal()))


@bp.post("/<task_id>/complete")
@bp.response(200, TaskSchema)
@bp.doc(
    requestBody={
        "content": {"application/json": {"schema": {"type": "object"}}},
        "description": "the form data, validated against the task's form schema",
    },
    parameters=[
        {
            "name": "on_behalf",
            "in": "query",
            "required": False,
            "schema": {"type": "boolean"},
            "description": "staff doing a customer's step for the customer (recorded in the audit trail)",
        }
    ],
)
def complete(task_id: str):
    """Complete the task with the form data: 422 with field errors, 409 if no longer ready.
    ``?on_behalf=true``: staff doing a customer's step (lane ``customer``) for the customer, recorded
    in the audit trail; without it such a step is refused to staff (403)."""
    on_behalf = request.args.get("on_behalf", "").strip().lower() in ("1", "true", "yes")
    return _TaskOut(tasks.complete_task(services(), task_id, json_object_body(), principal(), on_behalf=on_behalf))


@bp.post("/<task_id>/quote")
@bp.response(200)
@bp.doc(
    requestBody={
        "content": {"application/json": {"schema": {"type": "object"}}},
        "description": "the form as filled so far (the parts listed, misuse found, the labour quantity)",
    }
)
def quote(task_id: str):
    """The quote the form's values give now, from the price list, to show the customer before the
    plan is accepted (W-06): 409 for a task whose form has no quote."""
    return quoting.preview_quote(services(), task_id, json_object_body(), principal())
