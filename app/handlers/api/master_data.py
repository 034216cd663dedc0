"""/api/v1/master/<table>: the department's records (customers, units, contracts, technicians, prices).

Routes are registered per table so that OpenAPI shows each table's own fields (generated from
domain/master_data.TABLES). Lists page with ``page``/``per_page``; an edit (PATCH) names the
``revision`` it was made on; ``/import`` takes a spreadsheet (multipart ``file``, optional JSON
``mapping`` of column → field, ``dry_run``) and ``/export`` gives the table back as XLSX or CSV.
``/import/columns`` reads a file's headers and suggests the mapping (the page's mapping step).

An import asked for with ``Accept: application/x-ndjson`` answers as a stream, one JSON line per
progress report ``{"done": n, "total": m}`` and a last line ``{"result": …}`` or ``{"error": …}``
(the usual bodies): the import runs in a thread of its own and its progress callback feeds the
stream through a queue. The import is still one transaction: a client that goes away mid-stream
leaves it to finish or fail whole.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
from collections.abc import Callable
from typing import Any

from flask import Response
from flask import request
from flask import stream_with_context
from flask_smorest import Blueprint
from marshmallow import INCLUDE
from marshmallow import Schema
from marshmallow import fields
from marshmallow import validate

from ...domain.master_data import FIELD_LABELS
from ...domain.master_data import TABLE_LABELS
from ...domain.master_data import TABLES
from ...domain.master_data import FieldKind
from ...domain.master_data import Table
from ...errors import AppError
from ...errors import InvalidInput
from ...services.master_data import imports
from ...services.master_data import records
from .. import problems
from ..common import principal
from ..common import send_download
from ..common import services
from ..schemas import file_upload_body

log = logging.getLogger(__name__)
NDJSON = "application/x-ndjson"

bp = Blueprint(
    "master_data", __name__, url_prefix="/api/v1/master", description="Master data: the department's own records"
)


def _field(spec) -> fields.Field:
    description = {"description": " / ".join(reversed(_labels(spec.name)))}
    match spec.kind:
        case FieldKind.CHOICE:
            return fields.String(allow_none=True, metadata={**description, "enum": [c.value for c in spec.choices]})
        case FieldKind.DATE:
            return fields.Date(allow_none=True, metadata=description)
        case FieldKind.BOOL:
            return fields.Boolean(metadata=description)
        case FieldKind.INT:
            return fields.Integer(allow_none=True, metadata=description)
        case FieldKind.MONEY:
            # answered as text ("35.00", exact), so documented as text: apispec would say "number"
            money = {**description, "type": "string", "format": "decimal", "pattern": r"^\d+\.\d{2}$"}
            return fields.Decimal(as_string=True, allow_none=True, metadata=money)
        case FieldKind.LIST | FieldKind.PERIODS:
            return fields.List(fields.String(), metadata=description)
    return fields.String(allow_none=True, metadata=description)


def _labels(name: str) -> tuple[str, str]:
    return FIELD_LABELS.get(name, (name, name))


def _schemas(table: Table) -> tuple[type[Schema], type[Schema], type[Schema]]:
    """(record as answered, list page, a record's page with history) for ``table``."""
    singular = "".join(part.title() for part in table.name.removesuffix("s").split("_"))
    record = Schema.from_dict(
        {**{s.name: _field(s) for s in table.fields}, "revision": fields.Integer()}, name=f"{singular}Record"
    )
    page = Schema.from_dict(
        {
            "items": fields.List(fields.Nested(record)),
            "total": fields.Integer(),
            "page": fields.Integer(),
            "per_page": fields.Integer(),
        },
        name=f"{singular}Page",
    )
    change = Schema.from_dict(
        {
            "action": fields.String(),
            "changes": fields.Dict(keys=fields.String(), values=fields.List(fields.String())),
            "actor": fields.String(),
            "at": fields.DateTime(),
            "source": fields.String(allow_none=True),
        },
        name=f"{singular}Change",
    )
    detail = Schema.from_dict(
        {
            "record": fields.Nested(record),
            "history": fields.List(fields.Nested(change)),
            "related": fields.Dict(keys=fields.String(), values=fields.List(fields.Dict())),
        },
        name=f"{singular}Detail",
    )
    return record, page, detail


class ListQuery(Schema):
    class Meta:
        unknown = INCLUDE  # the table's filters (e.g. region=urban) come as query parameters

    q = fields.String(load_default="")
    sort = fields.String(load_default=None)
    desc = fields.Boolean(load_default=False)
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=records.MAX_PAGE))


class ImportAnswer(Schema):
    table = fields.String()
    applied = fields.Boolean()
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    mapping = fields.Dict(keys=fields.String(), values=fields.String(allow_none=True))
    rows = fields.List(fields.Dict())


def _body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise InvalidInput("the request body must be a JSON object", errors={"_schema": ["expected an object"]})
    return body


def _plan_body(plan: imports.ImportPlan) -> dict[str, Any]:
    return {
        "table": plan.table,
        "applied": plan.applied,
        "counts": plan.counts,
        "mapping": plan.mapping,
        "rows": [
            {"line": r.line, "action": r.action.value, "key": r.key, "problems": r.problems, "changes": r.changes}
            for r in plan.rows
        ],
    }


class ColumnsAnswer(Schema):
    headers = fields.List(fields.String())
    mapping = fields.Dict(keys=fields.String(), values=fields.String(allow_none=True))
    rows = fields.Integer(metadata={"description": "rows under the header"})
    sample = fields.List(fields.List(fields.String()), metadata={"description": "the first rows, as text"})


def _upload():
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise InvalidInput("send the spreadsheet as the multipart field 'file'", errors={"file": ["required"]})
    return upload.filename, imports.read_upload(upload.filename, upload.read())


def _wants_stream() -> bool:
    return request.accept_mimetypes.best_match(["application/json", NDJSON]) == NDJSON


def _error_line(exc: AppError) -> dict[str, Any]:
    """The refusal as the API's one problem shape (handlers/problems.py)."""
    return problems.problem(exc.http_status, exc.message, exc.errors)


def _streamed(run: Callable[[imports.Progress], imports.ImportPlan]) -> Response:
    """``run(progress)`` in a thread, its progress reports and its answer as lines of JSON."""
    lines: queue.SimpleQueue[dict[str, Any] | None] = queue.SimpleQueue()

    def work() -> None:
        try:
            plan = run(lambda done, total: lines.put({"done": done, "total": total}))
            lines.put({"result": _plan_body(plan)})
        except AppError as exc:
            lines.put({"error": _error_line(exc)})
        except Exception:
            log.exception("a streamed import failed")
            lines.put({"error": problems.problem(500, "the import failed")})
        finally:
            lines.put(None)

    def stream():
        worker = threading.Thread(target=work, name="master-data-import", daemon=True)
        worker.start()
        while (line := lines.get()) is not None:
            yield json.dumps(line, ensure_ascii=False) + "\n"
        worker.join()

    # No proxy may hold the lines back until the end (nginx buffers unless told).
    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return Response(stream_with_context(stream()), mimetype=NDJSON, headers=headers)


def _register(table: Table) -> None:
    record, page, detail = _schemas(table)
    name = table.name
    label = " / ".join(TABLE_LABELS[name])

    @bp.route(f"/{name}", methods=["GET"], endpoint=f"list_{name}")
    @bp.arguments(ListQuery, location="query", unknown=None)
    @bp.response(200, page)
    @bp.doc(
        summary=f"List {label}",
        description=f"Search in {', '.join(table.search)}; filter by {', '.join(table.filters)}.",
    )
    def list_view(args):
        filters = {k: v for k, v in args.items() if k not in ListQuery().fields}
        per_page = args["per_page"]
        found = records.list_records(
            services(),
            principal(),
            name,
            search=args["q"],
            filters=filters,
            sort=args["sort"],
            descending=args["desc"],
            offset=(args["page"] - 1) * per_page,
            limit=per_page,
        )
        return {"items": found.records, "total": found.total, "page": args["page"], "per_page": per_page}

    @bp.route(f"/{name}", methods=["POST"], endpoint=f"create_{name}")
    @bp.response(201, record)
    @bp.doc(summary=f"Create a record of {label}", requestBody={"content": {"application/json": {"schema": record}}})
    def create_view():
        return records.create_record(services(), principal(), name, _body())

    @bp.route(f"/{name}/<path:key>", methods=["GET"], endpoint=f"get_{name}")
    @bp.response(200, detail)
    @bp.doc(summary=f"One record of {label}, its history and related records")
    def get_view(key: str):
        view = records.get_record(services(), principal(), name, key)
        return {
            "record": {**view.values, "revision": view.revision},
            "history": view.history,
            "related": view.related,
        }

    @bp.route(f"/{name}/<path:key>", methods=["PATCH"], endpoint=f"update_{name}")
    @bp.response(200, record)
    @bp.doc(
        summary=f"Edit a record of {label}",
        description="The body holds the fields to change and the `revision` the edit was made on (409 if it moved on).",
        requestBody={"content": {"application/json": {"schema": record}}},
    )
    def update_view(key: str):
        body = _body()
        revision = body.pop("revision", None)
        if revision is not None and (not isinstance(revision, int) or isinstance(revision, bool)):
            raise InvalidInput("revision is a whole number", errors={"revision": ["expected an integer"]})
        return records.update_record(services(), principal(), name, key, body, revision)

    @bp.route(f"/{name}/import", methods=["POST"], endpoint=f"import_{name}")
    @bp.response(200, ImportAnswer)
    @bp.doc(
        summary=f"Import {label} from XLSX or CSV",
        description="A refused row refuses the whole file (422, every bad line named); a dry run writes nothing."
        f' With `Accept: {NDJSON}` the answer streams: lines `{{"done": n, "total": m}}`, then'
        ' `{"result": …}` or `{"error": …}`.',
        requestBody=file_upload_body(
            "XLSX, XLS, ODS or CSV (UTF-8 or GB 18030), a header row first",
            mapping={"type": "string", "description": "JSON object: column header → field (null: ignore the column)"},
            dry_run={"type": "boolean", "default": True, "description": "only say what the import would do"},
        ),
    )
    def import_view():
        filename, sheet = _upload()
        mapping = None
        if request.form.get("mapping"):
            try:
                mapping = json.loads(request.form["mapping"])
            except ValueError:
                mapping = None
            if not isinstance(mapping, dict) or not all(isinstance(v, str | None) for v in mapping.values()):
                raise InvalidInput("mapping is a JSON object of column → field", errors={"mapping": ["bad JSON"]})
        dry_run = request.form.get("dry_run", "true").lower() not in ("false", "0", "no")
        use = imports.plan_import if dry_run else imports.apply_import
        kwargs: dict[str, Any] = {} if dry_run else {"source": filename[:128]}
        ctx, actor = services(), principal()
        if _wants_stream():
            records.require_editor(actor, table)  # a refusal of the caller is an answer, not a stream
            return _streamed(lambda progress: use(ctx, actor, name, sheet, mapping, progress=progress, **kwargs))
        return _plan_body(use(ctx, actor, name, sheet, mapping, **kwargs))

    @bp.route(f"/{name}/import/columns", methods=["POST"], endpoint=f"import_columns_{name}")
    @bp.response(200, ColumnsAnswer)
    @bp.doc(
        summary=f"The columns of a file to import into {label}, each with the field it seems to be",
        requestBody=file_upload_body("XLSX, XLS, ODS or CSV (UTF-8 or GB 18030), a header row first"),
    )
    def columns_view():
        _, sheet = _upload()
        found = imports.upload_columns(services(), principal(), name, sheet)
        return {"headers": found.headers, "mapping": found.mapping, "rows": found.rows, "sample": found.sample}

    @bp.route(f"/{name}/export", methods=["GET"], endpoint=f"export_{name}")
    @bp.arguments(
        Schema.from_dict({"format": fields.String(load_default="xlsx", validate=validate.OneOf(["xlsx", "csv"]))}),
        location="query",
    )
    @bp.response(200)
    @bp.doc(summary=f"Every record of {label} as XLSX or CSV (the import format)")
    def export_view(args):
        return send_download(imports.export_table(services(), principal(), name, args["format"]))


for _table in TABLES.values():
    _register(_table)
