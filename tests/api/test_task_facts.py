"""Forms that show what the person needs (issue 17): the case facts each step names (``x-facts``)
beside its form, fields prefilled from known facts, no choice made for the user, a task taken on the
first edit rather than on opening, case data as people read it, and the task list's form being the
one the server validates against."""

from __future__ import annotations

import json
import re
from pathlib import Path

from app.services.tasks.workspace import DERIVED_FACTS
from tests.api.test_workspace import session_for
from tests.complaint_driver import ComplaintCase
from tests.repair_driver import FORMS
from tests.repair_driver import TO_ACCEPTANCE
from tests.repair_driver import RepairCase

PROCESSES = Path(__file__).resolve().parents[2] / "processes"


def known_fields(process: str) -> set[str]:
    """What a case of ``process`` can hold: its forms' fields, its declared data objects, the item
    each instance of a multi-instance step sees, what its scripts (and pre-scripts) assign, and what the
    server finds for a step (DERIVED_FACTS)."""
    names: set[str] = set(DERIVED_FACTS)
    for path in (PROCESSES / "forms" / process).glob("*.json"):
        names |= set(json.loads(path.read_text(encoding="utf-8"))["properties"])
    xml = (PROCESSES / f"{process}.bpmn").read_text(encoding="utf-8")
    names |= set(re.findall(r'<bpmn:dataObject id="([^"]+)"', xml))
    for script in re.findall(r"<(?:bpmn:script|spiffworkflow:preScript)>(.*?)</", xml, re.S):
        names |= set(re.findall(r"^(\w+) = ", script, re.M))
    return names | set(re.findall(r'<bpmn:inputDataItem id="[^"]*" name="([^"]+)"', xml))


def test_every_task_form_names_the_case_facts_its_step_needs():
    forms = [p for p in sorted((PROCESSES / "forms").glob("*/*.json")) if p.name != "start.json"]
    assert len(forms) > 100
    for path in forms:
        form = json.loads(path.read_text(encoding="utf-8"))
        facts = form.get("x-facts")
        assert isinstance(facts, list), f"{path.parent.name}/{path.name} names no x-facts"
        unknown = set(facts) - known_fields(path.parent.name)
        assert not unknown, f"{path.parent.name}/{path.name}: x-facts name fields no case holds: {unknown}"
        asked = set(facts) & set(form["properties"])
        assert not asked, f"{path.parent.name}/{path.name}: {asked} are asked on the form itself"


def facts_of(page: str) -> dict[str, str]:
    """The facts panel of a task page: row title -> the value's text."""
    panel = page.split('id="task-facts"', 1)[1].split("</section>", 1)[0]
    rows = re.findall(r'<th scope="row"[^>]*>(.*?)</th>\s*<td>(.*?)</td></tr>', panel, re.S)
    return {re.sub(r"\s+", " ", k).strip(): re.sub(r"<[^>]+>|\s+", " ", v).strip() for k, v in rows}


def test_the_dispatcher_sees_the_customer_address_and_fault_beside_the_form(app, as_user):
    case = RepairCase(as_user)
    case.do("contact_customer", contact_notes="客户下午在家")
    task_id = case.ready()["dispatch_notice"]["id"]
    client, _ = session_for(app, "dispatcher")
    page = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    facts = facts_of(page)
    assert facts["客户姓名/单位"] == "张伟 Zhang Wei" and facts["服务地址"] == "北京市朝阳区建国路 88 号"
    assert facts["故障现象"] == "不制冷 / not cooling" and facts["联系记录"] == "客户下午在家"
    assert facts["紧急程度"] == "中" and facts["服务方式"] == "上门服务"  # choices by their names
    assert "<details" not in page  # the raw, collapsed case-data table is gone
    assert as_user("admin").get(f"/tasks/{task_id}").json["assignee"] is None  # opening did not take it


def test_known_facts_are_prefilled_and_finance_sees_the_quote_and_the_work(app, as_user):
    case = RepairCase(as_user)
    case.walk(*TO_ACCEPTANCE, "customer_acceptance")
    client, _ = session_for(app, "finance")
    page = client.get(f"/tasks/{case.ready()['payment_invoice']['id']}").get_data(as_text=True)
    config = json.loads(re.search(r'id="task-config">(.*?)</script>', page, re.S).group(1))
    assert config["startValues"]["amount"] == case.data["quote_amount"] == 245
    facts = facts_of(page)
    assert facts["维修方案"] == "更换继电器 / replace relay" and "RLY-220" in facts["使用的原厂备件"]
    assert '<th scope="col">' in page  # the parts are a table, not "part_no: RLY-220, qty: 1"

    case.do("payment_invoice")
    client, _ = session_for(app, "tech_urban1")
    page = client.get(f"/tasks/{case.ready()['file_report']['id']}").get_data(as_text=True)
    start = json.loads(re.search(r'id="task-config">(.*?)</script>', page, re.S).group(1))["startValues"]
    diagnosis = FORMS["diagnose_on_site"]
    assert start["fault_found"] == diagnosis["confirmed_fault"] and start["method_used"] == diagnosis["repair_plan"]


def test_the_customer_rates_with_four_choices_and_sees_the_work_before_signing(app, as_user):
    case = RepairCase(as_user)
    case.walk(*TO_ACCEPTANCE)
    client, _ = session_for(app, "tech_urban1")
    page = client.get(f"/tasks/{case.ready()['customer_acceptance']['id']}").get_data(as_text=True)
    schema = json.loads(re.search(r'id="task-config">(.*?)</script>', page, re.S).group(1))["schema"]
    rating = schema["properties"]["rating_attitude"]
    assert rating["format"] == "radio" and rating["enum"] == [1, 2, 3, 4] and "default" not in rating
    shown = {k: schema["properties"][k].get("const") for k in ("repair_plan", "parts_used", "quote_amount")}
    assert shown == {
        "repair_plan": "更换继电器 / replace relay",
        "parts_used": [{"part_no": "RLY-220", "qty": 1}],
        "quote_amount": 245,
    }
    assert case.submit("customer_acceptance", {**FORMS["customer_acceptance"], "rating_skills": 0}).status_code == 422


def test_the_listed_form_is_the_one_the_server_validates_against(as_user):
    case = RepairCase(as_user)
    case.do("contact_customer")
    [listed] = as_user("dispatcher").get(f"/tasks?instance_id={case.id}").json
    technician = listed["form"]["properties"]["technician"]
    choices = [c["const"] for c in technician["oneOf"]]
    assert choices and "tech_urban1" in choices  # the ranked choices, as GET /tasks/{id} gives them
    assert as_user("dispatcher").get(f"/tasks/{listed['id']}").json["form"] == listed["form"]
    filled = {name: choices[0] for name in listed["form"]["required"]}
    done = as_user("dispatcher").post(f"/tasks/{listed['id']}/complete", json=filled)
    assert done.status_code == 200, done.json


def test_a_task_taken_by_a_colleague_says_who_is_on_it(app, as_user, ctx):
    case = RepairCase(as_user)
    task_id = case.ready()["contact_customer"]["id"]
    with ctx.uow() as uow:
        uow.users.get("agent").display_name = "王芳"
        uow.commit()
    client, csrf = session_for(app, "agent")
    assert client.post(f"/api/v1/tasks/{task_id}/claim", headers=csrf).status_code == 200  # the first edit
    other, _ = session_for(app, "admin")
    page = other.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "王芳 正在处理此任务。" in page
    mine = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "放回组内待办" in mine and ">退回<" not in mine  # "release" no longer reads as "send back"


def test_the_inbox_does_not_choose_a_process_to_open(app):
    client, _ = session_for(app, "admin")
    page = client.get("/inbox").get_data(as_text=True)
    start = page.split('id="start-case"', 1)[1].split("</form>", 1)[0]
    assert re.search(r'<select name="process"[^>]*required', start)
    first = re.search(r"<option([^>]*)>", start).group(1)
    assert 'value=""' in first and "selected" in first and "disabled" in first  # not the annual plan


def test_the_case_page_shows_data_as_people_read_it(app, as_user, ctx):
    case = RepairCase(as_user)
    case.walk(*TO_ACCEPTANCE, "customer_acceptance")
    with ctx.uow() as uow:
        uow.users.get("tech_urban1").display_name = "李工"
        uow.commit()
    client, _ = session_for(app, "admin")
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert case.data["signature"].startswith("attachment:") and "attachment:" not in page
    assert re.search(rf'<img class="signature-img" src="/api/v1/instances/{case.id}/attachments/\d+"', page)
    header = re.sub(r"<[^>]+>|\s+", " ", page.split("<h1>", 1)[1].split("</h1>", 1)[0])
    assert "售后服务（报修/上门服务）" in header and "repair" not in header  # the process by its name
    assert "李工" in page and ">tech_urban1<" not in page
    data = page.split("<h2>案件数据</h2>", 1)[1]
    assert not re.search(r"\d{2}:\d{2}:\d{2}\.\d+", data) and not re.search(r"T\d{2}:\d{2}", data)
    assert case.data["appointment_at"][:10] in data


def test_a_resolved_complaint_says_so_in_its_header(app, as_user):
    case = ComplaintCase.registered(as_user)
    case.do("clarify_facts", within_authority=True)
    case.walk("immediate_solution", "feedback_customer", "confirm_feedback", "approve_closure")
    assert case.data["complaint_status"] == "resolved" and case.body["status"] == "running"  # waits for the callback
    client, _ = session_for(app, "admin")
    header = client.get(f"/cases/{case.id}").get_data(as_text=True).split("<h1>", 1)[1].split("</h1>", 1)[0]
    assert "投诉已解决" in re.sub(r"<[^>]+>", "", header)
