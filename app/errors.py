"""The application's error tree; each class carries the HTTP status the API answers with.

    AppError                      500
    ├── NotFound                  404  unknown process, instance, task, user
    ├── Forbidden                 403  the user's roles do not allow it
    ├── Unauthorized              401  no or bad credentials
    ├── Conflict                  409  task no longer ready, concurrent change, duplicate
    │   └── PreconditionFailed    412  If-Match names a revision the case or task has moved on from
    ├── UnsupportedMediaType      415  a request body of a kind the endpoint does not take
    ├── InvalidInput              422  form data or request body rejected (field errors)
    │   └── MalformedBody         400  a request body that is not JSON at all (a syntax error)
    ├── TooManyRequests           429  too many failed log-ins; ``retry_after`` seconds to wait
    └── DiagramError              422  a diagram refused at deploy (file, element, line, reason)

Services raise these; the handlers map them to one RFC 9457 problem document (handlers/problems.py)
with one error handler, never one by one.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any


class AppError(Exception):
    """Base of every error the application raises on purpose."""

    http_status = 500

    def __init__(self, message: str, *, errors: dict | list | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors


class NotFound(AppError):
    http_status = 404


class Forbidden(AppError):
    http_status = 403


class Unauthorized(AppError):
    http_status = 401


class Conflict(AppError):
    http_status = 409


class PreconditionFailed(Conflict):
    """The request's ``If-Match`` is not the object's current revision (someone changed it since)."""

    http_status = 412


class UnsupportedMediaType(AppError):
    http_status = 415


class InvalidInput(AppError):
    """Rejected input; ``errors`` maps each field to its messages."""

    http_status = 422


class MalformedBody(InvalidInput):
    """A body that does not parse as JSON: the request is malformed (400), not merely refused."""

    http_status = 400


class Unavailable(AppError):
    """Something the request needs failed this time (a paper's rendering); it is tried again later."""

    http_status = 503


class TooManyRequests(AppError):
    """Refused for a while; the answer carries ``Retry-After`` (whole seconds, at least 1)."""

    http_status = 429

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = max(1, retry_after)


class Severity(enum.Enum):
    ERROR = "error"  # the diagram cannot run, or is unsafe: refused
    WARNING = "warning"  # a house convention: shown, refused only by a strict deploy


@dataclass(frozen=True)
class Problem:
    """One reason a diagram was refused (or, as a warning, advice), precise enough to fix it."""

    file: str
    reason: str
    element_id: str | None = None
    line: int | None = None
    rule: str | None = None  # id of the validation rule that found it (engine/rules.py)
    severity: Severity = Severity.ERROR
    code: str | None = None  # the message's code (domain/diagram_problems.py); ``reason`` is its English
    params: tuple[tuple[str, str], ...] = ()  # the message's values, by name
    folded: tuple[str, ...] = ()  # ids of the elements whose problems this one causes (and stands for)

    def to_dict(self) -> dict[str, Any]:
        """The problem as the API and the CLI show it: where, why, which rule, error or warning."""
        return {
            "file": self.file,
            "reason": self.reason,
            "element_id": self.element_id,
            "line": self.line,
            "rule": self.rule,
            "severity": self.severity.value,
            "code": self.code,
            "params": dict(self.params),
            "folded": list(self.folded),
        }

    def __str__(self) -> str:
        where = self.file + (f":{self.line}" if self.line else "")
        element = f" [{self.element_id}]" if self.element_id else ""
        warning = "warning: " if self.severity is Severity.WARNING else ""
        return f"{where}{element}: {warning}{self.reason}"


class DiagramError(AppError):
    """A diagram (or a set deployed together) was refused whole."""

    http_status = 422

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        errors = [{**p.to_dict(), "message": p.reason} for p in problems]
        super().__init__(f"{len(problems)} problem(s) in the diagrams:\n{lines}", errors=errors)
