"""/api/v1 for the process workbench: a version's source, validating and deploying an edited diagram
with its forms, and the process owner's drafts."""

from __future__ import annotations

from dataclasses import asdict

from flask import request
from flask_smorest import Blueprint
from marshmallow import Schema
from marshmallow import fields

from ...domain.roles import Role
from ...errors import InvalidInput
from ...errors import Severity
from ...services.processes import archive
from ...services.processes import authoring
from ...services.processes import lane_roles
from ...services.processes import workbench
from ...services.processes.authoring import CodeKind
from ..common import principal
from ..common import send_download
from ..common import services
from ..i18n import problem_entry
from ..schemas import DiagramProblemSchema
from ..schemas import DiagramRefusedSchema
from ..schemas import file_upload_body

bp = Blueprint("workbench", __name__, url_prefix="/api/v1", description="Process workbench: edit and deploy diagrams")

FORMS_DESCRIPTION = "form path (as named by formJsonSchemaFilename) -> JSON Schema, or the text typed so far"


class VersionSourceSchema(Schema):
    key = fields.String()
    version = fields.Integer()
    filename = fields.String()
    xml = fields.String()
    forms = fields.Dict(keys=fields.String(), values=fields.Raw())
    deployed_at = fields.DateTime()
    deployed_by = fields.String(allow_none=True)


class EditedDiagramSchema(Schema):
    filename = fields.String(required=True, metadata={"description": "<process key>.bpmn"})
    strict = fields.Boolean(load_default=False, metadata={"description": "house conventions refuse, not warn"})
    xml = fields.String(required=True)
    forms = fields.Dict(
        keys=fields.String(), values=fields.Raw(), load_default=dict, metadata={"description": FORMS_DESCRIPTION}
    )


class WorkbenchDeployRequestSchema(EditedDiagramSchema):
    base_version = fields.Integer(
        allow_none=True,
        load_default=None,
        metadata={"description": "the version the edit started from: 409 if another was deployed since"},
    )


class DiagramValidationSchema(Schema):
    problems = fields.List(fields.Nested(DiagramProblemSchema), metadata={"description": "errors: refused"})
    warnings = fields.List(fields.Nested(DiagramProblemSchema), metadata={"description": "house conventions broken"})


class WorkbenchDeployResultSchema(Schema):
    key = fields.String()
    version = fields.Integer()
    created = fields.Boolean(metadata={"description": "false: this exact content is already the latest version"})
    warnings = fields.List(fields.Nested(DiagramProblemSchema), metadata={"description": "house conventions broken"})


class DiagramDraftRequestSchema(Schema):
    filename = fields.String(load_default=None, metadata={"description": "<key>.bpmn (the default)"})
    xml = fields.String(required=True)
    forms = fields.Dict(keys=fields.String(), values=fields.Raw(), load_default=dict)
    base_version = fields.Integer(allow_none=True, load_default=None)


class DiagramDraftSchema(Schema):
    process_key = fields.String()
    filename = fields.String()
    xml = fields.String()
    forms = fields.Dict(keys=fields.String(), values=fields.Raw())
    base_version = fields.Integer(allow_none=True)
    updated_at = fields.DateTime()


class DiagramDraftSummarySchema(Schema):
    process_key = fields.String()
    filename = fields.String()
    base_version = fields.Integer(allow_none=True)
    updated_at = fields.DateTime()


@bp.get("/processes/<key>/source")
@bp.response(200, VersionSourceSchema)
def latest_source(key: str):
    """The latest version's BPMN XML and forms."""
    return asdict(workbench.version_source(services(), key, None, principal()))


@bp.get("/processes/<key>/versions/<int:version>/source")
@bp.response(200, VersionSourceSchema)
def version_source(key: str, version: int):
    """One version's BPMN XML and forms (process owners, administrators, auditors)."""
    return asdict(workbench.version_source(services(), key, version, principal()))


@bp.post("/workbench/validate")
@bp.arguments(EditedDiagramSchema)
@bp.response(200, DiagramValidationSchema)
def validate(args):
    """The problems a deploy would refuse (empty when it would deploy) and its warnings; nothing is stored."""
    found = workbench.validate_source(
        services(), args["filename"], args["xml"], args["forms"], principal(), strict=args["strict"]
    )
    return {
        "problems": [problem_entry(p) for p in found if p.severity is Severity.ERROR],
        "warnings": [problem_entry(p) for p in found if p.severity is Severity.WARNING],
    }


@bp.post("/workbench/deploy")
@bp.arguments(WorkbenchDeployRequestSchema)
@bp.response(201, WorkbenchDeployResultSchema)
@bp.alt_response(200, schema=WorkbenchDeployResultSchema, description="unchanged: no new version")
@bp.alt_response(422, schema=DiagramRefusedSchema, description="refused, with every problem")
def deploy(args):
    """Validate and deploy as a new version; 422 with ``errors: [{file, element_id, line, reason}]``."""
    result = workbench.deploy_source(
        services(),
        args["filename"],
        args["xml"],
        args["forms"],
        principal(),
        base_version=args["base_version"],
        strict=args["strict"],
    )
    body = {
        "key": result.process_key,
        "version": result.version,
        "created": result.created,
        "warnings": [problem_entry(w) for w in result.warnings],
    }
    return body, 201 if result.created else 200


@bp.get("/workbench/drafts")
@bp.response(200, DiagramDraftSummarySchema(many=True))
def list_drafts():
    """The caller's drafts."""
    return workbench.list_drafts(services(), principal())


@bp.get("/workbench/drafts/<key>")
@bp.response(200, DiagramDraftSchema)
def get_draft(key: str):
    """The caller's draft of the process (404 if none)."""
    return workbench.get_draft(services(), key, principal())


@bp.put("/workbench/drafts/<key>")
@bp.arguments(DiagramDraftRequestSchema)
@bp.response(200, DiagramDraftSchema)
def put_draft(args, key: str):
    """Keep the edit as it is (not validated)."""
    return workbench.save_draft(
        services(),
        key,
        args["filename"] or f"{key}.bpmn",
        args["xml"],
        args["forms"],
        principal(),
        base_version=args["base_version"],
    )


@bp.delete("/workbench/drafts/<key>")
@bp.response(204)
def delete_draft(key: str):
    """Forget the caller's draft of the process (no error if there is none)."""
    workbench.delete_draft(services(), key, principal())


class LaneRoleSchema(Schema):
    lane = fields.String(metadata={"description": "lane id"})
    name = fields.String(metadata={"description": "lane name as drawn"})
    diagram_role = fields.String(allow_none=True, metadata={"description": "the role the diagram names (lane_<role>)"})
    mapped_role = fields.String(allow_none=True, metadata={"description": "the process owner's mapping"})
    role = fields.String(allow_none=True, metadata={"description": "what its tasks get; null: administrators only"})


class LaneRolesRequestSchema(Schema):
    lanes = fields.Dict(
        keys=fields.String(),
        values=fields.String(allow_none=True),
        required=True,
        metadata={"description": "lane id -> role code (null or left out: no mapped role); replaces the mapping"},
    )


@bp.get("/processes/<key>/lane-roles")
@bp.response(200, LaneRoleSchema(many=True))
def get_lane_roles(key: str):
    """Each lane of the process (any version) with the role its tasks go to (process owners,
    administrators, auditors)."""
    return [asdict(row) for row in lane_roles.lane_table(services(), key, principal())]


@bp.put("/processes/<key>/lane-roles")
@bp.arguments(LaneRolesRequestSchema)
@bp.response(200, LaneRoleSchema(many=True))
def put_lane_roles(args, key: str):
    """Map the process's lanes to roles: for the next deploy and the cases running now (their ready
    tasks of a lane whose role changes move to the new role)."""
    return [asdict(row) for row in lane_roles.put_lane_roles(services(), key, args["lanes"], principal())]


class NewProcedureRequestSchema(Schema):
    key = fields.String(required=True, metadata={"description": "the new process key (snake_case, not deployed)"})
    name_zh = fields.String(required=True)
    name_en = fields.String(required=True)
    lanes = fields.List(
        fields.Enum(Role, by_value=True),
        load_default=list,
        metadata={"description": "a blank pool's lanes, top to bottom (working roles)"},
    )
    copy_of = fields.String(
        load_default=None, allow_none=True, metadata={"description": "copy this deployed process's latest version"}
    )


class ImportRequestSchema(Schema):
    filename = fields.String(required=True, metadata={"description": "the uploaded file's name, <name>.bpmn"})
    xml = fields.String(required=True)


class ImportResultSchema(Schema):
    process_key = fields.String()
    base_version = fields.Integer(allow_none=True)
    warnings = fields.List(fields.Nested(DiagramProblemSchema), metadata={"description": "house conventions broken"})


class LintRequestSchema(Schema):
    code = fields.String(required=True)
    kind = fields.Enum(CodeKind, by_value=True, required=True)


class LintResultSchema(Schema):
    problems = fields.List(fields.Nested(DiagramProblemSchema))


class LaneRoleChoiceSchema(Schema):
    role = fields.String()
    lane_id = fields.String()
    name = fields.String(metadata={"description": "中文 / English"})
    users = fields.Integer(metadata={"description": "active users holding the role"})


@bp.post("/workbench/procedures")
@bp.arguments(NewProcedureRequestSchema)
@bp.response(201, DiagramDraftSummarySchema)
def new_procedure(args):
    """Start a new procedure: the caller's draft of a key not deployed yet, blank (lanes) or a copy."""
    return authoring.new_procedure(services(), authoring.NewProcedure(**args), principal())


@bp.post("/workbench/import")
@bp.arguments(ImportRequestSchema)
@bp.response(201, ImportResultSchema)
@bp.alt_response(422, schema=DiagramRefusedSchema, description="refused, with every problem")
def import_diagram(args):
    """A .bpmn file as the caller's draft of its process, if a deploy would accept it (warnings returned)."""
    imported = authoring.import_diagram(services(), args["filename"], args["xml"], principal())
    return {
        "process_key": imported.draft.process_key,
        "base_version": imported.draft.base_version,
        "warnings": [problem_entry(w) for w in imported.warnings],
    }


@bp.post("/workbench/lint")
@bp.arguments(LintRequestSchema)
@bp.response(200, LintResultSchema)
def lint(args):
    """The deploy's sandbox lint of one script, condition or timer expression (as it is typed)."""
    return {"problems": [problem_entry(p) for p in authoring.lint(args["code"], args["kind"], principal())]}


@bp.get("/workbench/lane-roles")
@bp.response(200, LaneRoleChoiceSchema(many=True))
def lane_role_choices():
    """The roles a lane may give its tasks to (lane id ``lane_<role>``), with how many users hold each."""
    return [asdict(r) for r in authoring.lane_roles(services(), principal())]


@bp.get("/processes/<key>/versions/<int:version>/archive.zip")
@bp.doc(responses={"200": {"description": "<key>.bpmn and forms/<key>/*.json", "content": {"application/zip": {}}}})
def version_archive(key: str, version: int):
    """One version's diagram and forms as a zip (the layout of the processes/ folder)."""
    return send_download(archive.version_archive(services(), key, version, principal()))


@bp.post("/workbench/import-archive")
@bp.doc(requestBody=file_upload_body("a zip of <key>.bpmn and forms/<key>/*.json (as downloaded)"))
@bp.response(201, ImportResultSchema)
@bp.alt_response(422, schema=DiagramRefusedSchema, description="refused, with every problem")
def import_archive():
    """A downloaded version's zip (multipart field ``file``) as the caller's draft, if a deploy would accept it."""
    uploaded = request.files.get("file")
    if uploaded is None or not uploaded.filename:
        raise InvalidInput("send the archive as the multipart field 'file'", errors={"file": ["missing"]})
    imported = archive.import_archive(services(), uploaded.read(archive.MAX_ARCHIVE_BYTES + 1), principal())
    return {
        "process_key": imported.draft.process_key,
        "base_version": imported.draft.base_version,
        "warnings": [problem_entry(w) for w in imported.warnings],
    }
