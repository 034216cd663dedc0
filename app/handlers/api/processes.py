"""/api/v1/processes: deployed diagrams and starting a case."""

from __future__ import annotations

from flask import request
from flask import url_for
from flask_smorest import Blueprint
from marshmallow import Schema
from marshmallow import fields
from marshmallow import validate

from ...errors import InvalidInput
from ...errors import NotFound
from ...services.cases import opening as cases
from ...services.processes import deployments
from ...services.processes import version_admin
from ..common import principal
from ..common import services
from ..i18n import problem_entry
from ..json_input import json_object_body
from ..schemas import DiagramProblemSchema
from ..schemas import DiagramRefusedSchema
from ..schemas import InstanceSchema
from ..schemas import ProcessSchema
from ..schemas import file_upload_body
from ..schemas import mapping_field

bp = Blueprint("processes", __name__, url_prefix="/api/v1/processes", description="Deployed processes")


@bp.get("")
@bp.response(200, ProcessSchema(many=True))
def list_processes():
    """Every deployed process with its latest version."""
    principal()
    return deployments.process_overview(
        services(),
    )


@bp.get("/<key>")
@bp.response(200, ProcessSchema)
def get_process(key: str):
    principal()
    rows = deployments.process_overview(services(), key)
    if not rows:
        raise NotFound(f"no deployed process {key!r}")
    return rows[0]


@bp.post("/<key>/instances")
@bp.response(201, InstanceSchema, headers={"Location": {"description": "the case", "schema": {"type": "string"}}})
@bp.doc(
    requestBody={
        "content": {"application/json": {"schema": {"type": "object"}}},
        "description": "initial case data (optional)",
    },
    parameters=[
        {
            "in": "header",
            "name": "Idempotency-Key",
            "required": False,
            "schema": {"type": "string", "maxLength": 128},
            "description": "a retried start with the same key answers the case the first one opened",
        }
    ],
)
def start_instance(key: str):
    """Open a case on the latest version of the process (``Location``: the new case)."""
    instance = cases.start_case(
        services(), key, json_object_body(), principal(), idempotency_key=request.headers.get("Idempotency-Key")
    )
    return instance, 201, {"Location": url_for("instances.get_instance", instance_id=instance.id)}


class UploadQuerySchema(Schema):
    dry_run = fields.Boolean(load_default=False, metadata={"description": "validate only"})
    strict = fields.Boolean(load_default=False, metadata={"description": "house conventions refuse, not warn"})


class DeployedSchema(Schema):
    key = fields.String()
    version = fields.Integer(allow_none=True)
    created = fields.Boolean()
    dry_run = fields.Boolean()
    warnings = fields.List(fields.Nested(DiagramProblemSchema), metadata={"description": "house conventions broken"})
    processes = fields.List(
        fields.Dict(),
        metadata={"description": "each process of the file (a collaboration holds several): key, version"},
    )


class DiffSchema(Schema):
    key = fields.String()
    from_ = fields.Integer(data_key="from")
    to = fields.Integer()
    added = fields.List(fields.String())
    removed = fields.List(fields.String())
    changed = fields.List(fields.Dict())
    forms_changed = fields.List(fields.String())


class MigrationCheckSchema(Schema):
    case_id = fields.Integer()
    case_no = fields.String()
    can_move = fields.Boolean()
    here = fields.List(fields.String(), metadata={"description": "the elements whose tasks are ready now"})
    ready_there = fields.List(fields.String(), metadata={"description": "where it would wait on the target"})
    missing = fields.List(
        fields.String(),
        metadata={"description": "elements of its path the target lacks and the mapping does not place"},
    )
    problems = fields.List(
        fields.Dict(),
        metadata={"description": "what keeps it: {kind (inserted, missing, error), element_id, detail}"},
    )
    why_not = fields.List(fields.String())


class MigrationSchema(Schema):
    case_id = fields.Integer()
    case_no = fields.String()
    moved = fields.Boolean()
    why_not = fields.List(fields.String())


@bp.post("")
@bp.arguments(UploadQuerySchema, location="query")
@bp.response(201, DeployedSchema)
@bp.alt_response(200, schema=DeployedSchema, description="dry run: the diagram is valid, nothing deployed")
@bp.alt_response(422, schema=DiagramRefusedSchema, description="refused, with every problem")
@bp.doc(requestBody=file_upload_body("<key>.bpmn"))
def upload(args):
    """Deploy a BPMN file (multipart field ``file``; further fields named by form path carry new forms).

    Several ``file`` fields deploy as one set, all or none: a call activity of one file may call a
    process of another (or one already deployed).
    Refused whole with 422 and ``errors: [{file, element_id, line, reason, rule, severity}]``; ``?dry_run=1``
    only validates. A broken house convention is a warning in ``warnings``; ``?strict=1`` refuses it.
    """
    uploads = request.files.getlist("file")
    if not uploads or not all(u.filename for u in uploads):
        raise InvalidInput("send the diagram as the multipart field 'file'", errors={"file": ["missing"]})
    forms = {name: f.read() for name, f in request.files.items() if name != "file"}
    if len(uploads) > 1:
        results = version_admin.deploy_uploads(
            services(),
            [(u.filename, u.read()) for u in uploads],
            forms,
            principal(),
            dry_run=args["dry_run"],
            strict=args["strict"],
        )
    else:
        results = version_admin.deploy_upload(
            services(),
            uploads[0].filename,
            uploads[0].read(),
            forms,
            principal(),
            dry_run=args["dry_run"],
            strict=args["strict"],
        )
    result = results[0]
    body = {
        "key": result.process_key,
        "version": result.version,
        "created": result.created,
        "dry_run": args["dry_run"],
        "warnings": [problem_entry(w) for r in results for w in r.warnings],
        "processes": [{"key": r.process_key, "version": r.version, "created": r.created} for r in results],
    }
    return (body, 200) if args["dry_run"] else body


@bp.get("/<key>/diff")
@bp.arguments(
    Schema.from_dict({"from_": fields.Integer(data_key="from", required=True), "to": fields.Integer(required=True)}),
    location="query",
)
@bp.response(200, DiffSchema)
def diff(args, key: str):
    """What changed between two versions: elements added, removed, changed; forms changed."""
    principal()
    return version_admin.diff_versions(services(), key, args["from_"], args["to"])


@bp.post("/<key>/versions/<int:version>/redeploy")
@bp.response(201, DeployedSchema)
def redeploy(key: str, version: int):
    """Rollback: deploy an old version's diagram and forms again as the newest version."""
    result = version_admin.rollback(services(), key, version, principal())
    return {
        "key": result.process_key,
        "version": result.version,
        "created": result.created,
        "dry_run": False,
        "warnings": [problem_entry(w) for w in result.warnings],
    }


class MigrationCheckQuery(Schema):
    from_ = fields.Integer(data_key="from", required=True)
    to = fields.Integer(required=True)
    map = fields.List(
        fields.String(validate=validate.Regexp(r"^[^:]+:[^:]+$", error="expected source_element:target_element")),
        load_default=list,
        metadata={"description": "renamed elements, each as source_element:target_element (repeat the parameter)"},
    )


@bp.get("/<key>/migration-check")
@bp.arguments(MigrationCheckQuery, location="query")
@bp.response(200, MigrationCheckSchema(many=True))
def migration_check(args, key: str):
    """Dry run: for each running case on ``from``, whether it could move to ``to``, and why not."""
    mapping = dict(pair.split(":", 1) for pair in args["map"])
    return version_admin.migration_check(services(), key, args["from_"], args["to"], principal(), mapping)


@bp.post("/<key>/migrate")
@bp.arguments(
    Schema.from_dict(
        {
            "from_": fields.Integer(data_key="from", required=True),
            "to": fields.Integer(required=True),
            "mapping": mapping_field(),
            "reason": fields.String(required=True, metadata={"description": "why (kept in each case's audit trail)"}),
            "cases": fields.List(
                fields.Integer(),
                load_default=None,
                metadata={"description": "only these cases (ids) of version ``from``; default: all of them"},
            ),
        }
    )
)
@bp.response(200, MigrationSchema(many=True))
def migrate_all(args, key: str):
    """Move every running case on ``from`` to ``to``; each case moves whole or stays, saying why."""
    return version_admin.migrate_all(
        services(),
        key,
        args["from_"],
        args["to"],
        principal(),
        args["mapping"],
        reason=args["reason"],
        case_ids=args["cases"],
    )
