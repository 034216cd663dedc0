"""The API as a generator and an integrator expect it: one problem+json error shape for schema, form
and deploy refusals; an OpenAPI document with operationIds, security schemes, declared refusals and
binary downloads; Swagger UI at /api/v1/docs; a case found by its number; unknown query parameters
refused; Location on a start; 400/415 for bodies that are not JSON; Idempotency-Key on a start."""

from __future__ import annotations

import io
import re
import threading
from datetime import timedelta

from tests.conftest import PROCESSES
from tests.repair_driver import RepairCase

PROBLEM_KEYS = {"type", "title", "status", "detail", "errors"}


def assert_problem(response, status: int, field: str | None = None) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/problem+json"
    body = response.json
    assert PROBLEM_KEYS <= set(body) and body["status"] == status and body["detail"], body
    assert all({"field", "message"} <= set(e) for e in body["errors"]), body
    if field is not None:
        assert field in [e["field"] for e in body["errors"]], body
    return body


def test_schema_form_and_deploy_refusals_share_one_problem_shape(as_user):
    schema = as_user("admin").post("/users", json={"roles": ["cs_agent"]})  # the request schema
    assert_problem(schema, 422, "username")
    form = as_user("agent").post("/processes/repair/instances", json={"customer_name": 5})  # the start form
    assert_problem(form, 422, "customer_name")
    broken = (PROCESSES / "repair.bpmn").read_bytes().replace(b'"P10D"', b"P10X")  # not ISO 8601
    api = as_user("process_owner")
    deploy = api.client.post(
        "/api/v1/processes",
        headers=api._headers(),
        data={"file": (io.BytesIO(broken), "repair.bpmn")},
        content_type="multipart/form-data",
    )
    body = assert_problem(deploy, 422, "rtf_overdue")
    assert body["type"] == "urn:aftersales:problem:diagram-refused" and body["errors"][0]["line"]
    missing = as_user("agent").get("/instances/999999")
    assert_problem(missing, 404)
    assert_problem(as_user(None).get("/me"), 401)


def test_a_body_that_is_not_json_is_400_and_one_of_another_type_415(as_user):
    api = as_user("agent")
    path = "/api/v1/processes/repair/instances"
    garbage = api.client.post(path, data="{oops", content_type="application/json", headers=api._headers())
    assert_problem(garbage, 400, "_schema")
    form = api.client.post(path, data="a=1", content_type="application/x-www-form-urlencoded", headers=api._headers())
    assert_problem(form, 415, "Content-Type")


def test_unknown_query_parameters_are_refused_naming_them(as_user):
    refused = as_user("admin").get("/instances?case_number=SR-2026-000001")
    assert_problem(refused, 422, "case_number")
    assert assert_problem(as_user("admin").get("/tasks?colour=red"), 422, "colour")
    assert as_user("admin").get("/instances?limit=5").status_code == 200


def test_a_case_is_found_by_its_number_and_a_start_answers_its_location(as_user):
    started = as_user("agent").post("/processes/repair/instances", json={})
    assert started.status_code == 201
    assert started.headers["Location"] == f"/api/v1/instances/{started.json['id']}"
    case_no = started.json["case_no"]
    assert re.fullmatch(r"SR-\d{4}-\d{6}", case_no)
    found = as_user("agent").get(f"/cases/{case_no}")
    assert found.status_code == 200 and found.json["id"] == started.json["id"]
    assert found.json["process_version"] == found.json["version"] >= 1  # the clearer name beside the old
    listed = as_user("admin").get(f"/instances?case_no={case_no}").json
    assert [c["id"] for c in listed] == [started.json["id"]]
    assert as_user("admin").get("/instances?case_no=SR-1999-000001").json == []
    assert_problem(as_user("admin").get("/cases/SR-1999-000001"), 404)
    assert_problem(as_user("finance").get(f"/cases/{case_no}"), 403)  # exists, but not theirs to read


def test_a_retried_start_with_the_same_idempotency_key_opens_no_second_case(as_user):
    agent = as_user("agent")

    def start(key: str, process: str = "repair"):
        headers = {**agent._headers(), "Idempotency-Key": key}
        return agent.client.post(f"/api/v1/processes/{process}/instances", json={}, headers=headers)

    before = len(as_user("admin").get("/instances?limit=1000").json)
    first, retried = start("order-4711"), start("order-4711")
    assert first.status_code == retried.status_code == 201
    assert retried.json["id"] == first.json["id"] and retried.headers["Location"] == first.headers["Location"]
    other = start("order-4712")
    assert other.json["id"] != first.json["id"]
    assert len(as_user("admin").get("/instances?limit=1000").json) == before + 2
    # the same key from another caller is another start; for another process, a refusal
    assert (
        as_user("admin")
        .client.post(
            "/api/v1/processes/repair/instances",
            json={},
            headers={**as_user("admin")._headers(), "Idempotency-Key": "order-4711"},
        )
        .json["id"]
        != first.json["id"]
    )
    assert_problem(start("order-4711", "complaint"), 422, "Idempotency-Key")


def test_the_openapi_document_gives_a_generator_what_it_needs(as_user):
    spec = as_user(None).get("/openapi.json").json
    operations = [
        (path, method, op)
        for path, ops in spec["paths"].items()
        for method, op in ops.items()
        if method != "parameters"
    ]
    ids = [op.get("operationId") for _, _, op in operations]
    assert None not in ids and len(set(ids)) == len(ids) > 100
    schemes = spec["components"]["securitySchemes"]
    assert schemes["basicAuth"]["scheme"] == "basic" and schemes["bearerAuth"]["scheme"] == "bearer"
    assert {"basicAuth": []} in spec["security"] and {"bearerAuth": []} in spec["security"]
    problem = spec["components"]["responses"]["PROBLEM"]["content"]["application/problem+json"]["schema"]
    assert problem == {"$ref": "#/components/schemas/Problem"}
    assert {"type", "title", "status", "detail", "errors"} <= set(
        spec["components"]["schemas"]["Problem"]["properties"]
    )
    for path, method, op in operations:
        for code in ("400", "401", "403", "404", "409", "422"):
            assert op["responses"][code] == {"$ref": "#/components/responses/PROBLEM"}, (path, method, code)
    binary = {"type": "string", "format": "binary"}
    downloads = {
        ("/api/v1/instances/{instance_id}/attachments/{attachment_id}", "application/octet-stream"),
        ("/api/v1/exports/{process_key}.xes", "application/xml"),
        ("/api/v1/exports/{process_key}.csv", "text/csv"),
        ("/api/v1/reports/kpi.{fmt}", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("/api/v1/master/customers/export", "text/csv"),
    }
    for path, kind in downloads:
        assert spec["paths"][path]["get"]["responses"]["200"]["content"][kind]["schema"] == binary, path


def test_swagger_ui_is_served_from_npm_without_inline_script(app):
    client = app.test_client()
    page = client.get("/api/v1/docs")
    assert page.status_code == 200 and "script-src 'self'" in page.headers["Content-Security-Policy"]
    html = page.get_data(as_text=True)
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    assert scripts and all('src="' in attrs and not body.strip() for attrs, body in scripts), scripts
    for url in re.findall(r'(?:src|href)="([^"]+)"', html):
        asset = client.get(url)
        assert asset.status_code == 200, url
        asset.close()
    assert 'data-spec-url="/api/v1/openapi.json"' in html


def test_a_list_of_cases_counts_all_pages_sorts_and_filters_by_last_change(as_user, clock):
    from datetime import timedelta

    agent = as_user("agent")
    ids = [agent.post("/processes/repair/instances", json={}).json["id"] for _ in range(3)]
    clock.advance(timedelta(hours=1))
    since = clock.now().isoformat()
    changed = as_user("admin").post(f"/instances/{ids[0]}/cancel", json={"reason": "duplicate"})
    assert changed.status_code == 200, changed.json
    admin = as_user("admin")
    page = admin.get("/instances?limit=2&process_key=repair")
    total = int(page.headers["X-Total-Count"])
    assert len(page.json) == 2 and total >= 3
    oldest_first = admin.get("/instances?process_key=repair&sort=id&order=asc&limit=1000").json
    assert [c["id"] for c in oldest_first] == sorted(c["id"] for c in oldest_first) and len(oldest_first) == total
    recent = admin.get("/instances", query_string={"updated_since": since})
    assert [c["id"] for c in recent.json] == [ids[0]] and recent.headers["X-Total-Count"] == "1"
    assert_problem(admin.get("/instances?sort=colour"), 422, "sort")
    assert_problem(admin.get("/instances?updated_since=2026-03-02T09:00:00"), 422, "updated_since")  # no offset


def test_the_task_list_filters_sorts_counts_and_leaves_out_forms_on_request(as_user, clock):
    first = RepairCase(as_user, customer_name="上海浦东机电")
    clock.advance(timedelta(minutes=1))  # tasks made at one moment have no order by time (ids are random)
    second = RepairCase(as_user, customer_name="杭州西湖酒店")
    listed = as_user("agent").get("/tasks?limit=1&sort=created&order=desc")
    assert listed.status_code == 200 and int(listed.headers["X-Total-Count"]) >= 2 and len(listed.json) == 1
    assert listed.json[0]["instance_id"] == second.id  # newest first
    by_customer = as_user("agent").get("/tasks?customer=西湖").json
    assert {t["instance_id"] for t in by_customer} == {second.id}
    by_name = as_user("agent").get(f"/tasks?name={by_customer[0]['name'][:4]}").json
    assert {first.id, second.id} <= {t["instance_id"] for t in by_name}
    lean = as_user("agent").get("/tasks?with_forms=false").json
    assert lean and all(t["form"] is None for t in lean)
    assert as_user("agent").get("/tasks").json[0]["form"]  # by default the form comes along
    soon = as_user("agent").get("/tasks?due_before=2000-01-01T00:00:00%2B08:00").json
    assert soon == []
    assert as_user("agent").get("/tasks?sort=colour").status_code == 422


def test_the_document_written_on_first_read_is_whole_for_readers_who_come_at_once(app):
    """The operations are written into the document when it is first read (not at start-up): readers
    arriving together all get every operation, and the same document."""
    barrier = threading.Barrier(4)
    documents: list[dict] = []

    def read() -> None:
        client = app.test_client()
        barrier.wait()
        documents.append(client.get("/api/v1/openapi.json").get_json())

    readers = [threading.Thread(target=read) for _ in range(4)]
    for reader in readers:
        reader.start()
    for reader in readers:
        reader.join()
    paths = [sorted(d["paths"]) for d in documents]
    assert len(paths) == 4 and all(p == paths[0] for p in paths) and len(paths[0]) > 80
    assert "/api/v1/instances/{instance_id}" in paths[0] and "/api/v1/messages" in paths[0]
    assert len({t["name"] for t in documents[0]["tags"]}) == len(documents[0]["tags"]) >= 20  # each once
