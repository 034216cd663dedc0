"""WorkflowEngine: start a case, complete a task, fire due timers — plain data in, plain data out.

Every call takes the stored state of one instance and returns a ``Snapshot``: the new state,
the ready user tasks, the waiting timers with their due times, and the engine events that
happened (elements completed, timers fired, tasks cancelled, errors). The caller persists all
of it in one transaction. The engine may be shared between threads; parsed specs are cached per
deployed version, and the workflows of recent steps are kept alive (engine/live_cache.py) so that
a case's next step need not restore its state from JSON — the stored state stays the only truth.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import datetime
from typing import Any
from typing import Protocol
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import ErrorEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition as BaseMessageDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import EventBasedGateway
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import MultiInstanceTask
from SpiffWorkflow.bpmn.util.event import BpmnEvent
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.exceptions import TaskNotFoundException
from SpiffWorkflow.exceptions import WorkflowException
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.util.task import TaskState

from ..clock import Clock
from .live_cache import LiveWorkflows
from .loader import parse_specs
from .replay import RecordedStep
from .replay import ReplayResult
from .replay import replay
from .replay import reset_to
from .scripting import make_script_engine
from .scripting import step_budget
from .serialization import WorkflowCodec
from .timeclock import install_clock

# Faults a diagram causes that SpiffWorkflow 3.2.0 does not wrap in its own exceptions: a service task
# whose operator no one provides raises NotImplementedError, then a NameError from its result.
DIAGRAM_FAULTS = (NotImplementedError, NameError, LookupError, TypeError, ValueError, AttributeError)


def _fault(exc: Exception) -> WorkflowException:
    """A diagram's fault SpiffWorkflow did not wrap, as the case's error reason."""
    return WorkflowException(f"the engine failed on this diagram: {type(exc).__name__}: {exc}")


class DeployedVersion(Protocol):
    """What the engine needs to know about a stored version."""

    id: int
    process_key: str
    filename: str
    bpmn_xml: bytes
    calls: Mapping[str, str]  # the other files its call activities reach: file name -> diagram text


class TaskNotReady(Exception):
    """The task exists but cannot be completed now (already done, cancelled, or not a user task)."""


class UnknownTask(Exception):
    """No task with this id in the instance."""


@dataclass(frozen=True)
class ReadyTask:
    id: str
    element_id: str
    name: str
    lane: str | None
    # One instance of a multi-instance task holds its item (e.g. the person it is for) in its own
    # ``data``; the case data holds only the last item's value.
    multi_instance: bool = False
    # The timers sitting on this very task (its boundary events): one per instance of a
    # multi-instance step, so each instance is due by its own item's date.
    timer_ids: frozenset[str] = frozenset()
    # What this task sees: for an instance of a multi-instance step, the case data with its own item.
    data: dict[str, Any] = field(default_factory=dict, compare=False)
    # A service task done by an outside worker (engine/external_tasks.py): the topic it is fetched by.
    topic: str | None = None


@dataclass(frozen=True)
class WaitingTimer:
    task_id: str
    element_id: str
    name: str
    due_at: datetime


@dataclass(frozen=True)
class EngineEvent:
    type: str  # element_completed, timer_fired, task_cancelled, error
    element_id: str | None
    task_id: str | None = None
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ThrownMessage:
    """A message the instance sent that nothing inside it catches: the application routes it."""

    name: str
    payload: Any
    element_id: str | None = None


@dataclass
class Snapshot:
    state: str  # SpiffWorkflow's JSON without the spec
    serializer_version: str
    status: str  # running, completed, error
    data: dict[str, Any]
    ready_tasks: list[ReadyTask]
    timers: list[WaitingTimer]
    events: list[EngineEvent]
    error: str | None = None
    messages: list[ThrownMessage] = field(default_factory=list)

    @property
    def next_timer_at(self) -> datetime | None:
        return min((t.due_at for t in self.timers), default=None)


def _is_instance_of_multi(task) -> bool:
    return isinstance(getattr(task.parent, "task_spec", None), MultiInstanceTask)


def _waits_for_time(task) -> bool:
    definition = getattr(task.task_spec, "event_definition", None)
    definitions = definition.event_definitions if isinstance(definition, MultipleEventDefinition) else [definition]
    return any(isinstance(d, TimerEventDefinition) for d in definitions)


def _timer_due(task) -> datetime | None:
    if not _waits_for_time(task):
        return None
    value = task.internal_data.get("event_value")
    if isinstance(value, dict):  # cycle timer
        value = value.get("next") if value.get("cycles") != 0 else None
    if not value:
        return None
    due = TimerEventDefinition.get_datetime(value)  # may be an instance of the clock's datetime subclass
    return datetime.fromtimestamp(due.timestamp(), UTC)


def _once_per_firing(events: list[EngineEvent]) -> list[EngineEvent]:
    """A timer seen both completing and starting its path is one firing."""
    seen: set[str | None] = set()
    kept = []
    for event in events:
        if event.type == "timer_fired":
            if event.task_id in seen:
                continue
            seen.add(event.task_id)
        kept.append(event)
    return kept


def _is_timer(task) -> bool:
    return isinstance(task.task_spec, CatchingEvent) and _timer_due(task) is not None


def _frontier_data(workflow: BpmnWorkflow) -> dict[str, Any]:
    """The case data of a running workflow: what its waiting and ready tasks hold, the most recently
    reached winning. Each task of SpiffWorkflow carries its own copy of the data; with parallel paths
    the last task that ran may be on a side path (a watch that just ended) holding older values."""
    frontier = [
        t
        for t in workflow.get_tasks(state=TaskState.READY | TaskState.WAITING)
        if getattr(t.task_spec, "bpmn_id", None) is not None
    ]
    if not frontier:
        return workflow.last_task.data if workflow.last_task else {}
    merged: dict[str, Any] = {}
    for task in sorted(frontier, key=lambda t: t.last_state_change or 0):
        merged.update(task.data)
    return merged


def _boundary_timer_ids(task) -> frozenset[str]:
    """The waiting boundary timers attached to ``task`` (its siblings under SpiffWorkflow's boundary split)."""
    parent = task.parent
    if parent is None:
        return frozenset()
    return frozenset(
        str(c.id)
        for c in parent.children
        if c is not task and c.state == TaskState.WAITING and isinstance(c.task_spec, CatchingEvent)
    )


def _timer_branch(task):
    """The timer event an event-based gateway waits for, beside its other events (None otherwise).

    SpiffWorkflow moves the events of the gateway's branches onto the gateway: the gateway's task is
    the one waiting, so the timer is named after its branch, and it fired only if that branch was taken.
    """
    spec = task.task_spec
    if not isinstance(spec, EventBasedGateway):
        return None
    for index, definition in enumerate(spec.event_definition.event_definitions):
        if isinstance(definition, TimerEventDefinition):
            return spec.outputs[index]
    return None


class WorkflowEngine:
    """The only door to SpiffWorkflow."""

    def __init__(
        self, clock: Clock, helpers: Mapping[str, Callable[..., Any]] | None = None, *, live_workflows: int = 256
    ) -> None:
        """:param live_workflows: how many workflows of recent steps to keep alive (0: restore every time)"""
        install_clock(clock)
        self._script_engine = make_script_engine(helpers)
        self._codec = WorkflowCodec()
        self._specs: dict[int, tuple] = {}
        self._specs_lock = threading.Lock()
        self.live = LiveWorkflows(live_workflows)

    def use_clock(self, clock: Clock) -> None:
        """Timers read ``clock`` from now on (the demo replays history with a clock in the past)."""
        install_clock(clock)

    @property
    def serializer_version(self) -> str:
        return self._codec.version

    @property
    def script_names(self) -> frozenset[str]:
        """Names diagram code sees besides the case data: the helpers, the builtins and the sandbox's
        guards. A case variable of one of these names would shadow them or stop the scripts."""
        env = self._script_engine.environment.globals
        builtins = env.get("__builtins__")
        return frozenset(env) | (frozenset(builtins) if isinstance(builtins, dict) else frozenset())

    # -- specs -------------------------------------------------------------------------------
    def _specs_of(self, version: DeployedVersion) -> tuple:
        specs = self._specs.get(version.id)
        if specs is None:
            xml = version.bpmn_xml if isinstance(version.bpmn_xml, bytes) else version.bpmn_xml.encode()
            calls = {name: text.encode() for name, text in (getattr(version, "calls", None) or {}).items()}
            specs = parse_specs(xml, version.process_key, version.filename, calls)
            with self._specs_lock:
                self._specs[version.id] = specs
        return specs

    def _restore(self, version: DeployedVersion, state: str) -> BpmnWorkflow:
        """The workflow in ``state``, owned by the caller (hand it back with ``_keep`` if unchanged)."""
        workflow = self.live.take(version.id, state)
        if workflow is not None:
            return workflow
        spec, subprocess_specs = self._specs_of(version)
        workflow = self._codec.load(state, spec, subprocess_specs)
        workflow.script_engine = self._script_engine
        return workflow

    def _keep(self, version: DeployedVersion, state: str, workflow: BpmnWorkflow) -> None:
        self.live.keep(version.id, state, workflow)

    # -- use cases ---------------------------------------------------------------------------
    def start(
        self, version: DeployedVersion, data: Mapping[str, Any], *, message: str | None = None, payload: Any = None
    ) -> Snapshot:
        """A new instance with ``data``; ``message`` is delivered to its message start event."""
        spec, subprocess_specs = self._specs_of(version)
        workflow = BpmnWorkflow(spec, subprocess_specs, script_engine=self._script_engine)
        first = workflow.get_next_task(state=TaskState.READY)
        first.data.update(data)
        if message is None:
            return self._advance(workflow, {}, version)
        with step_budget():
            try:
                workflow.do_engine_steps()
                workflow.send_event(BpmnEvent(MessageEventDefinition(message), payload))
            except SpiffWorkflowException as exc:
                return self._snapshot(workflow, {}, error=exc, version=version)
            except DIAGRAM_FAULTS as exc:
                return self._snapshot(workflow, {}, error=_fault(exc), version=version)
            return self._advance(workflow, {}, version)

    def complete_task(
        self,
        version: DeployedVersion,
        state: str,
        task_id: str,
        prepare: Callable[[dict[str, Any]], Mapping[str, Any]],
    ) -> tuple[Snapshot, Mapping[str, Any]]:
        """Complete a ready user task with ``prepare(case data it sees)``'s result.

        ``prepare`` validates the submitted form against what the task sees and returns the
        data to merge; whatever it raises propagates and nothing happens.
        """
        workflow = self._restore(version, state)
        try:  # nothing below changes the workflow until the form data is merged
            try:
                task = workflow.get_task_from_id(UUID(task_id))
            except (TaskNotFoundException, ValueError):
                raise UnknownTask(task_id) from None
            if not task.task_spec.manual:
                raise TaskNotReady(f"{task.task_spec.bpmn_id} is not a user task")
            if task.state != TaskState.READY:
                raise TaskNotReady(f"task {task_id} is {TaskState.get_name(task.state).lower()}, not ready")
            data = prepare(dict(task.data))
        except Exception:
            self._keep(version, state, workflow)
            raise
        before = self._states(workflow)
        task.data.update(data)
        with step_budget():  # the task's own post-script and the engine steps after it
            try:
                task.run()
            except SpiffWorkflowException as exc:
                return self._snapshot(workflow, before, error=exc, version=version), data
            except DIAGRAM_FAULTS as exc:
                return self._snapshot(workflow, before, error=_fault(exc), version=version), data
            return self._advance(workflow, before, version), data

    def throw_error(
        self, version: DeployedVersion, state: str, task_id: str, code: str, data: Mapping[str, Any]
    ) -> Snapshot:
        """A BPMN error with ``code`` reported on ready task ``task_id`` (an outside worker's business
        error): the boundary error event on it that catches the code takes over, with ``data`` merged
        into the case data. TaskNotReady if no boundary error event on the task catches it."""
        workflow = self._restore(version, state)
        try:
            try:
                task = workflow.get_task_from_id(UUID(task_id))
            except (TaskNotFoundException, ValueError):
                raise UnknownTask(task_id) from None
            if task.state != TaskState.READY or not task.task_spec.manual:
                raise TaskNotReady(f"task {task_id} is {TaskState.get_name(task.state).lower()}, not ready")
            catchers = [
                c
                for c in (task.parent.children if task.parent is not None else [])
                if c is not task
                and c.state == TaskState.WAITING
                and isinstance(getattr(c.task_spec, "event_definition", None), ErrorEventDefinition)
                and c.task_spec.event_definition.code in (None, code)
            ]
            if not catchers:
                raise TaskNotReady(f"no boundary error event on {task.task_spec.bpmn_id} catches error code {code!r}")
        except Exception:
            self._keep(version, state, workflow)
            raise
        before = self._states(workflow)
        catcher = catchers[0]
        thrown = copy.copy(catcher.task_spec.event_definition)
        thrown.code = code
        for each in (task, catcher):
            each.data.update(data)
        with step_budget():
            try:
                catcher.task_spec.catch(catcher, BpmnEvent(thrown, payload=dict(data)))
                catcher.task_spec._update(catcher)
            except SpiffWorkflowException as exc:
                return self._snapshot(workflow, before, error=exc, version=version)
            except DIAGRAM_FAULTS as exc:
                return self._snapshot(workflow, before, error=_fault(exc), version=version)
        return self._advance(workflow, before, version)

    def fire_timers(self, version: DeployedVersion, state: str) -> Snapshot:
        workflow = self._restore(version, state)
        return self._advance(workflow, self._states(workflow), version)

    def replay(
        self,
        version: DeployedVersion,
        start_data: Mapping[str, Any],
        steps: Sequence[RecordedStep],
        *,
        recorded_completed: bool,
        message: str | None = None,
        payload: Any = None,
    ) -> ReplayResult:
        """Replay a recorded path through a shadow instance of ``version`` (see engine/replay.py)."""
        spec, subprocess_specs = self._specs_of(version)
        workflow = BpmnWorkflow(spec, subprocess_specs, script_engine=self._script_engine)
        workflow.get_next_task(state=TaskState.READY).data.update(start_data)
        return replay(workflow, steps, recorded_completed=recorded_completed, message=message, payload=payload)

    def retry(self, version: DeployedVersion, state: str, data: Mapping[str, Any] | None = None) -> Snapshot:
        """Run the failed step of an instance in error again, with ``data`` patched into what it sees."""
        workflow = self._restore(version, state)
        failed = workflow.get_tasks(state=TaskState.ERROR)
        if not failed:
            raise TaskNotReady("the case has no failed step to retry")
        before = self._states(workflow)
        for task in failed:
            # A task made ready again inherits its parent's data, so the correction goes there.
            source = task.parent if task.parent is not None else task
            source.data.update(data or {})
            reset_to(workflow, task.id)
        return self._advance(workflow, before, version)

    def set_timer_due(self, version: DeployedVersion, state: str, timer_task_id: str, due: datetime) -> Snapshot:
        """Move a waiting timer to ``due`` (an administrator changing a deadline)."""
        workflow = self._restore(version, state)
        try:
            task = workflow.get_task_from_id(UUID(timer_task_id))
        except (TaskNotFoundException, ValueError):
            raise UnknownTask(timer_task_id) from None
        if task.state != TaskState.WAITING or _timer_due(task) is None:
            raise TaskNotReady(f"{task.task_spec.bpmn_id} is not a waiting timer")
        task.internal_data["event_value"] = due.isoformat()
        return self._advance(workflow, self._states(workflow), version)

    def meet_deadlines(
        self, version: DeployedVersion, state: str, task_id: str, element_ids: frozenset[str]
    ) -> Snapshot | None:
        """Cancel the waiting boundary timers ``element_ids`` of a ready task: the deadline they watch
        was met (an investigation started in time); None when none of them is waiting any more."""
        workflow = self._restore(version, state)
        try:
            task = workflow.get_task_from_id(UUID(task_id))
        except (TaskNotFoundException, ValueError):
            raise UnknownTask(task_id) from None
        waiting = [
            c
            for c in (task.parent.children if task.parent is not None else [])
            if c is not task
            and c.state == TaskState.WAITING
            and isinstance(c.task_spec, CatchingEvent)
            and c.task_spec.bpmn_id in element_ids
        ]
        if task.state != TaskState.READY or not waiting:
            self._keep(version, state, workflow)
            return None
        before = self._states(workflow)
        for timer in waiting:
            timer.cancel()
        return self._snapshot(workflow, before, version=version)

    def repeat_from(self, version: DeployedVersion, state: str, element_id: str) -> Snapshot:
        """Move the token back to a step already done (it becomes ready again; what came after is undone)."""
        workflow = self._restore(version, state)
        done = [
            t
            for t in workflow.get_tasks(state=TaskState.COMPLETED)
            if getattr(t.task_spec, "bpmn_id", None) == element_id and t.task_spec.manual
        ]
        if not done:
            raise TaskNotReady(f"{element_id} has not been done in this case, so it cannot be repeated")
        before = self._states(workflow)
        reset_to(workflow, max(done, key=lambda t: t.last_state_change or 0).id)
        return self._advance(workflow, before, version)

    def rebuild(
        self,
        version: DeployedVersion,
        start_data: Mapping[str, Any],
        steps: Sequence[RecordedStep],
        *,
        message: str | None = None,
        payload: Any = None,
        timer_due: Mapping[str, datetime] | None = None,
    ) -> tuple[ReplayResult, Snapshot]:
        """A case's recorded path replayed on ``version``: the state it would have there (migration).

        Timers waiting in the rebuilt instance keep the due times the case had (``timer_due`` by
        element id) instead of being counted again from now.
        """
        spec, subprocess_specs = self._specs_of(version)
        workflow = BpmnWorkflow(spec, subprocess_specs, script_engine=self._script_engine)
        workflow.get_next_task(state=TaskState.READY).data.update(start_data)
        result = replay(workflow, steps, recorded_completed=False, message=message, payload=payload)
        for task in workflow.get_tasks(state=TaskState.WAITING, spec_class=CatchingEvent):
            due = (timer_due or {}).get(task.task_spec.bpmn_id)
            if due is not None and "event_value" in task.internal_data:
                task.internal_data["event_value"] = due.isoformat()
        return result, self._snapshot(workflow, self._states(workflow))  # history is not new: no events

    def awaited_messages(self, version: DeployedVersion, state: str) -> frozenset[str]:
        """The names of the messages the instance waits for now (intermediate catch events, receive
        tasks, boundary events, the branches of an event-based gateway)."""
        workflow = self._restore(version, state)
        try:
            names = set()
            for task in workflow.get_tasks(state=TaskState.WAITING, spec_class=CatchingEvent):
                definition = task.task_spec.event_definition
                parts = (
                    definition.event_definitions if isinstance(definition, MultipleEventDefinition) else [definition]
                )
                names |= {d.name for d in parts if isinstance(d, BaseMessageDefinition)}
            return frozenset(names)
        finally:
            self._keep(version, state, workflow)  # only read

    def deliver_message(self, version: DeployedVersion, state: str, name: str, payload: Any) -> Snapshot:
        """Deliver message ``name`` with ``payload`` (into the catch event's message variable) and run on."""
        workflow = self._restore(version, state)
        before = self._states(workflow)
        with step_budget():
            try:
                workflow.send_event(BpmnEvent(MessageEventDefinition(name), payload))
            except SpiffWorkflowException as exc:
                return self._snapshot(workflow, before, error=exc, version=version)
            except DIAGRAM_FAULTS as exc:
                return self._snapshot(workflow, before, error=_fault(exc), version=version)
        return self._advance(workflow, before, version)

    def task_data(self, version: DeployedVersion, state: str, task_id: str) -> dict[str, Any]:
        """The case data a ready task sees (for rendering its form)."""
        workflow = self._restore(version, state)
        try:
            return dict(workflow.get_task_from_id(UUID(task_id)).data)
        except (TaskNotFoundException, ValueError):
            raise UnknownTask(task_id) from None
        finally:
            self._keep(version, state, workflow)  # only read

    # -- internals ---------------------------------------------------------------------------
    @staticmethod
    def _states(workflow: BpmnWorkflow) -> dict[UUID, int]:
        return {task.id: task.state for task in workflow.get_tasks()}

    def _advance(self, workflow: BpmnWorkflow, before: dict[UUID, int], version: DeployedVersion) -> Snapshot:
        """Run the engine steps; the scripts and conditions of one step share a budget (scripting.py)."""
        with step_budget():
            try:
                workflow.refresh_timers()
                workflow.do_engine_steps()
            except SpiffWorkflowException as exc:
                return self._snapshot(workflow, before, error=exc, version=version)
            except DIAGRAM_FAULTS as exc:  # SpiffWorkflow 3.2.0 lets some escape unwrapped (a service task's call)
                return self._snapshot(workflow, before, error=_fault(exc), version=version)
        return self._snapshot(workflow, before, version=version)

    def _snapshot(
        self,
        workflow: BpmnWorkflow,
        before: dict[UUID, int],
        error: SpiffWorkflowException | None = None,
        version: DeployedVersion | None = None,
    ) -> Snapshot:
        """What ``workflow`` did since ``before``; with ``version``, the workflow is kept alive for the next step."""
        events: list[EngineEvent] = []
        changed = []
        ready, timers = [], []
        for task in workflow.get_tasks():
            element_id = getattr(task.task_spec, "bpmn_id", None)
            if element_id is None:
                continue  # SpiffWorkflow's internal tasks
            if task.state != before.get(task.id):
                changed.append(task)
            if task.state == TaskState.READY and task.task_spec.manual:
                ready.append(
                    ReadyTask(
                        str(task.id),
                        element_id,
                        task.task_spec.bpmn_name or element_id,
                        task.task_spec.lane,
                        _is_instance_of_multi(task),
                        _boundary_timer_ids(task),
                        task.data,
                        getattr(task.task_spec, "topic", None),
                    )
                )
            elif task.state == TaskState.WAITING and isinstance(task.task_spec, CatchingEvent):
                due = _timer_due(task)
                if due is not None:
                    named = _timer_branch(task) or task.task_spec
                    timers.append(WaitingTimer(str(task.id), named.bpmn_id, named.bpmn_name or named.bpmn_id, due))
        cycled: set[UUID] = set()
        for task in sorted(changed, key=lambda t: t.last_state_change or 0):
            element_id = task.task_spec.bpmn_id
            timer = task.parent
            if (
                task.id not in before
                and timer is not None
                and timer.state in (TaskState.WAITING, TaskState.READY, TaskState.COMPLETED)
                and isinstance(timer.task_spec, CatchingEvent)
                and _waits_for_time(timer)
                and before.get(timer.id) == TaskState.WAITING
                and timer.id not in cycled
            ):
                # A cycle timer fires by adding a path after itself and staying WAITING for its next period.
                cycled.add(timer.id)
                events.append(EngineEvent("timer_fired", timer.task_spec.bpmn_id, str(timer.id)))
            gateway = task.parent
            if task.state == TaskState.COMPLETED and gateway is not None and _timer_branch(gateway) is task.task_spec:
                # The timer branch of an event-based gateway ran: that is the firing of the gateway's timer.
                events.append(EngineEvent("timer_fired", element_id, str(gateway.id)))
            elif task.state == TaskState.COMPLETED and _timer_branch(task) is not None:
                events.append(EngineEvent("element_completed", element_id, str(task.id)))
            elif task.state == TaskState.COMPLETED:
                kind = "timer_fired" if _is_timer(task) else "element_completed"
                events.append(EngineEvent(kind, element_id, str(task.id)))
            elif task.state == TaskState.CANCELLED and before.get(task.id) in (TaskState.READY, TaskState.WAITING):
                kind = "timer_cancelled" if _is_timer(task) else "task_cancelled"
                events.append(EngineEvent(kind, element_id, str(task.id)))
        events = _once_per_firing(events)
        message = None
        if error is not None:
            failed = getattr(error, "task", None)
            message = str(error).splitlines()[0] if str(error) else error.__class__.__name__
            events.append(
                EngineEvent(
                    "error",
                    getattr(getattr(failed, "task_spec", None), "bpmn_id", None),
                    str(failed.id) if failed is not None else None,
                    {"message": message, "detail": error.__class__.__name__},
                )
            )
        messages = [
            ThrownMessage(e.event_definition.name, e.payload)
            for e in workflow.get_events()
            if isinstance(e.event_definition, BaseMessageDefinition)
        ]
        status = "error" if error is not None else ("completed" if workflow.completed else "running")
        data = workflow.data if workflow.completed else _frontier_data(workflow)
        data = copy.deepcopy(data)  # the workflow may live on: nothing the caller does may reach into it
        state = self._codec.dump(workflow)
        if version is not None and not workflow.completed:
            self._keep(version, state, workflow)
        return Snapshot(
            state=state,
            serializer_version=self._codec.version,
            status=status,
            data=data,
            ready_tasks=ready,
            timers=timers,
            events=events,
            error=message,
            messages=messages,
        )
