"""The master-data pages: each table a user may read as a list (search, filters, sort, pages), one
record with its related records and history, the create and edit forms, and the import.

Forms post to these pages (with the session's CSRF token) and are answered by a redirect, or by the
form again with each field's refusal beside it. The import page's script (static/js/master-import.js)
talks to /api/v1/master/<table>/import: mapping, dry run, and the apply step as a progress stream.
"""

from __future__ import annotations

from math import ceil
from typing import Any

from flask import Blueprint
from flask import g
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext

from ...domain.master_data import TABLE_LABELS
from ...domain.master_data import Field
from ...domain.master_data import FieldKind
from ...domain.master_data import Table
from ...domain.master_data import field_label
from ...domain.master_data import format_value
from ...errors import AppError
from ...errors import Conflict
from ...errors import Forbidden
from ...errors import InvalidInput
from ...services.master_data import records
from ..common import services
from ..i18n import current_language
from . import master_texts
from .workspace import login_required

bp = Blueprint("master_page", __name__, url_prefix="/master")

PER_PAGE_CHOICES = (25, 50, 100, 200)
LIST_ARGS = frozenset({"q", "sort", "desc", "page", "per_page"})


@bp.app_context_processor
def _records_link():
    """Whether the header shows the link to the records."""
    return {"can_read_records": bool(records.readable_tables(g.get("principal")))}


@bp.app_template_filter("master_label")
def _field_label(name: str) -> str:
    return field_label(name, current_language())


@bp.app_template_filter("table_label")
def _table_label(name: str) -> str:
    zh, en = TABLE_LABELS.get(name, (name, name))
    return zh if current_language().startswith("zh") else en


@bp.app_template_filter("master_value")
def _master_value(value: Any, spec: Field) -> str:
    """A stored value as the pages show it: choices and yes/no in the user's language."""
    if spec.kind is FieldKind.CHOICE and value:
        return master_texts.choice_label(value)
    if spec.kind is FieldKind.BOOL:
        return gettext("yes") if value else gettext("no")
    return format_value(spec, value)


@bp.app_template_filter("history_value")
def _history_value(text: str, table: Table, name: str) -> str:
    """A value of a change row (as typed: "person", "yes") in the user's language."""
    spec = table.field(name) if name in table.names else None
    if not text or spec is None:
        return text or "—"
    if spec.kind is FieldKind.CHOICE:
        return master_texts.choice_label(text)
    if spec.kind is FieldKind.BOOL:
        return gettext("yes") if text == "yes" else gettext("no")
    return text


@bp.app_template_filter("choice_label")
def _choice_label(value: Any) -> str:
    return master_texts.choice_label(value)


@bp.app_template_filter("change_action")
def _change_action(action: str) -> str:
    return str(master_texts.ACTION_LABELS.get(action, action))


@bp.errorhandler(AppError)
def _page_error(exc: AppError):
    return render_template("error.html", error=exc), exc.http_status


def _readable() -> list[Table]:
    tables = records.readable_tables(g.principal)
    if not tables:
        raise Forbidden(f"{g.principal.username} reads none of the department's records")
    return tables


@bp.get("")
@login_required
def index():
    tables = _readable()
    totals = {t.name: records.list_records(services(), g.principal, t.name, limit=1).total for t in tables}
    return render_template("master/index.html", tables=tables, totals=totals)


def _list_url(table: Table, **changes: Any) -> str:
    """The list with the current search, filters and order, some of them changed."""
    args = {**request.args.to_dict(), **{k: str(v) for k, v in changes.items()}}
    return url_for("master_page.list_page", table=table.name, **{k: v for k, v in args.items() if v})


@bp.get("/<table>")
@login_required
def list_page(table: str):
    spec = records.table_named(table)
    args = request.args
    per_page = args.get("per_page", 50, type=int)
    per_page = per_page if per_page in PER_PAGE_CHOICES else 50
    page = max(args.get("page", 1, type=int) or 1, 1)
    sort = args.get("sort") if args.get("sort") in spec.names else None
    filters = {n: args[n] for n in spec.filters if args.get(n)}
    found = records.list_records(
        services(),
        g.principal,
        table,
        search=args.get("q", ""),
        filters=filters,
        sort=sort,
        descending=args.get("desc") == "1",
        offset=(page - 1) * per_page,
        limit=per_page,
    )
    return render_template(
        "master/list.html",
        table=spec,
        found=found,
        tables=records.readable_tables(g.principal),
        filter_choices=records.filter_choices(services(), g.principal, table),
        filters=filters,
        query={"q": args.get("q", ""), "sort": sort or spec.key, "desc": args.get("desc") == "1"},
        page=page,
        pages=max(ceil(found.total / per_page), 1),
        per_page=per_page,
        per_page_choices=PER_PAGE_CHOICES,
        list_url=lambda **changes: _list_url(spec, **changes),
        may_edit=records.may_edit(g.principal, spec),
    )


def _typed(table: Table, *, editing: bool) -> dict[str, str]:
    """The form's fields as typed (an unticked box is "no"; the key is not edited)."""
    typed = {}
    for spec in table.fields:
        if editing and spec.name == table.key:
            continue
        if spec.kind is FieldKind.BOOL:
            typed[spec.name] = "yes" if request.form.get(spec.name) else "no"
        else:
            typed[spec.name] = request.form.get(spec.name, "")
    return typed


def _field_errors(exc: InvalidInput) -> dict[str, str]:
    errors = exc.errors if isinstance(exc.errors, dict) else {}
    return {name: "; ".join(master_texts.refusal(m) for m in messages) for name, messages in errors.items()}


def _form(table: Table, typed: dict[str, str], *, key: str | None = None, revision: int | None = None, **extra):
    """The create (no ``key``) or edit form; ``extra``: ``errors`` by field, ``message``, ``stale``."""
    extra.setdefault("errors", {})
    return render_template("master/form.html", table=table, typed=typed, key=key, revision=revision, **extra)


@bp.route("/<table>/new", methods=["GET", "POST"])
@login_required
def new_record(table: str):
    spec = records.table_named(table)
    records.require_editor(g.principal, spec)
    if request.method == "GET":
        return _form(spec, {})
    typed = _typed(spec, editing=False)
    try:
        created = records.create_record(services(), g.principal, table, typed)
    except InvalidInput as exc:
        return _form(spec, typed, errors=_field_errors(exc), message=exc.message), 422
    return redirect(url_for("master_page.record_page", table=table, key=str(created[spec.key]), saved=1))


@bp.get("/<table>/import")
@login_required
def import_page(table: str):
    spec = records.table_named(table)
    records.require_editor(g.principal, spec)
    fields = [{"name": f.name, "label": _field_label(f.name), "required": f.required} for f in spec.fields]
    return render_template("master/import.html", table=spec, fields=fields)


@bp.get("/<table>/<path:key>")
@login_required
def record_page(table: str, key: str):
    view = records.get_record(services(), g.principal, table, key)
    return render_template(
        "master/record.html",
        table=view.table,
        view=view,
        key=key,
        may_edit=records.may_edit(g.principal, view.table),
        saved=request.args.get("saved") == "1",
    )


@bp.route("/<table>/<path:key>/edit", methods=["GET", "POST"])
@login_required
def edit_record(table: str, key: str):
    spec = records.table_named(table)
    records.require_editor(g.principal, spec)
    if request.method == "GET":
        view = records.get_record(services(), g.principal, table, key)
        typed = {f.name: format_value(f, view.values[f.name]) for f in spec.fields}
        return _form(spec, typed, key=key, revision=view.revision)
    typed = _typed(spec, editing=True)
    revision = request.form.get("revision", type=int)
    try:
        records.update_record(services(), g.principal, table, key, typed, revision)
    except InvalidInput as exc:
        return _form(spec, typed, key=key, revision=revision, errors=_field_errors(exc), message=exc.message), 422
    except Conflict:
        return _form(spec, typed, key=key, revision=revision, stale=True), 409
    return redirect(url_for("master_page.record_page", table=table, key=key, saved=1))
