"""What a deployed diagram is, as plain data the rest of the application can store and read."""

from __future__ import annotations

from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from ..errors import Problem

FORM_PROPERTY = "formJsonSchemaFilename"
SAME_PERFORMER_PROPERTY = "same_performer_as"  # a user task done by whoever did that earlier step


@dataclass(frozen=True)
class ElementInfo:
    """One flow node of a diagram, read from its XML (not from SpiffWorkflow's internals)."""

    id: str
    type: str  # BPMN tag without namespace: userTask, boundaryEvent, exclusiveGateway, ...
    name: str
    line: int
    lane: str | None = None  # lane id, e.g. lane_technician
    role: str | None = None  # role code from the lane, e.g. technician
    properties: dict[str, str] = field(default_factory=dict)
    attached_to: str | None = None  # boundary events: the activity they sit on
    cancel_activity: bool = True  # boundary events: interrupting or not
    timer: str | None = None  # timer expression (Python), if this is a timer event
    working_time: bool = False  # the timer's due time is counted with the work calendar
    message: str | None = None  # name of the message this event catches or throws
    instructions: str | None = None
    in_subprocess: bool = False  # inside a subprocess: its start event opens the subprocess, not a case

    @property
    def form(self) -> str | None:
        return self.properties.get(FORM_PROPERTY)

    @property
    def topic(self) -> str | None:
        """The topic outside workers fetch this service task by (engine/external_tasks.py), or None."""
        return self.properties.get("topic") if self.type == "serviceTask" else None

    @property
    def timer_kind(self) -> str | None:
        return self.properties.get("timer_kind")

    @property
    def role_from(self) -> str | None:
        """The case variable naming the department whose role works this task (instead of the lane's)."""
        return self.properties.get("role_from")

    @property
    def same_performer_as(self) -> str | None:
        """The user task (spec id) whose performer in the case is given this task too."""
        return self.properties.get(SAME_PERFORMER_PROPERTY)

    @property
    def clause(self) -> str | None:
        return self.properties.get("clause")

    @property
    def deadline_of(self) -> str | None:
        """The task a timer is the deadline of: the activity a boundary timer sits on, or for a timer
        that waits beside the work (a watch branch), the task its ``deadline_of`` property names."""
        return self.attached_to or self.properties.get("deadline_of")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ElementInfo:
        return cls(**data)


@dataclass(frozen=True)
class ProcessDefinition:
    """A validated diagram with its forms: everything needed to deploy one version."""

    key: str
    name: str
    filename: str
    xml: bytes
    content_hash: str
    elements: dict[str, ElementInfo]
    forms: dict[str, dict[str, Any]]  # form path (as named in the diagram) -> JSON Schema
    warnings: tuple[Problem, ...] = ()  # the house conventions it breaks (advice, shown at deploy)
    calls: dict[str, bytes] = field(default_factory=dict)  # the other files its call activities reach, by name

    def element(self, element_id: str) -> ElementInfo | None:
        return self.elements.get(element_id)

    def form_of(self, element_id: str) -> dict[str, Any] | None:
        info = self.elements.get(element_id)
        return self.forms.get(info.form) if info and info.form else None
