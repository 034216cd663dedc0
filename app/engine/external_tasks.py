"""Service tasks done by outside workers (the external-task pattern of Camunda 7 and Flowable).

A service task that names a topic — ``spiffworkflow:property name="topic"`` or Camunda's
``camunda:type="external" camunda:topic="…"`` (converted here, at load) — does not run an operator:
SpiffWorkflow parses it as a manual task, so it waits READY like a user task until a worker that
fetched it completes it (or reports a BPMN error a boundary error event on it catches).
A service task without a topic is parsed as SpiffWorkflow's own (it must name an operator).
"""

from __future__ import annotations

from lxml import etree
from SpiffWorkflow.spiff.parser.task_spec import ServiceTaskParser
from SpiffWorkflow.spiff.specs.defaults import ManualTask

CAMUNDA = "http://camunda.org/schema/1.0/bpmn"
SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"
BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
TOPIC_PROPERTY = "topic"


def topic_of(node: etree._Element) -> str | None:
    """The topic a service task names, or None (not a service task, or one run by an operator)."""
    if etree.QName(node).localname != "serviceTask":
        return None
    if node.get(f"{{{CAMUNDA}}}type") == "external" and (node.get(f"{{{CAMUNDA}}}topic") or "").strip():
        return node.get(f"{{{CAMUNDA}}}topic").strip()
    ext = node.find(f"{{{BPMN}}}extensionElements")
    for prop in ext.iter(f"{{{SPIFF}}}property") if ext is not None else ():
        if prop.get("name") == TOPIC_PROPERTY and (prop.get("value") or "").strip():
            return prop.get("value").strip()
    return None


class ExternalTask(ManualTask):
    """A service task waiting for an outside worker: SpiffWorkflow's manual task, with its topic."""

    def __init__(self, wf_spec, bpmn_id, topic: str, **kwargs) -> None:
        super().__init__(wf_spec, bpmn_id, **kwargs)
        self.topic = topic


class ServiceOrExternalTaskParser(ServiceTaskParser):
    """A service task with a topic becomes an ``ExternalTask``; one without stays SpiffWorkflow's."""

    def create_task(self):
        topic = topic_of(self.node)
        if topic is None:
            return super().create_task()
        extensions = self.parse_extensions()
        return ExternalTask(
            self.spec,
            self.bpmn_id,
            topic,
            prescript=extensions.get("preScript"),
            postscript=extensions.get("postScript"),
            **self.bpmn_attributes,
        )
