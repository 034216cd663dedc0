"""The master-data pages in the test client: lists with search, filters, sort and pages; a form that
refuses a field and keeps what was typed; an edit, and an edit made on a stale revision; who sees
which table and which buttons; and the import endpoint's progress stream."""

from __future__ import annotations

import io
import json
import re

from tests.api.test_web import csrf_of
from tests.api.test_web import login

CUSTOMER = {
    "code": "C100",
    "name": "测试客户 Test Customer",
    "kind": "company",
    "region": "urban",
    "branch": "市区 Urban",
    "address": "北京市朝阳区测试路 1 号",
    "phone": "13900000100",
}


def session_of(app, username: str):
    client = app.test_client()
    assert login(client, username).status_code == 302
    return client


def text(response) -> str:
    return response.get_data(as_text=True)


def keys_listed(html: str, table: str) -> list[str]:
    return re.findall(rf'<th scope="row"><a href="/master/{table}/([^"]+)">', html)


def post_form(client, url: str, fields: dict[str, str]):
    token = csrf_of(text(client.get(url)))
    return client.post(url, data={**fields, "csrf_token": token})


def add_customers(as_user, count: int) -> None:
    for i in range(count):
        answer = as_user("agent").post(
            "/master/customers", json={**CUSTOMER, "code": f"P{i:03}", "name": f"分页客户 {i:03}"}
        )
        assert answer.status_code == 201, answer.json


def test_the_list_searches_filters_sorts_and_pages(app, as_user):
    add_customers(as_user, 30)
    client = session_of(app, "agent")

    page = text(client.get("/master/customers"))
    assert keys_listed(page, "customers")[:3] == ["C001", "C002", "C003"]  # by key
    assert "36 条记录，显示第 1–36 条" in page
    assert 'name="region"' in page and 'value="suburban">郊区' in page  # a choice filter, with its labels

    found = text(client.get("/master/customers?q=zhang"))
    assert keys_listed(found, "customers") == ["C001"]
    suburban = text(client.get("/master/customers?region=suburban"))
    assert keys_listed(suburban, "customers") == ["C002", "C004"]
    key_customers = text(client.get("/master/customers?key_customer=yes"))
    assert keys_listed(key_customers, "customers") == ["C003", "C005"]

    by_name = text(client.get("/master/customers?sort=name&desc=1&q=分页"))
    assert keys_listed(by_name, "customers")[:2] == ["P029", "P028"]
    assert "名称 ▼" in by_name

    second = text(client.get("/master/customers?per_page=25&page=2"))
    assert len(keys_listed(second, "customers")) == 11
    assert "第 2 页，共 2 页" in second and "36 条记录，显示第 26–36 条" in second
    assert 'href="/master/customers?per_page=25&amp;page=1"' in second  # the pager keeps the page size

    units = text(client.get("/master/units"))
    # A text filter with few values stored is a select of them.
    assert re.search(r'<select name="product_category">.*<option value="refrigeration">', units, re.S)


def test_a_refused_field_is_shown_beside_it_and_what_was_typed_is_kept(app):
    client = session_of(app, "agent")
    answer = post_form(client, "/master/customers/new", {**CUSTOMER, "phone": "12ab", "key_customer": "yes"})
    assert answer.status_code == 422
    page = text(answer)
    assert re.search(r'data-field="phone">[^<]*电话号码应有 5 到 20 位数字', page), page
    assert 'value="测试客户 Test Customer"' in page and 'value="12ab"' in page
    assert re.search(r'name="key_customer" value="yes" checked', page)
    assert re.search(r'<option value="company" selected>', page)
    assert client.get("/master/customers/C100").status_code == 404  # nothing saved


def test_create_then_edit_leaves_the_history(app):
    client = session_of(app, "agent")
    created = post_form(client, "/master/customers/new", {**CUSTOMER, "code": " c100 ", "phone": "１３９ 0000 0100"})
    assert created.status_code == 302 and created.headers["Location"].endswith("/master/customers/C100?saved=1")
    record = text(client.get("/master/customers/C100"))
    assert 'data-field="phone">13900000100' in record  # normalised
    assert "已创建" in record and 'id="edit-record"' in record

    form = text(client.get("/master/customers/C100/edit"))
    revision = re.search(r'name="revision" value="(\d+)"', form).group(1)
    assert 'id="f-code" value="C100" disabled' in form  # the key is not edited
    assert '<option value="en">English</option>' in form  # the language messages to the customer are in
    fields = {**CUSTOMER, "region": "suburban", "language": "en", "revision": revision, "csrf_token": csrf_of(form)}
    del fields["code"]
    edited = client.post("/master/customers/C100/edit", data=fields)
    assert edited.status_code == 302
    record = text(client.get("/master/customers/C100"))
    assert 'data-field="region">郊区' in record and 'data-field="language">English' in record
    assert re.search(r'区域</span>: <span class="before">市区</span> → <span class="after">郊区</span>', record)


def test_an_edit_made_on_a_stale_revision_is_refused_and_keeps_what_was_typed(app, as_user):
    client = session_of(app, "agent")
    form = text(client.get("/master/customers/C001/edit"))
    revision = re.search(r'name="revision" value="(\d+)"', form).group(1)
    moved = as_user("supervisor").client.patch(
        "/api/v1/master/customers/C001",
        json={"contact_name": "Someone else", "revision": int(revision)},
        headers=as_user("supervisor")._headers(),
    )
    assert moved.status_code == 200, moved.json
    fields = {k: v for k, v in CUSTOMER.items() if k != "code"}
    answer = client.post(
        "/master/customers/C001/edit",
        data={**fields, "name": "我的修改 My edit", "revision": revision, "csrf_token": csrf_of(form)},
    )
    assert answer.status_code == 409
    page = text(answer)
    assert 'id="stale"' in page and 'href="/master/customers/C001/edit" id="reload-record"' in page
    assert 'value="我的修改 My edit"' in page
    assert "Someone else" in text(client.get("/master/customers/C001"))
    assert "我的修改" not in text(client.get("/master/customers/C001"))


def test_a_technician_reads_prices_but_not_customers(app, as_user):
    price = {"code": "P-RELAY", "kind": "part", "name": "启动继电器 Start relay", "unit_price": "45.00"}
    assert as_user("finance").post("/master/prices", json=price).status_code == 201
    client = session_of(app, "tech_urban1")
    inbox = text(client.get("/inbox"))
    assert 'id="records-link"' in inbox
    prices = text(client.get("/master/prices?q=p-relay"))
    assert keys_listed(prices, "prices") == ["P-RELAY"] and "45.00" in prices
    assert 'id="new-record"' not in prices and 'id="import-records"' not in prices
    assert 'id="export-records"' in prices
    assert client.get("/master/customers").status_code == 403
    assert client.get("/master/prices/new").status_code == 403
    index = text(client.get("/master"))
    assert 'data-table="prices"' in index and 'data-table="customers"' not in index
    # A process owner reads no table: no link, and the index says so.
    owner = session_of(app, "process_owner")
    assert 'id="records-link"' not in text(owner.get("/inbox"))
    assert owner.get("/master").status_code == 403


def test_the_auditor_reads_every_table_and_sees_no_button_that_changes_one(app):
    client = session_of(app, "auditor")
    index = text(client.get("/master"))
    assert all(f'data-table="{t}"' in index for t in ("customers", "units", "contracts", "technicians", "prices"))
    for table in ("customers", "units", "contracts", "technicians", "prices"):
        page = text(client.get(f"/master/{table}"))
        assert 'id="new-record"' not in page and 'id="import-records"' not in page, table
    record = text(client.get("/master/customers/C003"))
    assert 'id="edit-record"' not in record
    assert "SN-IT-5001" in record  # the customer's units, linked
    assert 'href="/master/units/SN-IT-5001"' in record and 'id="related-contracts"' in record
    assert client.get("/master/customers/C003/edit").status_code == 403
    token = csrf_of(record)
    assert client.post("/master/customers/new", data={**CUSTOMER, "csrf_token": token}).status_code == 403


def test_a_customer_page_lists_the_cases_of_its_phone_with_links(app, as_user):
    from tests.repair_driver import RepairCase

    case = RepairCase(as_user)
    client = session_of(app, "agent")
    record = text(client.get("/master/customers/C001"))
    assert f'href="/cases/{case.id}"' in record


def test_typed_markup_is_shown_as_text(app, as_user):
    evil = {**CUSTOMER, "name": '<script>alert("x")</script><img src=x onerror=alert(1)>'}
    assert as_user("agent").post("/master/customers", json=evil).status_code == 201
    client = session_of(app, "agent")
    for url in ("/master/customers", "/master/customers/C100", "/master/customers/C100/edit"):
        page = text(client.get(url))
        assert "<script>alert" not in page and "<img src=x" not in page, url
        assert "&lt;script&gt;alert" in page, url


def test_the_pages_speak_english_when_asked(app):
    client = session_of(app, "agent")
    token = csrf_of(text(client.get("/master/customers")))
    client.post("/language", data={"language": "en", "next": "/master/customers", "csrf_token": token})
    page = text(client.get("/master/customers"))
    assert "Customers" in page and "Key customer" in page and "Records" in page
    assert "36 records" not in page and "6 records, 1–6 shown" in page
    assert 'value="suburban">suburban' in page


def csv_file(rows: int, *, bad_line: int | None = None) -> bytes:
    lines = ["编号,名称,类别,区域,网点,地址,电话"]
    for i in range(rows):
        phone = "bad" if bad_line is not None and i + 2 == bad_line else f"139{i:08}"
        lines.append(f"N{i:05},客户 {i},person,urban,市区,北京市 {i} 号,{phone}")
    return ("\n".join(lines) + "\n").encode()


def stream_import(as_user, content: bytes, **form):
    agent = as_user("agent")
    return agent.client.post(
        "/api/v1/master/customers/import",
        data={"file": (io.BytesIO(content), "customers.csv"), **form},
        headers={**agent._headers(), "Accept": "application/x-ndjson"},
        content_type="multipart/form-data",
    )


def test_the_import_streams_its_progress_and_then_its_answer(app, as_user):
    answer = stream_import(as_user, csv_file(1200), dry_run="false")
    assert answer.status_code == 200 and answer.mimetype == "application/x-ndjson"
    lines = [json.loads(line) for line in answer.get_data(as_text=True).splitlines()]
    progress = [line for line in lines if "done" in line]
    assert progress[0] == {"done": 500, "total": 1200}  # checked ...
    assert progress[-1] == {"done": 1200, "total": 1200}  # ... written, committed
    assert lines[-1]["result"]["applied"] is True and lines[-1]["result"]["counts"]["create"] == 1200
    listed = as_user("agent").get("/master/customers?q=N0&per_page=1").json
    assert listed["total"] == 1200


def test_a_streamed_import_with_a_bad_row_ends_with_the_error_and_imports_nothing(app, as_user):
    answer = stream_import(as_user, csv_file(600, bad_line=555), dry_run="false")
    lines = [json.loads(line) for line in answer.get_data(as_text=True).splitlines()]
    assert lines[0] == {"done": 500, "total": 600}
    error = lines[-1]["error"]
    assert error["code"] == 422 and list(error["fields"]) == ["line 555"]
    assert as_user("agent").get("/master/customers?q=N0").json["total"] == 0


def test_without_the_stream_header_the_import_answers_as_before(app, as_user):
    agent = as_user("agent")
    answer = agent.client.post(
        "/api/v1/master/customers/import",
        data={"file": (io.BytesIO(csv_file(3)), "customers.csv")},
        headers=agent._headers(),
        content_type="multipart/form-data",
    )
    assert answer.status_code == 200 and answer.json["counts"]["create"] == 3 and answer.json["applied"] is False
    # A caller who may not import is refused with a status, not a stream.
    refused = stream_import(lambda _: as_user("finance"), csv_file(3))
    assert refused.status_code == 403 and refused.mimetype == "application/problem+json"


def test_the_mapping_step_reads_the_columns_and_suggests_fields(app, as_user):
    agent = as_user("agent")
    content = "编号,Name,手机号码,电话\nC900,某人,13900000000,010-1\n".encode()
    answer = agent.client.post(
        "/api/v1/master/customers/import/columns",
        data={"file": (io.BytesIO(content), "x.csv")},
        headers=agent._headers(),
        content_type="multipart/form-data",
    )
    assert answer.status_code == 200, answer.json
    assert answer.json["headers"] == ["编号", "Name", "手机号码", "电话"]
    assert answer.json["mapping"] == {"编号": "code", "Name": "name", "手机号码": None, "电话": "phone"}
    assert answer.json["rows"] == 1 and answer.json["sample"] == [["C900", "某人", "13900000000", "010-1"]]


def test_the_import_page_is_for_the_tables_keepers(app):
    agent = session_of(app, "agent")
    page = text(agent.get("/master/customers/import"))
    config = json.loads(re.search(r'<script type="application/json" id="import-config">(.*?)</script>', page, re.S)[1])
    assert config["table"] == "customers" and config["fields"][0] == {"name": "code", "label": "编号", "required": True}
    assert "{done}" in config["strings"]["progress"]
    assert agent.get("/master/prices/import").status_code == 403
