"""What the validation rules read of one diagram, each part computed the first time a rule asks.

The rules run in order (``rules.RULES``): a part is only asked for once the rules it depends on
have passed (``process`` after one executable process was found, ``specs`` by the rule that
reports SpiffWorkflow's parser), so a part never has to cope with a diagram a stopping rule refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace
from functools import cached_property
from pathlib import Path
from typing import Any

from lxml import etree

from ..errors import Problem
from .called_processes import CalledFile
from .called_processes import Resolver
from .called_processes import files_called
from .called_processes import no_calls
from .called_processes import with_called_elements
from .catalogue import Lanes
from .catalogue import catalogue
from .catalogue import lanes_of
from .catalogue import q
from .definitions import ElementInfo
from .diagram_forms import FormReader
from .diagram_forms import Forms
from .diagram_forms import load_forms
from .flow_paths import ScopeReach
from .flow_paths import scope_reaches
from .foreign_forms import with_foreign_forms
from .spiff_specs import parse_specs


def executable_processes(root: etree._Element) -> list[etree._Element]:
    return [p for p in root.findall(q("process")) if p.get("isExecutable", "false") == "true"]


# Frozen: a rule reads the diagram, never changes it. cached_property still works, as it writes
# the instance's __dict__ directly rather than through __setattr__.
@dataclass(frozen=True)
class DiagramContext:
    """One diagram under validation: its file name, bytes, safely parsed root and form reader."""

    filename: str
    xml: bytes
    root: etree._Element
    read_form: FormReader
    index: int = 0  # which of the file's executable processes (a collaboration holds several)
    resolve: Resolver = field(default=no_calls)  # the processes of other files a call activity may call
    lane_roles: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # the owner's: key -> lane -> role

    @property
    def mapped_lanes(self) -> Mapping[str, str]:
        """Lane id -> role, as the process owner mapped this process's lanes."""
        return self.lane_roles.get(self.key, {})

    @cached_property
    def key(self) -> str:
        """The process key: the process id (a file may hold several processes)."""
        return self.process.get("id") or Path(self.filename).stem

    @cached_property
    def executable_processes(self) -> list[etree._Element]:
        return executable_processes(self.root)

    @property
    def process(self) -> etree._Element:
        """The executable process under validation (once ``an-executable-process`` has passed)."""
        return self.executable_processes[self.index]

    @cached_property
    def called_files(self) -> dict[str, tuple[CalledFile, etree._Element]]:
        """The other files the call activities reach (in the same deploy, or deployed), by file name."""
        return files_called(self.root, self.resolve)

    @property
    def calls(self) -> dict[str, bytes]:
        """What is kept with the version: each called file's diagram, by file name."""
        return {name: called.xml for name, (called, _root) in self.called_files.items()}

    @cached_property
    def specs(self) -> tuple[Any, dict[str, Any]]:
        """SpiffWorkflow's spec and subprocess specs; raises its ValidationException if it refuses."""
        return parse_specs(self.xml, self.key, self.filename, self.calls)

    @property
    def spec_list(self) -> list[Any]:
        spec, subprocess_specs = self.specs
        return [spec, *subprocess_specs.values()]

    @cached_property
    def lanes(self) -> Lanes:
        return lanes_of(self.process)

    @cached_property
    def has_lanes(self) -> bool:
        return self.process.find(f".//{q('lane')}") is not None

    @cached_property
    def elements(self) -> dict[str, ElementInfo]:
        return catalogue(self.process, self.lanes)

    @cached_property
    def flow_targets(self) -> set[str | None]:
        return {f.get("targetRef") for f in self.process.iter(q("sequenceFlow"))}

    @cached_property
    def flow_sources(self) -> set[str | None]:
        return {f.get("sourceRef") for f in self.process.iter(q("sequenceFlow"))}

    @cached_property
    def reaches(self) -> list[ScopeReach]:
        return scope_reaches(self.process, self.elements)

    @cached_property
    def form_loading(self) -> tuple[Forms, list[Problem]]:
        return load_forms(self.filename, self.elements, self.read_form)

    @property
    def forms(self) -> Forms:
        """The forms that loaded and are valid, by path."""
        return self.form_loading[0]

    @cached_property
    def deployed(self) -> tuple[dict[str, ElementInfo], Forms]:
        """The elements and forms as deployed: a user task without a form gets its Camunda form
        fields or a generic completion form, a role from its Camunda groups or its lane's name."""
        elements, forms = with_foreign_forms(self.process, self.key, self.elements, self.forms)
        mapped = self.mapped_lanes
        elements = {k: replace(e, role=mapped[e.lane]) if e.lane in mapped else e for k, e in elements.items()}
        called = [
            DiagramContext(name, f.xml, root, f.read_form, i).deployed
            for name, (f, root) in self.called_files.items()
            for i in range(len(executable_processes(root)))
        ]
        return with_called_elements(elements, forms, called)
