"""Reading and validating diagrams: a bad diagram is refused whole, with file, element, line, reason.

``load_definition`` parses the diagram safely (no DTD or entities, size limit, a
``bpmn:definitions`` root), then runs the rule table (``rules.RULES``) in order over a
``DiagramContext``: the stopping rules first (one executable process named like its file, no
construct SpiffWorkflow 3.2.0 cannot run, the BPMN 2.0 + spiffworkflow XSD and SpiffWorkflow's
parser), then the project's conventions (docs/diagram-conventions.md), the forms, active content
and the lint of scripts and timers. Every problem found is a ``Problem`` row; if there is one, the
diagram is refused with all of them, else it becomes a ``ProcessDefinition``.

Where each job lives: the element catalogue in ``catalogue.py``, forms in ``diagram_forms.py``,
reachability in ``flow_paths.py``, the code lint in ``script_lint.py``, SpiffWorkflow's parser in
``spiff_specs.py``; the rules themselves in ``rules.py``.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from lxml import etree

from ..errors import DiagramError
from ..errors import Problem
from .catalogue import q
from .definitions import ProcessDefinition
from .diagram_context import DiagramContext
from .diagram_forms import FormReader
from .rules import run_rules
from .safe_xml import DTD_REFUSED
from .safe_xml import UnsafeXml
from .safe_xml import parse_untrusted
from .spiff_specs import parse_specs as parse_specs

MAX_DIAGRAM_BYTES = 2 * 1024 * 1024


def parse_diagram(xml: bytes, filename: str) -> etree._Element:
    """The root of a diagram from outside, parsed safely; DiagramError if it is unsafe or not BPMN."""
    if len(xml) > MAX_DIAGRAM_BYTES:
        raise DiagramError([Problem(filename, f"diagram is {len(xml)} bytes; the limit is {MAX_DIAGRAM_BYTES}")])
    try:
        root = parse_untrusted(xml)
    except UnsafeXml as exc:
        reason = f"{exc.message} in a diagram" if exc.message == DTD_REFUSED else exc.message
        raise DiagramError([Problem(filename, reason, line=exc.line)]) from None
    if root.tag != q("definitions"):
        raise DiagramError([Problem(filename, f"root element is {root.tag}, expected bpmn:definitions")])
    return root


def load_definition(filename: str, xml: bytes, read_form: FormReader) -> ProcessDefinition:
    """Validate one diagram and its forms; raise DiagramError listing every problem found."""
    ctx = DiagramContext(filename, xml, parse_diagram(xml, filename), read_form)
    problems = run_rules(ctx)
    if problems:
        raise DiagramError(problems)
    digest = hashlib.sha256(xml)
    for path in sorted(ctx.forms):
        digest.update(path.encode() + json.dumps(ctx.forms[path], sort_keys=True).encode())
    return ProcessDefinition(
        key=ctx.key,
        name=ctx.process.get("name") or ctx.key,
        filename=filename,
        xml=xml,
        content_hash=digest.hexdigest(),
        elements=ctx.elements,
        forms=ctx.forms,
    )


def load_directory(directory: str | Path) -> list[ProcessDefinition]:
    """Validate every ``*.bpmn`` in ``directory``; if any is bad, refuse them all."""
    base = Path(directory)

    def read_form(path: str) -> bytes:
        target = (base / path).resolve()
        if base.resolve() not in target.parents:
            raise FileNotFoundError(path)
        return target.read_bytes()

    definitions, problems = [], []
    for path in sorted(base.glob("*.bpmn")):
        try:
            definitions.append(load_definition(path.name, path.read_bytes(), read_form))
        except DiagramError as exc:
            problems += exc.problems
    if problems:
        raise DiagramError(problems)
    return definitions
