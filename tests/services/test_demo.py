"""`aftersales demo` builds a usable world: users, cases at every step, complaints, plans, history."""

from __future__ import annotations

from collections import Counter

from app.demo.loader import load_demo
from app.persistence.repositories.master_records import RecordQuery


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
    repairs = [c.data for c in cases if c.process_key == "repair"]
    assert {r.get("service_category") for r in repairs} >= {"installation", "training", "parts_mailing"}
    assert any(r.get("service_mode") == "ship_to_factory" for r in repairs)
    assert any(r.get("service_mode") == "mail_parts" and r.get("to_be_charged") for r in repairs)
    [refund] = [c for c in cases if c.process_key == "refund"]  # the late arrival's (W-07)
    assert refund.data["refund_reason"] == "late_arrival" and refund.parent_id is not None
    plans = sorted((c for c in cases if c.process_key == "annual_plan"), key=lambda c: c.id)
    assert plans[0].status == "completed" and plans[1].status == "running"
    load_demo(ctx)  # running it again adds no cases
    with ctx.uow() as uow:
        assert len(uow.instances.list(limit=1000)) == len(cases)


def test_the_demo_master_data_comes_through_the_import_once(ctx):
    from app.domain.master_data import TABLES

    lines = load_demo(ctx)  # the seeded database has the master data already: nothing imported again
    assert not any("imported from app/demo/data" in line for line in lines)
    today = ctx.clock.now().date()
    with ctx.uow() as uow:
        contract = uow.records.get(TABLES["contracts"], "MC-2026-003")
        assert (contract.starts_on - today).days == -165 and (contract.ends_on - today).days == 200
        assert uow.records.get(TABLES["customers"], "C003").phone == "01062000003"  # normalised by the import
        [change] = uow.records.history(TABLES["units"], "SN-IT-5001")
        assert (change.action, change.actor, change.source) == ("imported", "admin", "demo/units.csv")
        labour, _ = uow.records.page(TABLES["prices"], RecordQuery(filters={"kind": "labour"}, limit=50))
        assert {p.service_category for p in labour} >= {"installation", "repair", "parts_mailing"}
        travel, _ = uow.records.page(TABLES["prices"], RecordQuery(filters={"kind": "travel"}))
        assert {p.region for p in travel} == {"urban", "suburban"}
        assert len(uow.master.technicians()) == 6


def test_an_empty_database_gets_every_demo_table_by_the_import_and_the_technicians_their_accounts(tiny):
    from app.demo.loader import load_master_data

    ctx = tiny.extensions["aftersales"]
    assert load_master_data(ctx) == [
        "customers: 6 imported from app/demo/data/customers.csv",
        "contracts: 5 imported from app/demo/data/contracts.csv",
        "units: 8 imported from app/demo/data/units.csv",
        "technicians: 6 imported from app/demo/data/technicians.csv",
        "prices: 19 imported from app/demo/data/prices.csv",
    ]
    with ctx.uow() as uow:
        assert set(uow.users.by_usernames({"tech_it", "tech_expired", "agent"})) == {"tech_it", "tech_expired", "agent"}
    assert load_master_data(ctx) == []  # the tables hold records now
