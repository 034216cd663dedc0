"""`aftersales demo` builds a usable world: users, cases at every step, complaints, plans, history."""

from __future__ import annotations

from collections import Counter

from app.demo.loader import load_demo


def test_the_demo_holds_cases_complaints_plans_and_history(ctx):
    lines = load_demo(ctx)
    assert any(line.startswith("history ") for line in lines)
    with ctx.uow() as uow:
        cases = uow.instances.list(limit=1000)
    by_process = Counter(c.process_key for c in cases)
    assert by_process["repair"] >= 20 + 5 and by_process["complaint"] == 6 and by_process["annual_plan"] == 2
    complaints = [c for c in cases if c.process_key == "complaint"]
    assert {c.data.get("severity") for c in complaints} == {"complaint", "general", "serious"}
    assert {c.data.get("complaint_status") for c in complaints} >= {"open", "resolved", "closed"}
    plans = sorted((c for c in cases if c.process_key == "annual_plan"), key=lambda c: c.id)
    assert plans[0].status == "completed" and plans[1].status == "running"
    load_demo(ctx)  # running it again adds no cases
    with ctx.uow() as uow:
        assert len(uow.instances.list(limit=1000)) == len(cases)
