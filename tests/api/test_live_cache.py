"""Workflows kept alive between steps: a case's next step reuses them, and a kept workflow
that no longer matches the stored state (rolled-back step, another worker) is never used."""

from __future__ import annotations

from tests.conftest import Api
from tests.conftest import make_app
from tests.repair_driver import RepairCase


def test_the_next_step_of_a_case_reuses_the_workflow_of_the_last(as_user, ctx):
    case = RepairCase(as_user)
    hits, misses = ctx.engine.live.hits, ctx.engine.live.misses
    case.walk("contact_customer", "dispatch_notice", "agree_appointment", "record_arrival")
    # every step (and every read of a ready task's form in between) found the workflow alive
    assert ctx.engine.live.hits >= hits + 4 and ctx.engine.live.misses == misses
    assert "diagnose_on_site" in case.ready()


def test_a_step_that_was_not_stored_leaves_nothing_behind(as_user, ctx):
    case = RepairCase(as_user)
    [contact] = [t for t in case.ready().values() if t["element_id"] == "contact_customer"]
    with ctx.uow() as uow:
        instance = uow.instances.get(case.id)
        process = ctx.versions.get(uow, instance.version_id)
        state = instance.state
    # The engine completes the task, but the transaction that would store it never commits.
    ctx.engine.complete_task(process, state, contact["id"], lambda seen: {"customer_reached": False})
    # The stored state still has the task ready; a kept workflow that moved on would raise TaskNotReady.
    snapshot, _ = ctx.engine.complete_task(process, state, contact["id"], lambda seen: {"customer_reached": False})
    assert contact["id"] not in [t.id for t in snapshot.ready_tasks]
    case.do("contact_customer")
    assert case.data["customer_reached"] is True
    assert [e["element_id"] for e in case.events("task_completed")].count("contact_customer") == 1


def test_a_workflow_kept_by_one_worker_is_not_used_after_another_worker_moved_the_case(
    app, as_user, database_url, clock
):
    case = RepairCase(as_user)  # worker A keeps the workflow after registration
    other = make_app(database_url, clock, create=False)
    try:
        as_other = lambda username: Api(other.test_client(), username)  # noqa: E731 - worker B's client
        b_case = RepairCase.__new__(RepairCase)
        b_case.as_user, b_case.id = as_other, case.id
        b_case.do("contact_customer")  # worker B moves the case on
        misses = app.extensions["aftersales"].engine.live.misses
        case.do("dispatch_notice")  # worker A must start from what B stored, not from what it kept
        assert app.extensions["aftersales"].engine.live.misses == misses + 1
        assert "agree_appointment" in case.ready()
        assert [e["element_id"] for e in case.events("task_completed")] == [
            "register_request",
            "contact_customer",
            "dispatch_notice",
        ]
    finally:
        other.extensions["aftersales.db"].dispose()
