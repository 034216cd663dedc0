"""Deployed versions as the services use them: immutable, so read once and kept in memory."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from ...engine import ElementInfo
from ...errors import NotFound
from ...persistence.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class DeployedProcess:
    """One version of a process with its diagram, forms and element catalogue."""

    id: int
    process_key: str
    version: int
    name: str  # "中文 / English"
    filename: str
    bpmn_xml: bytes
    forms: dict[str, dict[str, Any]]
    elements: dict[str, ElementInfo]
    calls: dict[str, str] = field(default_factory=dict)  # the files its call activities reach, by name

    def element(self, element_id: str | None) -> ElementInfo | None:
        return self.elements.get(element_id) if element_id else None

    def form(self, path: str | None) -> dict[str, Any] | None:
        return self.forms.get(path) if path else None

    @property
    def start_roles(self) -> set[str]:
        return {e.role for e in self.elements.values() if e.type == "startEvent" and e.role and not e.in_subprocess}

    @property
    def start_form(self) -> dict[str, Any] | None:
        """The JSON Schema of the start data (the start event's form), None if the process takes none."""
        return next((self.form(e.form) for e in self.elements.values() if e.type == "startEvent" and e.form), None)

    @property
    def lane_roles(self) -> frozenset[str]:
        """The roles with a lane in this version (those its elements are in)."""
        return frozenset(e.role for e in self.elements.values() if e.role)

    @property
    def start_message(self) -> str | None:
        """The message that starts this process, if its start event is a message start event."""
        return next((e.message for e in self.elements.values() if e.type == "startEvent" and e.message), None)


class VersionCatalog:
    """Cache of deployed versions by id; may be shared between threads (versions never change)."""

    def __init__(self) -> None:
        self._versions: dict[int, DeployedProcess] = {}
        self._lock = threading.Lock()

    def get(self, uow: UnitOfWork, version_id: int) -> DeployedProcess:
        found = self._versions.get(version_id)
        if found is None:
            row = uow.versions.get_full(version_id)
            if row is None:
                raise NotFound(f"no process version with id {version_id}")
            found = DeployedProcess(
                id=row.id,
                process_key=row.process_key,
                version=row.version,
                name=row.name,
                filename=row.filename,
                bpmn_xml=bytes(row.bpmn_xml),
                forms=row.forms,
                elements={k: ElementInfo.from_dict(v) for k, v in row.elements.items()},
                calls=dict(row.calls or {}),
            )
            with self._lock:
                self._versions[version_id] = found
        return found

    def lanes(self, uow: UnitOfWork) -> dict[str, frozenset[str]]:
        """Process key -> the roles with a lane in any of its versions, or mapped to one of its lanes
        (two small queries; versions are cached)."""
        found: dict[str, frozenset[str]] = {}
        for row in uow.versions.all_versions():
            found[row.process_key] = found.get(row.process_key, frozenset()) | self.get(uow, row.id).lane_roles
        for key, mapped in uow.lane_roles.all().items():  # the process owners' lane roles count too
            if key in found:
                found[key] |= frozenset(mapped.values())
        return found

    def find(self, uow: UnitOfWork, process_key: str, number: int | None = None) -> DeployedProcess:
        """Version ``number`` of a process (the latest if None); NotFound if there is none."""
        rows = [r for r in uow.versions.all_versions(process_key) if number is None or r.version == number]
        if not rows:
            raise NotFound(f"no deployed process {process_key!r}" + (f" version {number}" if number else ""))
        return self.get(uow, max(rows, key=lambda r: r.version).id)
