"""Every state a user can meet has a label in both languages under the app's Flask-Babel (no raw codes on pages)."""

from __future__ import annotations

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
