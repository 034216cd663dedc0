"""Reading and validating diagrams: a bad diagram is refused whole, with file, element, line, reason.

``load_definitions`` parses the diagram safely (no DTD or entities, size limit, a
``bpmn:definitions`` root), then, for each executable process of the file (a collaboration holds
several; each is deployed under its process id), runs the rule table (``rules.RULES``) in order
over a ``DiagramContext``: the stopping rules first (an executable process, no construct
SpiffWorkflow 3.2.0 cannot run, the BPMN 2.0 + spiffworkflow XSD and SpiffWorkflow's parser), then
the project's conventions (docs/diagram-conventions.md), the forms, active content and the lint of
scripts and timers. Every problem found is a ``Problem`` row. An error refuses the file with all
of them; a convention's warning is kept on the ``ProcessDefinition`` (shown at deploy), unless the
load is ``strict``, which refuses warnings too (the project's own ``processes/``).

Where each job lives: the element catalogue in ``catalogue.py``, forms in ``diagram_forms.py``,
reachability in ``flow_paths.py``, the code lint in ``script_lint.py``, SpiffWorkflow's parser in
``spiff_specs.py``; the rules themselves in ``rules.py``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path

from lxml import etree

from ..domain.diagram_problems import problem
from ..errors import DiagramError
from ..errors import Problem
from ..errors import Severity
from .called_processes import CalledFile
from .called_processes import Resolver
from .called_processes import no_calls
from .called_processes import parsed
from .catalogue import q
from .definitions import ProcessDefinition
from .diagram_context import DiagramContext
from .diagram_context import executable_processes
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
        raise DiagramError([problem(filename, "diagram-too-large", size=len(xml), limit=MAX_DIAGRAM_BYTES)])
    try:
        root = parse_untrusted(xml)
    except UnsafeXml as exc:
        code = "diagram-dtd" if exc.message == DTD_REFUSED else "diagram-unsafe"
        raise DiagramError([problem(filename, code, line=exc.line, detail=exc.message)]) from None
    if root.tag != q("definitions"):
        raise DiagramError([problem(filename, "diagram-not-bpmn", tag=root.tag)])
    return root


def load_definitions(
    filename: str,
    xml: bytes,
    read_form: FormReader,
    *,
    strict: bool = False,
    resolve: Resolver = no_calls,
    lane_roles: Mapping[str, Mapping[str, str]] | None = None,
) -> list[ProcessDefinition]:
    """Validate one diagram file, each of its executable processes, and their forms. ``resolve``
    finds the file of a process of another file that a call activity names (``called_processes``);
    ``lane_roles`` is the process owner's mapping (process key -> lane id -> role), which gives a
    lane's tasks their role over what the diagram names.

    Raises DiagramError listing every problem found if one is an error (or, ``strict``, any)."""
    root = parse_diagram(xml, filename)
    count = len(executable_processes(root)) or 1
    contexts = [DiagramContext(filename, xml, root, read_form, i, resolve, lane_roles or {}) for i in range(count)]
    found = [run_rules(ctx) for ctx in contexts]
    problems = list(dict.fromkeys(p for rows in found for p in rows))  # a rule over the whole file runs per process
    if any(p.severity is Severity.ERROR for p in problems) or (strict and problems):
        raise DiagramError(problems)
    return [_definition(ctx, tuple(rows)) for ctx, rows in zip(contexts, found, strict=True)]


def load_definition(
    filename: str,
    xml: bytes,
    read_form: FormReader,
    *,
    strict: bool = False,
    resolve: Resolver = no_calls,
    lane_roles: Mapping[str, Mapping[str, str]] | None = None,
) -> ProcessDefinition:
    """Validate a diagram of one executable process (the workbench's); see ``load_definitions``."""
    definitions = load_definitions(filename, xml, read_form, strict=strict, resolve=resolve, lane_roles=lane_roles)
    if len(definitions) != 1:
        keys = ", ".join(d.key for d in definitions)
        raise DiagramError([problem(filename, "one-process-expected", count=len(definitions), keys=keys)])
    return definitions[0]


def _definition(ctx: DiagramContext, warnings: tuple[Problem, ...]) -> ProcessDefinition:
    digest = hashlib.sha256(xml := ctx.xml)
    if len(ctx.executable_processes) > 1:  # the same file, another process (one alone: hashes stay as they were)
        digest.update(ctx.key.encode())
    elements, forms = ctx.deployed
    for path in sorted(forms):
        digest.update(path.encode() + json.dumps(forms[path], sort_keys=True).encode())
    calls = ctx.calls
    for name in sorted(calls):  # a caller pins the called files: a change there is a new version here
        digest.update(name.encode() + calls[name])
    return ProcessDefinition(
        key=ctx.key,
        name=ctx.process.get("name") or ctx.key,
        filename=ctx.filename,
        xml=xml,
        content_hash=digest.hexdigest(),
        elements=elements,
        forms=forms,
        warnings=warnings,
        calls=calls,
    )


def load_directory(
    directory: str | Path,
    *,
    strict: bool = False,
    deployed: Resolver = no_calls,
    lane_roles: Mapping[str, Mapping[str, str]] | None = None,
) -> list[ProcessDefinition]:
    """Validate every ``*.bpmn`` in ``directory``; if any is bad, refuse them all. A call activity
    calls a process of the set, else one ``deployed``."""
    base = Path(directory)

    def read_form(path: str) -> bytes:
        target = (base / path).resolve()
        if base.resolve() not in target.parents:
            raise FileNotFoundError(path)
        return target.read_bytes()

    files = sorted(base.glob("*.bpmn"))
    return load_set(
        [(p.name, p.read_bytes()) for p in files], read_form, strict=strict, deployed=deployed, lane_roles=lane_roles
    )


def load_set(
    files: list[tuple[str, bytes]],
    read_form: FormReader,
    *,
    strict: bool = False,
    deployed: Resolver = no_calls,
    lane_roles: Mapping[str, Mapping[str, str]] | None = None,
) -> list[ProcessDefinition]:
    """Validate diagram files deployed together, all or none: a call activity calls a process of the
    set, else one ``deployed``; a process id in two files of the set is refused."""
    resolve = set_resolver([(name, xml, read_form) for name, xml in files], deployed)
    definitions: list[ProcessDefinition] = []
    problems: list[Problem] = []
    for name, xml in files:
        try:
            definitions += load_definitions(name, xml, read_form, strict=strict, resolve=resolve, lane_roles=lane_roles)
        except DiagramError as exc:
            problems += exc.problems
    keys = [d.key for d in definitions]
    problems += [
        problem(d.filename, "process-id-in-set", key=repr(d.key))
        for i, d in enumerate(definitions)
        if d.key in keys[:i]
    ]
    if problems:
        raise DiagramError(problems)
    return definitions


def set_resolver(files: list[tuple[str, bytes, FormReader]], deployed: Resolver = no_calls) -> Resolver:
    """A resolver over the executable processes of ``files`` deployed together, then ``deployed``."""
    in_set: dict[str, CalledFile] = {}
    for name, xml, read_form in files:
        called = CalledFile(name, xml, read_form)
        root = parsed(called)
        for process in executable_processes(root) if root is not None else []:
            in_set.setdefault(process.get("id"), called)

    def resolve(key: str) -> CalledFile | None:
        return in_set.get(key) or deployed(key)

    return resolve
