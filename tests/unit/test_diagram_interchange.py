"""Every shape and edge of the seeds' diagrams draws an element the diagram has: a flow deleted from
the process but left in the layout is an "unresolved reference" a modeler reports on import."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

PROCESSES = Path(__file__).resolve().parents[2] / "processes"


@pytest.mark.parametrize("path", sorted(PROCESSES.glob("*.bpmn")), ids=lambda p: p.name)
def test_every_shape_and_edge_draws_an_element_of_the_diagram(path):
    tree = etree.parse(str(path))
    ids = {node.get("id") for node in tree.iter() if node.get("id")}
    drawn = [node.get("bpmnElement") for node in tree.iter() if node.get("bpmnElement")]
    assert [ref for ref in drawn if ref not in ids] == []
