"""Diagrams drawn by others (SpiffWorkflow's tests, Camunda's examples, the BPMN interchange suite;
tests/interop/SOURCES.md): each deploys through POST /api/v1/processes or is refused with the
reason declared here, and a case of each that deploys runs to its end through the API (its user
tasks worked with data their forms accept, timers fired as the clock moves on).

What each file must do is declared below, not read from the code under test; a file without an
entry fails the test.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.interop_driver import run_to_end
from tests.interop_driver import upload

CORPUS = Path(__file__).resolve().parents[1] / "interop"
# file -> the status a case ends in (after working its tasks), or ("refused", what the refusal says)
EXPECTED: dict[str, str | tuple[str, str]] = {
    "camunda-invoiceApproval.bpmn": "completed",
    "camunda-loanApproval.bpmn": "completed",
    "camunda-waitingState.bpmn": "completed",
    # Its service tasks are external tasks (camunda:topic), which deploy; its Quartz cron timer does not.
    "camunda-order-handling.bpmn": ("refused", r"timer expression '0/5 0/1 \* 1/1 \* \?' is not valid Python"),
    "camunda-xslt-example.bpmn": ("refused", r"script task is written in 'xslt'; scripts here are Python"),
    "miwg-A.1.0.bpmn": ("refused", r"no executable process"),
    "miwg-C.1.0.bpmn": ("refused", r"service task names no operator"),
    "miwg-C.1.1.bpmn": ("refused", r"data store 'Financial Accounting System' is not supported"),
    "miwg-C.9.1.bpmn": "completed",
    "spiff-ParallelOrder.bpmn": "completed",
    "spiff-boundary_timer_on_task.bpmn": "completed",
    "spiff-business_rule_task.bpmn": ("refused", r"DMN decision 'decision_1'; DMN is not supported"),
    "spiff-call_activity_end_event.bpmn": (
        "refused",
        r"calls process 'Call_Activity_Get_Data', which is not in this file",
    ),
    "spiff-call_activity_level_3.bpmn": ("refused", r"calls process 'Level3', which is already calling it"),
    "spiff-camunda-no_form.bpmn": "completed",
    "spiff-camunda-subWorkflowComplex.bpmn": "completed",
    "spiff-camunda-token_trial_subprocess.bpmn": "completed",
    # Two pools: both processes deploy (each under its id); the message-started case of proc_2 fails on
    # a correlation expression naming data SpiffWorkflow has not set, so proc_1 waits for its answer.
    "spiff-correlation.bpmn": "running",
    "spiff-event-gateway.bpmn": "completed",
    "spiff-event-subprocess.bpmn": "completed",
    "spiff-gateway_loop_input.bpmn": "completed",
    "spiff-human_task_metadata.bpmn": "completed",
    "spiff-lanes.bpmn": "completed",
    "spiff-multiple-start.bpmn": "completed",
    "spiff-no-tasks.bpmn": "completed",
    "spiff-random_fact.bpmn": "completed",
    "spiff-reset_with_boundary_event.bpmn": "completed",
    "spiff-script-start.bpmn": "completed",
    # Its operator is SpiffArena's, not one this engine provides: the case stops in error, named.
    "spiff-service_task.bpmn": "error",
    "spiff-timer-cycle.bpmn": "completed",
    "spiff-timer.bpmn": "completed",
}


def test_the_corpus_is_declared_whole():
    assert {p.name for p in CORPUS.glob("*.bpmn")} == set(EXPECTED)
    sources = (CORPUS / "SOURCES.md").read_text(encoding="utf-8")
    assert all(name in sources for name in EXPECTED), "every file's source and licence is in SOURCES.md"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_diagram_from_another_modeler_deploys_and_runs_or_is_refused_with_its_reason(name, app, as_user, clock):
    admin = as_user("admin")
    expected = EXPECTED[name]
    answer = upload(admin, name, (CORPUS / name).read_bytes())
    if isinstance(expected, tuple):
        assert answer.status_code == 422, answer.json
        errors = answer.json["errors"]
        assert all(e["file"] == name and e["message"] for e in errors), errors
        assert any(re.search(expected[1], e["message"]) for e in errors), errors
        assert not any(re.search(r" at 0x[0-9a-f]+|b'<", e["message"]) for e in errors), errors
        return
    assert answer.status_code == 201, answer.json
    assert all(w["severity"] == "warning" for w in answer.json["warnings"])
    for process in answer.json["processes"]:
        assert process["version"] >= 1
    topics = re.findall(r'camunda:topic="([^"]+)"', (CORPUS / name).read_text(encoding="utf-8"))
    status, _done = run_to_end(admin, app.extensions["aftersales"], clock, answer.json["key"], topics=topics)
    assert status == expected
