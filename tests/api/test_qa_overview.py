"""The QA overview: heatmap numbers per diagram element, the KPI trend, and who may see the QA page."""

from __future__ import annotations

from datetime import date
from datetime import datetime
from datetime import timedelta

import pytest

from app.demo.repairs import ON_SITE
from app.demo.repairs import UNPAID_TAIL
from app.domain.principal import Principal
from app.errors import Forbidden
from app.errors import InvalidInput
from app.services.people.users import create_user
from app.services.qa.kpi import period_kpis
from app.services.qa.overview import element_heatmap
from app.services.qa.overview import kpi_trend
from app.services.qa.overview import recent_quarters
from app.services.timing.timer_firing import fire_due
from tests.api.test_web import login
from tests.conftest import T0
from tests.repair_driver import RepairCase

AUDITOR = Principal("auditor", frozenset({"auditor"}))
TECHNICIAN = Principal("tech_urban1", frozenset({"technician"}))
MARCH = (datetime(2026, 3, 1, tzinfo=T0.tzinfo), datetime(2026, 4, 1, tzinfo=T0.tzinfo))
MARCH_QUERY = "process_key=repair&from=2026-03-01&to=2026-04-01"
FULL_CASE = (*ON_SITE[1:], *UNPAID_TAIL)  # after the contact


@pytest.fixture
def three_contacts(ctx, clock, as_user) -> dict[str, RepairCase]:
    """Contact within 2 h, within 3 h (then the whole case to its end), and 5 h late after the escalation."""
    cases = {"on_time": RepairCase(as_user), "completed": RepairCase(as_user, contract_no="MC-2025-001")}
    cases["late"] = RepairCase(as_user)
    clock.advance(timedelta(hours=2))
    cases["on_time"].do("contact_customer")
    clock.advance(timedelta(hours=1))
    cases["completed"].do("contact_customer")
    cases["completed"].walk(*FULL_CASE)
    assert cases["completed"].body["status"] == "completed"
    clock.advance(timedelta(hours=22))
    fire_due(ctx)  # the late case escalates (the 24 h timer fires on the alarm after 24 h, here at 25 h)
    clock.advance(timedelta(hours=4))
    cases["late"].do("supervisor_contact_followup")
    cases["late"].do("contact_customer")  # 29 h after the request
    return cases


def by_element(heatmap: dict) -> dict[str, tuple]:
    return {e["element_id"]: (e["cases"], e["median_hours"], e["breaches"]) for e in heatmap["elements"]}


def test_the_heatmap_counts_cases_median_hours_and_breaches_per_element(ctx, three_contacts):
    heatmap = element_heatmap(ctx, "repair", *MARCH, AUDITOR)
    elements = by_element(heatmap)
    assert (heatmap["process_key"], heatmap["cases"]) == ("repair", 3)
    assert elements["contact_customer"] == (3, 3.0, 1)  # median of 2 h, 3 h and 29 h; one 24 h breach
    assert elements["register_request"] == (3, 0.0, 0)
    assert elements["supervisor_contact_followup"] == (1, 4.0, 0)  # ready at 25 h, done at 29 h
    assert elements["callback_answer"] == (1, 0.0, 0)
    assert elements["classify_fee"] == (3, None, 0)  # a script task: passed, no waiting time
    assert elements["contact_overdue"][2] == 0  # the breach counts on the task the timer sits on
    # Nothing in April; the same numbers through the API.
    assert element_heatmap(ctx, "repair", MARCH[1], MARCH[1] + timedelta(days=30), AUDITOR)["cases"] == 0


def test_the_heatmap_api_is_for_report_roles_only(ctx, as_user, three_contacts):
    answer = as_user("auditor").get(f"/reports/heatmap?{MARCH_QUERY}")
    assert answer.status_code == 200
    [contact] = [e for e in answer.json["elements"] if e["element_id"] == "contact_customer"]
    assert [contact[k] for k in ("cases", "median_hours", "breaches", "completed_tasks")] == [3, 3.0, 1, 3]
    assert answer.json["version"] == 1 and answer.json["breaches"] >= 1
    assert as_user("auditor").get(f"/reports/heatmap?{MARCH_QUERY}&version=1").json["cases"] == 3
    assert as_user("auditor").get(f"/reports/heatmap?{MARCH_QUERY}&version=9").status_code == 404
    assert as_user("auditor").get("/reports/heatmap?process_key=repair&from=2026-03-01").status_code == 422
    assert as_user("tech_urban1").get(f"/reports/heatmap?{MARCH_QUERY}").status_code == 403
    with pytest.raises(Forbidden):
        element_heatmap(ctx, "repair", *MARCH, TECHNICIAN)


def test_the_kpi_trend_is_the_quarterly_figures_side_by_side(ctx, as_user):
    from app.demo.history import open_history

    open_history(ctx)
    quarters = ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"]
    trend = kpi_trend(ctx, quarters, AUDITOR)
    assert trend["quarters"] == quarters
    series = {k["key"]: k for k in trend["kpis"]}
    assert series["first_time_fix"]["values"][:2] == [0.8, 1.0]
    assert series["first_time_fix"]["target"] == 0.9 and series["complaint_satisfaction"]["cases"] == [0, 0, 0, 0]
    for i, quarter in enumerate(quarters):
        figures = period_kpis(ctx, quarter, AUDITOR)
        assert trend["weighted_scores"][i] == figures["weighted_score"]
        assert all(series[key]["values"][i] == f["value"] for key, f in figures["figures"].items())
    answer = as_user("auditor").get("/reports/kpi-trend?quarters=2025-Q1,2025-Q2")
    assert answer.status_code == 200 and answer.json["quarters"] == ["2025-Q1", "2025-Q2"]
    assert answer.json["kpis"][0]["values"] == [0.8, 1.0]
    assert as_user("auditor").get("/reports/kpi-trend").json["quarters"] == recent_quarters(date(2026, 3, 2))
    assert as_user("auditor").get("/reports/kpi-trend?quarters=2025-Q5").status_code == 422
    assert as_user("tech_urban1").get("/reports/kpi-trend?quarters=2025-Q1").status_code == 403
    with pytest.raises(InvalidInput):
        kpi_trend(ctx, ["2025-X1"], AUDITOR)


def test_the_qa_page_is_shown_to_the_auditor_and_refused_to_a_technician(app, three_contacts):
    auditor = app.test_client()
    login(auditor, "auditor")
    page = auditor.get("/qa")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "质量概览" in html and 'id="qa-link"' in html
    assert 'data-from="2026-01-01" data-to="2026-04-01"' in html  # the current quarter by default
    assert 'data-quarters="2025-Q2,2025-Q3,2025-Q4,2026-Q1"' in html
    assert "/api/v1/exports/repair.xes?from=2026-01-01&amp;to=2026-04-01" in html
    assert "/api/v1/reports/conformance?process_key=repair&amp;from=2026-01-01&amp;to=2026-04-01" in html
    # Deadline outcomes: the agent met two 24 h contacts and breached one, and met the completed case's
    # 10-minute phone appointment (D-04); the engineer met the report's.
    assert "<td>agent</td><td>3</td><td>1</td>" in html and "<td>tech_urban1</td><td>1</td><td>0</td>" in html
    # By month: those and the arrival promises (met by the completed case, missed by the other two).
    assert "<td>2026-03</td><td>5</td><td>3</td>" in html
    # The customer rated the engineer 4, 4, 3, 4 on acceptance: overall 3.75, score 93.8.
    assert "客户对服务工程师的评价" in html
    assert "<td>tech_urban1</td><td>1</td>" in html and "<td>3.75</td><td>93.8</td>" in html
    complaint = auditor.get("/qa?process=complaint&from=2026-03-01&to=2026-03-31").get_data(as_text=True)
    assert 'data-process="complaint"' in complaint and 'data-to="2026-04-01"' in complaint
    assert auditor.get("/qa?process=nope").status_code == 422
    diagram = auditor.get("/qa/diagram/repair.xml?version=1")
    assert diagram.status_code == 200 and b"contact_customer" in diagram.data
    technician = app.test_client()
    login(technician, "tech_urban1")
    refused = technician.get("/qa")
    assert refused.status_code == 403 and "<html" in refused.get_data(as_text=True)
    assert 'id="qa-link"' not in technician.get("/inbox").get_data(as_text=True)
    assert technician.get("/qa/diagram/repair.xml").status_code == 403
    assert app.test_client().get("/qa").status_code == 302  # not logged in


def test_the_qa_page_shows_conformance_kpi_figures_clauses_names_and_feedback(app, ctx, as_user, three_contacts):
    create_user(ctx, "tech_urban1", "tech_urban1", ["technician"], display_name="王师傅")
    skipped = RepairCase(as_user)
    task = skipped.ready()["contact_customer"]
    answer = as_user("process_owner").post(
        f"/instances/{skipped.id}/tasks/{task['id']}/skip",
        json={"reason": "在系统外电话联系", "data": {"customer_reached": True, "service_mode": "on_site"}},
    )
    assert answer.status_code == 200
    auditor = app.test_client()
    login(auditor, "auditor")
    html = auditor.get("/qa?from=2026-03-01&to=2026-03-31").get_data(as_text=True)
    # Conformance in the page (loaded after it: /qa/conformance): per version, per element (linked to
    # the cases), per case least fitting first.
    assert 'data-url="/qa/conformance?process=repair&amp;from=2026-03-01&amp;to=2026-03-31"' in html
    section = auditor.get("/qa/conformance?process=repair&from=2026-03-01&to=2026-03-31")
    assert section.status_code == 200 and "<html" not in section.get_data(as_text=True)
    html += section.get_data(as_text=True)
    assert '<tr data-version="1"><td>v1</td><td>4</td>' in html
    skip_row = html[html.index('<tr data-element="contact_customer">') :]
    assert "首次联系客户，确定服务方式" in skip_row[:300] and "跳过的步骤" in skip_row[:300]
    assert f'<a href="/cases/{skipped.id}">{skipped.body["case_no"]}</a>' in skip_row[:400]
    first_case = html[html.index('<table class="qa-conformance-cases">') :]
    assert first_case.index(skipped.body["case_no"]) < first_case.index(three_contacts["on_time"].body["case_no"])
    assert "<td>50.0 %</td>" in first_case  # 1 of 2 steps matched: the skip
    # The KPI trend's figures with their case counts and the weighted score.
    kpis = html[html.index('<table class="qa-kpi-trend">') :]
    first_time_fix = kpis[kpis.index('data-kpi="first_time_fix"') :]
    assert '100.0 %<span class="muted kpi-cases">1 个案件</span></td></tr>' in first_time_fix[:900]
    assert '<th scope="row" colspan="3">加权得分</th>' in kpis and "<td>100.0</td></tr>" in kpis
    # Clause codes with their names; people by display name (the username on hover).
    d01 = '<tr data-clause="D-01" class="has-breach"><td><strong>D-01</strong> 24小时未联系（PREMIUM 1小时）</td>'
    assert d01 in html
    assert '<td><span title="tech_urban1">王师傅</span></td><td>1</td><td>0</td>' in html  # deadline outcomes
    assert "<td>3.75</td><td>93.8</td>" in html and html.count(">王师傅</span>") == 2  # and the ratings
    assert 'href="/api/v1/exports/repair.xes" download' in html  # the whole log, whatever the period
    assert auditor.get("/qa/conformance?process=nope").status_code == 422
    assert "没有开立案件" in auditor.get("/qa/conformance?from=2026-05-01&to=2026-05-31").get_data(as_text=True)
    assert '<p id="feedback-summary">本期开立 0 个质量反馈案件：处理中 0 个，已关闭 0 个。</p>' in html
