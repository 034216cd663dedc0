"""Event logs for process mining: XES (IEEE 1849-2016) and CSV, one trace per case.

Activities are the diagram's elements (the element's name as ``concept:name``, its id as
``aftersales:element_id``): completed user tasks with their performer, script tasks, events,
and fired timers. Gateways are left out: they are routing, not work.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from datetime import datetime
from typing import Any

from lxml import etree

from ...domain.principal import Principal
from ..context import ServiceContext
from .reports import REPORT_ROLES
from .reports import require_role

XES_NS = "http://www.xes-standard.org/"
EXTENSIONS = [
    ("Concept", "concept", "concept.xesext"),
    ("Time", "time", "time.xesext"),
    ("Organizational", "org", "org.xesext"),
    ("Lifecycle", "lifecycle", "lifecycle.xesext"),
]
ACTIVITY_EVENTS = ("task_completed", "element_completed", "timer_fired")
CSV_COLUMNS = ["case_no", "process_key", "version", "element_id", "activity", "event_type", "timestamp", "resource"]


def event_log(
    ctx: ServiceContext, process_key: str, start: datetime | None, end: datetime | None, actor: Principal
) -> list[dict[str, Any]]:
    """One row per activity of every case opened in [start, end), ordered by case and time; a missing
    bound is open, so without a period the log holds every case of the process."""
    require_role(actor, REPORT_ROLES, "event logs")
    rows = []
    with ctx.uow() as uow:
        cases = uow.instances.created_between(process_key, start, end)
        events = uow.events.of_instances([c.id for c in cases], ACTIVITY_EVENTS)
        processes = {c.id: ctx.versions.get(uow, c.version_id) for c in cases}
    by_case = {c.id: c for c in cases}
    # One trace per case: events by case, in the order they happened (cases run side by side).
    for event in sorted(events, key=lambda e: e.instance_id):
        case = by_case[event.instance_id]
        element = processes[case.id].element(event.element_id)
        if element is None or element.type.endswith("Gateway"):
            continue
        rows.append(
            {
                "case_no": case.case_no,
                "process_key": case.process_key,
                "version": case.version,
                "element_id": element.id,
                "activity": element.name,
                "event_type": event.type,
                "timestamp": event.at,
                "resource": event.actor or "system",
            }
        )
    return rows


def to_xes(rows: list[dict[str, Any]], log_name: str) -> bytes:
    log = etree.Element(f"{{{XES_NS}}}log", nsmap={None: XES_NS})
    log.set("xes.version", "1849-2016")
    log.set("xes.features", "nested-attributes")
    for name, prefix, uri in EXTENSIONS:
        etree.SubElement(log, f"{{{XES_NS}}}extension", name=name, prefix=prefix, uri=XES_NS + uri)
    for scope in ("trace", "event"):
        glob = etree.SubElement(log, f"{{{XES_NS}}}global", scope=scope)
        etree.SubElement(glob, f"{{{XES_NS}}}string", key="concept:name", value="__INVALID__")
    etree.SubElement(log, f"{{{XES_NS}}}classifier", name="Activity", keys="concept:name")
    etree.SubElement(log, f"{{{XES_NS}}}string", key="concept:name", value=log_name)
    trace = None
    current = None
    for row in rows:
        if row["case_no"] != current:
            current = row["case_no"]
            trace = etree.SubElement(log, f"{{{XES_NS}}}trace")
            etree.SubElement(trace, f"{{{XES_NS}}}string", key="concept:name", value=current)
            etree.SubElement(trace, f"{{{XES_NS}}}int", key="aftersales:version", value=str(row["version"]))
        event = etree.SubElement(trace, f"{{{XES_NS}}}event")
        for key, value in (
            ("concept:name", row["activity"]),
            ("aftersales:element_id", row["element_id"]),
            ("org:resource", row["resource"]),
            ("lifecycle:transition", "complete"),
            ("aftersales:event_type", row["event_type"]),
        ):
            etree.SubElement(event, f"{{{XES_NS}}}string", key=key, value=str(value))
        etree.SubElement(
            event, f"{{{XES_NS}}}date", key="time:timestamp", value=row["timestamp"].isoformat(timespec="milliseconds")
        )
    return etree.tostring(log, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def log_name(process_key: str, first: date | None, after: date | None) -> str:
    """The XES log's name: the process and the period its cases were opened in (``after`` exclusive)."""
    if first is None and after is None:
        return f"{process_key} (all cases)"
    return f"{process_key} {first or ''}..{after or ''}"


def to_csv(rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    for row in rows:
        writer.writerow({**row, "timestamp": row["timestamp"].isoformat()})
    return out.getvalue()
