"""Call activities into another file: the processes a diagram calls, found in the same deploy or
already deployed, and pinned to the version that calls them.

A call activity names a process id (``calledElement``). A process of the same file is SpiffWorkflow's
own business; one of another file is looked up by the deploy (``Resolver``: the files deployed
together first, then the latest deployed version of that key). The files reached, directly or
through the processes they call in turn, are kept with the caller's version (``ProcessDefinition.calls``)
and parsed beside it at run time, so a case runs the called process as it was when its version was
deployed, whatever is deployed later.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import replace
from typing import Any

from lxml import etree

from .catalogue import q
from .definitions import ElementInfo
from .diagram_forms import FormReader
from .safe_xml import UnsafeXml
from .safe_xml import parse_untrusted


@dataclass(frozen=True)
class CalledFile:
    """A diagram file that defines a process others may call, with the reader of its forms."""

    filename: str
    xml: bytes
    read_form: FormReader


Resolver = Callable[[str], CalledFile | None]  # process key -> the file that defines it, if any


def no_calls(_key: str) -> CalledFile | None:
    return None


def process_ids(root: etree._Element) -> set[str]:
    return {p.get("id") for p in root.findall(q("process")) if p.get("id")}


def called_keys(root: etree._Element) -> list[str]:
    """The process ids the call activities of the file name, in order, each once."""
    return list(dict.fromkeys(c.get("calledElement") for c in root.iter(q("callActivity")) if c.get("calledElement")))


def parsed(called: CalledFile) -> etree._Element | None:
    try:
        return parse_untrusted(called.xml)
    except UnsafeXml:
        return None


def files_called(root: etree._Element, resolve: Resolver) -> dict[str, tuple[CalledFile, etree._Element]]:
    """By file name: each other file the diagram's call activities reach, directly or through the
    processes they call. A process the file defines itself is never looked up elsewhere."""
    defined = process_ids(root)
    found: dict[str, tuple[CalledFile, etree._Element]] = {}
    wanted = [k for k in called_keys(root) if k not in defined]
    while wanted:
        key = wanted.pop(0)
        if key in defined:
            continue
        called = resolve(key)
        other = parsed(called) if called is not None else None
        if called is None or other is None or called.filename in found:
            continue
        found[called.filename] = (called, other)
        defined |= process_ids(other)
        wanted += [k for k in called_keys(other) if k not in defined]
    return found


def call_graph(roots: Iterator[etree._Element]) -> dict[str, list[tuple[etree._Element, str]]]:
    """Process id -> its call activities with the process each calls, over all ``roots``."""
    return {
        p.get("id"): [(c, c.get("calledElement")) for c in p.iter(q("callActivity"))]
        for root in roots
        for p in root.findall(q("process"))
    }


def with_called_elements(
    elements: dict[str, ElementInfo],
    forms: dict[str, dict[str, Any]],
    called: list[tuple[dict[str, ElementInfo], dict[str, dict[str, Any]]]],
) -> tuple[dict[str, ElementInfo], dict[str, dict[str, Any]]]:
    """The caller's catalogue and forms with those of the processes it calls (their tasks become
    the caller's case's tasks): marked as inside a subprocess, the caller's own element or form
    winning where an id or a form path is in both."""
    elements, forms = dict(elements), dict(forms)
    for their_elements, their_forms in called:
        for element_id, info in their_elements.items():
            elements.setdefault(element_id, replace(info, in_subprocess=True))
        for path, form in their_forms.items():
            forms.setdefault(path, form)
    return elements, forms
