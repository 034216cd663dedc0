"""Diagrams drawn by others (SpiffWorkflow's tests, Camunda's examples, the BPMN interchange suite;
tests/interop/SOURCES.md): each deploys through POST /api/v1/processes or is refused with the
reason declared here, and a case of each that deploys runs to its end through the API (its user
tasks worked with data their forms accept, timers fired as the clock moves on).

What each file must do is declared below, not read from the code under test; a file without an
entry fails the test.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from tests.interop_driver import run_to_end
from tests.interop_driver import upload

CORPUS = Path(__file__).resolve().parents[1] / "interop"
CALLED = "spiff-call_activity_call_activity.bpmn"  # defines the process spiff-call_activity_end_event calls
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
        r"calls process 'Call_Activity_Get_Data', which is neither in this file nor deployed",
    ),
    # Alone, its script deletes a variable only its caller (spiff-call_activity_end_event) sets.
    "spiff-call_activity_call_activity.bpmn": "error",
    # Alone, its call activity names update_data (spiff-prescript_postscript_call_activity, not deployed).
    "spiff-prescript_postscript_parent.bpmn": ("refused", r"calls process 'update_data', which is neither in"),
    # Alone, its script reads in_data, which only its caller's pre-script sets.
    "spiff-prescript_postscript_call_activity.bpmn": "error",
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
    # Its script calls custom_function(), which SpiffWorkflow's own tests provide and no engine here does.
    "spiff-timer-cycle.bpmn": ("refused", r"calls custom_function\(\), which is not a diagram helper"),
    "spiff-timer.bpmn": "completed",
}


def test_the_corpus_is_declared_whole():
    assert {p.name for p in CORPUS.glob("*.bpmn")} == set(EXPECTED)
    sources = (CORPUS / "SOURCES.md").read_text(encoding="utf-8")
    assert all(name in sources for name in EXPECTED), "every file's source and licence is in SOURCES.md"


REFUSED = sorted(name for name, expected in EXPECTED.items() if isinstance(expected, tuple))
RUNS = sorted(name for name, expected in EXPECTED.items() if not isinstance(expected, tuple))


def test_each_refused_diagram_is_refused_with_its_reason(as_user, subtests):
    """All in one database: a refused upload deploys nothing, so none can change another's answer."""
    admin = as_user("admin")
    for name in REFUSED:
        with subtests.test(msg=name):
            answer = upload(admin, name, (CORPUS / name).read_bytes())
            assert answer.status_code == 422, answer.json
            errors = answer.json["errors"]
            assert all(e["file"] == name and e["message"] for e in errors), errors
            assert any(re.search(EXPECTED[name][1], e["reason"]) for e in errors), errors
            assert not any(re.search(r" at 0x[0-9a-f]+|b'<", e["message"]) for e in errors), errors


@pytest.mark.parametrize("name", RUNS)
def test_a_diagram_from_another_modeler_deploys_and_runs(name, app, as_user, clock):
    admin = as_user("admin")
    answer = upload(admin, name, (CORPUS / name).read_bytes())
    assert answer.status_code == 201, answer.json
    assert all(w["severity"] == "warning" for w in answer.json["warnings"])
    for process in answer.json["processes"]:
        assert process["version"] >= 1
    topics = re.findall(r'camunda:topic="([^"]+)"', (CORPUS / name).read_text(encoding="utf-8"))
    status, _done = run_to_end(admin, app.extensions["aftersales"], clock, answer.json["key"], topics=topics)
    assert status == EXPECTED[name]


def test_a_call_activity_into_another_deployed_file_runs_the_called_process(app, as_user, clock):
    admin = as_user("admin")
    caller = "spiff-call_activity_end_event.bpmn"
    called = upload(admin, "spiff-call_activity_call_activity.bpmn", (CORPUS / CALLED).read_bytes())
    assert called.status_code == 201, called.json
    answer = upload(admin, caller, (CORPUS / caller).read_bytes())
    assert answer.status_code == 201, answer.json
    status, _done = run_to_end(admin, app.extensions["aftersales"], clock, "Process_8200379")
    assert status == "completed"
    (case,) = admin.get("/instances?process_key=Process_8200379").json
    assert admin.get(f"/instances/{case['id']}").json["data"]["my_var"] == "World"  # the called file's script
    changed = (CORPUS / CALLED).read_bytes().replace(b"my_var = 'World'", b"my_var = 'Changed'")
    assert upload(admin, CALLED, changed).status_code == 201
    run_to_end(admin, app.extensions["aftersales"], clock, "Process_8200379")
    cases = admin.get("/instances?process_key=Process_8200379").json
    latest = max(cases, key=lambda c: c["id"])
    assert admin.get(f"/instances/{latest['id']}").json["data"]["my_var"] == "World"  # pinned with the caller


def test_files_deployed_together_resolve_their_call_activities_whatever_their_order(app, as_user, clock):
    admin = as_user("admin")
    caller = "spiff-call_activity_end_event.bpmn"
    files = [(io.BytesIO((CORPUS / name).read_bytes()), name) for name in (caller, CALLED)]
    answer = admin.client.post(
        "/api/v1/processes", headers=admin._headers(), data={"file": files}, content_type="multipart/form-data"
    )
    assert answer.status_code == 201, answer.json
    assert {p["key"] for p in answer.json["processes"]} == {"Process_8200379", "Call_Activity_Get_Data"}
    status, _done = run_to_end(admin, app.extensions["aftersales"], clock, "Process_8200379")
    assert status == "completed"


def test_a_name_the_deploy_warned_of_is_what_stops_the_case(as_user):
    """SpiffWorkflow's pre-/post-script pair, deployed together: the caller's pre-script reads ``old``,
    which SpiffWorkflow's own test gives as start data and nothing here defines. The deploy says so
    (a warning naming file, element and name) and the case stops in error on that very name."""
    admin = as_user("admin")
    names = ("spiff-prescript_postscript_parent.bpmn", "spiff-prescript_postscript_call_activity.bpmn")
    files = [(io.BytesIO((CORPUS / name).read_bytes()), name) for name in names]
    answer = admin.client.post(
        "/api/v1/processes", headers=admin._headers(), data={"file": files}, content_type="multipart/form-data"
    )
    assert answer.status_code == 201, answer.json
    (named,) = [w for w in answer.json["warnings"] if w["rule"] == "name-defined"]
    assert (named["file"], named["element_id"]) == (names[0], "Activity_0g9bcsc") and "'old'" in named["reason"]
    started = admin.post("/processes/parent/instances", json={})
    case = admin.get(f"/instances/{started.json['id']}").json
    assert case["status"] == "error" and "old" in case["error"], case
