"""Every state and audit-event kind a user can meet has a label in both languages (no raw codes on pages)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from flask_babel import force_locale

from app.domain.cases import CaseStatus
from app.domain.cases import TaskState
from app.domain.cases import TimerState
from app.domain.events import EventType
from app.handlers.i18n import CASE_STATUS_LABELS
from app.handlers.i18n import EVENT_LABELS
from app.handlers.i18n import TASK_STATE_LABELS
from app.handlers.i18n import TIMER_STATE_LABELS

APP = Path(__file__).resolve().parent.parent / "app"


def recorded_event_types() -> set[str]:
    """The literal event types the application's code writes: ``record(uow, case, at, actor, "type", …)``,
    ``new_event(case, at, actor, "type", …)``, a case step's ``step.record("type", …)`` and
    ``step.apply(operation, "type", …)``, and ``_record_on_task(step, "type", …)``."""
    found = set()
    for path in APP.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            if isinstance(node.func, ast.Attribute) and getattr(node.func.value, "id", "") == "step":
                position = {"record": 0, "apply": 1}.get(node.func.attr)
            else:
                name = getattr(node.func, "id", getattr(node.func, "attr", ""))
                position = {"record": 4, "new_event": 3, "_record_on_task": 1}.get(name)
            if position is not None and len(node.args) > position and isinstance(node.args[position], ast.Constant):
                found.add(node.args[position].value)
            for keyword in node.keywords:
                if keyword.arg in ("event", "type_") and isinstance(keyword.value, ast.Constant):
                    found.add(keyword.value.value)
    return found


def test_every_event_type_the_code_records_is_a_member_of_the_enum():
    recorded = recorded_event_types()
    assert len(recorded) > 15  # the scan finds the calls
    assert recorded <= set(EventType), sorted(recorded - set(EventType))


STATE_TABLES = [
    (EventType, EVENT_LABELS),
    (CaseStatus, CASE_STATUS_LABELS),
    (TaskState, TASK_STATE_LABELS),
    (TimerState, TIMER_STATE_LABELS),
]


@pytest.mark.parametrize("language", ["zh_Hans", "en"])
def test_every_member_of_every_state_enum_has_a_label_in_each_language(app, language):
    for enum, table in STATE_TABLES:
        assert set(enum) <= set(table), f"{enum.__name__} lacks labels for {sorted(set(enum) - set(table))}"
    with app.test_request_context(), force_locale(language):
        labels = {f"{enum.__name__}.{m.name}": str(table[m]) for enum, table in STATE_TABLES for m in enum}
    for member, label in labels.items():
        assert label, f"{member} has an empty label"
        if language == "zh_Hans":
            assert not label.isascii(), f"{member} is not translated: {label!r}"
