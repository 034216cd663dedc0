"""Entry points over HTTP: thin blueprints that parse input, call one service, map errors."""

from __future__ import annotations

from datetime import date

from flask import Flask
from flask import Response
from flask import current_app
from flask import request
from werkzeug.exceptions import HTTPException
from werkzeug.routing import BaseConverter

from ..errors import AppError
from ..errors import DiagramError
from ..errors import InvalidInput
from ..errors import TooManyRequests
from . import api_docs
from . import auth
from . import cors
from . import error_pages
from . import i18n
from . import login_throttle
from . import openapi
from . import problems
from . import revisions
from . import security_headers
from .api import calendar
from .api import cases
from .api import clock
from .api import drafts
from .api import events
from .api import external_tasks
from .api import instances
from .api import live
from .api import log_check
from .api import lookups
from .api import master_data
from .api import messages
from .api import notifications
from .api import processes
from .api import qa
from .api import qa_downloads
from .api import qa_overview
from .api import reports
from .api import schedules
from .api import tasks
from .api import tokens
from .api import users
from .api import webhooks
from .api import workbench
from .json_input import StrictJSONProvider
from .json_input import check_json_body
from .pages import customer as customer_page
from .pages import integrations as integrations_page
from .pages import live as live_page
from .pages import master_data as master_page
from .pages import public_request as public_request_page
from .pages import qa as qa_page
from .pages import staff as staff_page
from .pages import workbench as workbench_page
from .pages import workspace as web


def _problem_response(body: dict, headers: dict | None = None) -> Response:
    response = current_app.json.response(body)
    response.status_code = body["status"]
    response.mimetype = problems.MEDIA_TYPE
    response.headers.extend(headers or {})
    return response


class _IsoDateConverter(BaseConverter):
    regex = r"\d{4}-\d{2}-\d{2}"

    def to_python(self, value: str) -> date:
        return date.fromisoformat(value)

    def to_url(self, value: date) -> str:
        return value.isoformat()


def _problem_type(exc: AppError) -> str:
    if isinstance(exc, DiagramError):
        return problems.DIAGRAM_REFUSED
    return problems.INVALID_INPUT if isinstance(exc, InvalidInput) else "about:blank"


def init_app(app: Flask) -> None:
    app.url_map.converters["isodate"] = _IsoDateConverter
    api = openapi.make_api()
    api.init_app(app)
    openapi.document(api)
    api.register_converter(_IsoDateConverter, lambda converter: {"type": "string", "format": "date"})
    for blueprint in (
        processes.bp,
        instances.bp,
        tasks.bp,
        users.bp,
        clock.bp,
        calendar.bp,
        reports.bp,
        schedules.bp,
        drafts.bp,
        qa.bp,
        qa_overview.bp,
        notifications.bp,
        lookups.bp,
        master_data.bp,
        workbench.bp,
        log_check.bp,
        qa_downloads.bp,
        live.bp,
        tokens.bp,
        cases.bp,
        events.bp,
        webhooks.bp,
        external_tasks.bp,
        messages.bp,
    ):
        api.register_blueprint(blueprint)
    app.register_blueprint(auth.bp)
    app.register_blueprint(api_docs.bp)
    app.register_blueprint(web.bp)
    app.register_blueprint(qa_page.bp)
    app.register_blueprint(workbench_page.bp)
    app.register_blueprint(live_page.bp)
    app.register_blueprint(staff_page.bp)
    app.register_blueprint(integrations_page.bp)
    app.register_blueprint(master_page.bp)
    app.register_blueprint(customer_page.bp)
    app.register_blueprint(customer_page.staff_bp)
    app.register_blueprint(public_request_page.bp)
    login_throttle.init_app(app)
    cors.init_app(app)  # before authentication: a preflight carries no credentials
    app.before_request(auth.load_principal)
    StrictJSONProvider.install(app)
    revisions.init_app(app)
    app.before_request(check_json_body)  # after authentication: an anonymous caller gets 401, not field errors
    security_headers.init_app(app)

    @app.errorhandler(AppError)
    def _app_error(exc: AppError):
        errors = [i18n.problem_entry(p) for p in exc.problems] if isinstance(exc, DiagramError) else exc.errors
        body = problems.problem(exc.http_status, exc.message, errors, type_=_problem_type(exc))
        # Not "Basic": a browser would ask for a password and then send it with every request, another
        # site's included. API clients send their Basic credentials unasked; a browser logs in.
        headers = (
            {"WWW-Authenticate": 'AftersalesBasic realm="aftersales", Bearer realm="aftersales"'}
            if exc.http_status == 401
            else {}
        )
        if isinstance(exc, TooManyRequests):
            headers["Retry-After"] = str(exc.retry_after)
        return _problem_response(body, headers)

    @app.errorhandler(OverflowError)
    def _unstorable(exc: Exception):
        # A number too big for a date or an integer the request names (the database's own refusals
        # are mapped by the unit of work): the request's fault, 422.
        return _app_error(InvalidInput("a value in the request is out of range or cannot be stored"))

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        if not request.path.startswith("/api/"):
            return error_pages.error_page(exc)
        errors = getattr(exc, "data", {}).get("messages") if hasattr(exc, "data") else None
        status = exc.code or 500
        kind = problems.INVALID_INPUT if errors is not None else "about:blank"
        body = problems.problem(status, exc.description or exc.name, errors, type_=kind, by_location=True)
        return _problem_response(body, {k: v for k, v in exc.get_headers() if k.lower() != "content-type"})
