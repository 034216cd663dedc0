"""Schemathesis over /api/v1/openapi.json: no request, valid or not, makes the API answer 5xx, and
every JSON answer fits the schema the API documents.

Every operation of the document is called with requests generated from its schema (and, for the
negative run, requests that violate it), half of them on real ids (a running repair case, its
ready task, a schedule, ...) so that the handlers' inner paths are reached, as an administrator
(who may change things) and as the read-only auditor. Bounded: a few examples per operation,
derandomised, no example database.
"""

from __future__ import annotations

import base64
import io
import json
from dataclasses import dataclass

import pytest
import schemathesis
from hypothesis import HealthCheck
from hypothesis import Phase
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import content_type_conformance
from schemathesis.specs.openapi.checks import response_schema_conformance

from app.domain.principal import Principal
from app.persistence.orm import Notification
from app.services.cases.opening import start_case
from app.services.planning import schedules
from tests.diagrams import FORM
from tests.diagrams import TINY

ADMIN = Principal("admin", frozenset({"admin"}))
AGENT = Principal("agent", frozenset({"cs_agent"}))
# Examples per operation and mode: the administrator reaches every handler; the auditor's writes all
# stop at the read-only gate, so fewer of them show as much.
# 120 operations now: fewer examples each keep the run near a minute (the suite's budget).
EXAMPLES = {
    "admin": {GenerationMode.POSITIVE: 12, GenerationMode.NEGATIVE: 5},
    "auditor": {GenerationMode.POSITIVE: 4, GenerationMode.NEGATIVE: 2},
}


@dataclass
class Found:
    user: str
    operation: str
    mode: str
    status: int
    failure: str


def real_ids(ctx) -> dict[str, object]:
    """Ids of things that exist, for the path parameters of the same names."""
    case = start_case(ctx, "repair", None, AGENT)
    with ctx.uow() as uow:
        [task] = uow.tasks.for_instance(case.id, status="ready")
        [timer] = uow.timers.for_instance(case.id) or [None]
        note = Notification(
            username="admin", kind="assigned", instance_id=case.id, task_id=task.id, title="t", body="b",
            created_at=ctx.clock.now(),
        )  # fmt: skip
        uow.add_row(note)
        uow.commit()
    schedule = schedules.create_schedule(ctx, "fuzz", "repair", "R/2027-01-04T09:00:00+08:00/P1W", {}, ADMIN)
    ids = {
        "key": "repair",
        "process_key": "repair",
        "version": 1,
        "instance_id": case.id,
        "task_id": task.id,
        "schedule_id": schedule.id,
        "notification_id": note.id,
        "day": "2027-02-08",
    }
    if timer is not None:
        ids["timer_id"] = timer.id
    return ids


def basic(username: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{username}:{username}".encode()).decode()}


def fuzz_operation(operation, mode: GenerationMode, ids: dict[str, object], username: str, found: list[Found]) -> None:
    label = f"{operation.method.upper()} {operation.path}"
    checks = [not_a_server_error, response_schema_conformance, content_type_conformance]
    strategy = operation.as_strategy(generation_mode=mode)
    fixed = {p.name: ids[p.name] for p in operation.path_parameters if p.name in ids}
    if fixed:
        strategy = st.one_of(strategy, operation.as_strategy(generation_mode=mode, path_parameters=fixed))

    @given(case=strategy)
    @settings(
        max_examples=EXAMPLES[username][mode],
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def call(case) -> None:
        try:
            response = case.call(headers=basic(username))
        except Exception as exc:  # noqa: BLE001 - the test client re-raises what would be a 500
            found.append(Found(username, label, mode.value, 500, f"unhandled {exc.__class__.__name__}: {exc}"))
            return
        try:
            case.validate_response(response, checks=checks)
        except (AssertionError, FailureGroup) as exc:  # one failure, or a group of them
            found.append(Found(username, label, mode.value, response.status_code, str(exc)[:600]))

    try:
        call()
    except Unsatisfiable:
        assert mode is GenerationMode.NEGATIVE, label  # nothing in the request can be made invalid


def negatable(operation) -> bool:
    """Can a request to ``operation`` break its schema at all? (Hypothesis spends a second proving
    that it cannot, for an operation whose only parameters are unconstrained strings.)"""
    if operation.body:
        return True
    for parameter in operation.iter_parameters():
        schema = parameter.definition.get("schema", {})
        if schema.get("type") != "string" or set(schema) - {"type", "minLength"}:
            return True
        if parameter.location is not ParameterLocation.PATH and parameter.definition.get("required"):
            return True  # it can be left out
    return False


def fuzz(schema, ids: dict[str, object], username: str) -> list[Found]:
    found: list[Found] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in EXAMPLES[username]:
            if mode is GenerationMode.POSITIVE or negatable(operation):
                fuzz_operation(operation, mode, ids, username, found)
    return found


@pytest.mark.parametrize("username", ["admin", "auditor"])
def test_no_request_makes_the_api_fail_and_every_answer_fits_its_schema(app, ctx, username):
    ids = real_ids(ctx)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    found = fuzz(schema, ids, username)
    distinct = {(f.operation, f.status, f.failure.splitlines()[0]): f for f in found}
    assert not distinct, "\n\n".join(
        f"{f.user} {f.operation} ({f.mode}) → {f.status}\n{f.failure}" for f in distinct.values()
    )


def test_refusals_and_dry_runs_answer_as_documented(app):
    """The answers a generator rarely reaches, checked against the document explicitly."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    checks = [not_a_server_error, response_schema_conformance, content_type_conformance]
    upload = schema["/api/v1/processes"]["POST"]
    deploy = schema["/api/v1/workbench/deploy"]["POST"]
    for case, status in (
        (upload.Case(body={"file": b"<not-xml"}, media_type="multipart/form-data"), 422),
        (upload.Case(body={}, media_type="multipart/form-data"), 422),
        (
            deploy.Case(body={"filename": "tiny.bpmn", "xml": "<not-xml", "forms": {}}, media_type="application/json"),
            422,
        ),
    ):
        response = case.call(headers=basic("admin"))
        assert response.status_code == status, response.text
        case.validate_response(response, checks=checks)
    # A dry run with the diagram's form as a second file (sent as a browser would).
    dry_run = app.test_client().post(
        "/api/v1/processes?dry_run=1",
        data={
            "file": (io.BytesIO(TINY.encode()), "tiny.bpmn"),
            "forms/do_it.json": (io.BytesIO(json.dumps(FORM).encode()), "do_it.json"),
        },
        headers=basic("admin"),
    )
    assert dry_run.status_code == 200, dry_run.json
    upload.Case(query={"dry_run": True}, media_type="multipart/form-data").validate_response(dry_run, checks=checks)


def test_what_the_fuzzing_found_stays_fixed(as_user):
    """Requests that answered 500 (or broke the document) before: each now a 4xx, or as documented."""
    admin = as_user("admin")
    huge = 10**30
    for path, expected in (
        (f"/instances/{huge}", 422),  # an id no database integer holds (SQLite OverflowError, PostgreSQL DataError)
        (f"/tasks?instance_id={huge}", 422),
        (f"/accepted-deviations/{huge}", None),  # DELETE below
        ("/exports/repair.csv?from=0001-01-01&to=0001-01-02", 422),  # before year 1 in UTC
        ("/exports/%01.xes?from=2026-03-01&to=2026-04-01", 404),  # a control character in the log's name
        ("/reports/heatmap?from=0100-09-02&to=1488-08-18", 422),  # local mean time: +08:05:43 is no date-time
        ("/me", 200),  # UserSchema read a dict's roles as an attribute
    ):
        if expected is None:
            response = admin.client.delete(f"/api/v1{path}", headers=admin._headers())
            expected = 422
        else:
            response = admin.get(path)
        assert response.status_code == expected, (path, response.status_code, response.get_data(as_text=True)[:300])
    started = as_user("agent").post("/processes/repair/instances", json={"description": "nul \u0000 here"})
    assert started.status_code in (201, 422), started.json  # PostgreSQL's JSONB refuses NUL: 422, not 500
