"""Deadlines met when the work starts, not when it is done (D-12: QA starts investigating within 24 h).

A boundary timer with the property ``met_by = start`` watches the start of its task: the task's
first claim or the first save of its form's draft meets it, and its timer is cancelled (the audit
trail records ``deadline_met``); only a task nobody took up in time is escalated.
"""

from __future__ import annotations

from ...engine import TaskNotReady
from ...engine import UnknownTask
from ..cases.step import CaseStep

MET_BY = "met_by"
MET_AT_START = "start"


def start_deadlines(step: CaseStep, element_id: str) -> frozenset[str]:
    """The boundary timers of ``element_id`` that its start meets."""
    return frozenset(
        e.id
        for e in step.process.elements.values()
        if e.attached_to == element_id and e.properties.get(MET_BY) == MET_AT_START
    )


def meet_start_deadlines(step: CaseStep) -> None:
    """The step's task was taken up: cancel the timers watching its start that are still waiting."""
    task = step.task
    watched = start_deadlines(step, task.element_id) if task is not None else frozenset()
    if not watched:
        return
    try:
        snapshot = step.ctx.engine.meet_deadlines(step.process, step.instance.state, task.id, watched)
    except (TaskNotReady, UnknownTask):
        return
    if snapshot is None:
        return
    met = step.record("deadline_met", task.element_id, task_id=task.id, data={"timers": sorted(watched)})
    step.advance(snapshot, recorded=[met])
