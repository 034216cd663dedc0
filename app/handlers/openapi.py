"""What the OpenAPI document at /api/v1/openapi.json promises a client generator, on every operation:
an ``operationId`` (blueprint and view, e.g. ``instances_list_instances``), the security schemes
(HTTP Basic for people, Bearer for service accounts' tokens), the refusals 400/401/403/404/409/422
with the one problem schema (RFC 9457, handlers/problems.py), and downloads (XES, CSV, XLSX,
attachments) as binary bodies of their media types, not JSON."""

from __future__ import annotations

import threading
from typing import Any

from apispec import APISpec
from apispec import BasePlugin
from flask_smorest import Api

from . import problems
from .schemas import ProblemSchema

PROBLEM_RESPONSE = "PROBLEM"
REFUSALS = {
    "400": "the request is malformed (a body that is not JSON)",
    "401": "no or bad credentials",
    "403": "the caller's roles do not allow it",
    "404": "no such object",
    "409": "a conflict with the object's state (a task no longer ready, a concurrent change, a duplicate)",
    "412": "If-Match names a revision the case or task has moved on from (read it again)",
    "422": "the body or a parameter is refused; ``errors`` names the fields",
}
SECURITY_SCHEMES = {
    "basicAuth": {"type": "http", "scheme": "basic", "description": "people: user name and password"},
    "bearerAuth": {"type": "http", "scheme": "bearer", "description": "service accounts: an API token (ast_…)"},
}
BINARY = {"type": "string", "format": "binary"}
# Downloads whose view returns a file (no response schema): their media types.
DOWNLOADS = {
    "instances.download_attachment": ("application/octet-stream", "image/png", "image/jpeg", "application/pdf"),
    "master_data.export_*": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "text/csv"),
}


def _downloads(endpoint: str) -> tuple[str, ...] | None:
    for pattern, kinds in DOWNLOADS.items():
        if endpoint == pattern or (pattern.endswith("*") and endpoint.startswith(pattern[:-1])):
            return kinds
    return None


def _binary_downloads(response: dict) -> None:
    """A file's media types with a binary schema; a download that is only a file (no JSON) is first
    declared as ``application/octet-stream``, which every generator reads as bytes (openapi-python-client
    skips an ``application/xml`` answer, and reads ``text/*`` as text)."""
    content = response["content"]
    for kind, media in content.items():
        if "json" not in kind:
            media["schema"] = BINARY
    if not any("json" in kind for kind in content):
        response["content"] = {"application/octet-stream": {"schema": BINARY}, **content}


class Conventions(BasePlugin):
    """An apispec plugin: runs on each path as flask-smorest registers it."""

    def operation_helper(self, path: str | None = None, operations: dict | None = None, **kwargs: Any) -> None:
        rule = kwargs.get("rule")
        if rule is None or not operations:
            return
        several = len([m for m in operations if m != "parameters"]) > 1
        for method, operation in operations.items():
            if method == "parameters":
                continue
            name = rule.endpoint.replace(".", "_")
            operation.setdefault("operationId", f"{name}_{method}" if several else name)
            responses = {str(code): value for code, value in operation.get("responses", {}).items()}
            operation["responses"] = responses
            for code in (*REFUSALS, "default"):  # default: 413, 415, 429, … in the same shape
                responses[code] = PROBLEM_RESPONSE
            kinds = _downloads(rule.endpoint)
            if kinds is not None:
                ok = responses.setdefault("200", {"description": "the file"})
                ok["content"] = {kind: {"schema": BINARY} for kind in kinds}
            for code, response in responses.items():
                if code.startswith("2") and isinstance(response, dict) and response.get("content"):
                    _binary_downloads(response)


class DocumentedOnReadApi(Api):
    """flask-smorest's Api, writing a blueprint's operations into the document when the document is first
    read rather than when the blueprint is registered. Documenting converts every schema (about 0.2 s for
    the whole API), and most apps never serve the document: each test's app, a worker until /openapi.json
    or /api/docs is asked for. Requests are served by the views alone, which documenting does not touch."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._undocumented: list[tuple[Any, str, Any]] = []
        self._documenting = threading.Lock()
        self._documenter: int | None = None  # the thread writing the document (it reads the spec meanwhile)
        super().__init__(*args, **kwargs)

    @property
    def spec(self) -> APISpec:
        if self._undocumented and self._documenter != threading.get_ident():
            with self._documenting:
                self._documenter = threading.get_ident()
                try:
                    while self._undocumented:
                        blueprint, name, parameters = self._undocumented.pop(0)
                        blueprint.register_views_in_doc(self, self._app, self._spec, name=name, parameters=parameters)
                        self._spec.tag({"name": name, "description": blueprint.description})
                finally:
                    self._documenter = None
        return self._spec

    @spec.setter
    def spec(self, value: APISpec) -> None:
        self._spec = value

    def register_blueprint(self, blp, *, parameters=None, **options) -> None:  # noqa: ANN001 - flask-smorest's
        name = options.get("name", blp.name)
        self._app.extensions["flask-smorest"]["blp_name_to_api"][name] = self
        self._app.register_blueprint(blp, **options)
        self._undocumented.append((blp, name, parameters))


def make_api() -> Api:
    """The flask-smorest Api with these conventions (call before registering blueprints)."""
    return DocumentedOnReadApi(spec_kwargs={"extra_plugins": [Conventions()]})


def document(api: Api) -> None:
    """The components every operation refers to, and the document-wide security."""
    spec = api.spec
    for name, scheme in SECURITY_SCHEMES.items():
        spec.components.security_scheme(name, scheme)
    spec.components.schema("Problem", schema=ProblemSchema)
    spec.components.response(
        PROBLEM_RESPONSE,
        {
            "description": "refused: " + "; ".join(f"{code} {why}" for code, why in REFUSALS.items()),
            "content": {problems.MEDIA_TYPE: {"schema": "Problem"}, "application/json": {"schema": "Problem"}},
        },
    )
    spec.options["security"] = [{"basicAuth": []}, {"bearerAuth": []}]
