"""Reading uploaded event logs: CSV or XES (IEEE 1849), as plain events per case.

- **CSV**: a header row naming at least a case id, an activity and a timestamp column (common
  names accepted, see ``COLUMNS``); comma, semicolon or tab separated; UTF-8 (with or without
  BOM) or GB 18030 (what Excel saves in Chinese Windows).
- **XES**: parsed by ``engine/safe_xml.py`` (lxml without DTDs, entities or network access); a
  document declaring a DTD anywhere is refused. Traces are cases (``concept:name``), events carry ``concept:name``,
  ``time:timestamp``, ``org:resource`` and, in the application's own exports,
  ``aftersales:element_id``.
- Either may be gzip-compressed (``.xes.gz``). The uncompressed log may not exceed ``MAX_LOG_BYTES``.

Only completions count: events with a lifecycle transition other than ``complete`` are left out.
Events of a case are ordered by timestamp; ties keep the file's order. Naive timestamps are local
time (the application's time zone). Anything else wrong is an ``InvalidInput`` (422) naming the
row or event and what was expected.
"""

from __future__ import annotations

import csv
import gzip
import io
import zlib
from dataclasses import dataclass
from datetime import datetime
from datetime import tzinfo

from lxml import etree

from ..engine import DTD_REFUSED
from ..engine import UnsafeXml
from ..engine import parse_untrusted
from ..errors import InvalidInput
from .spreadsheets import UnreadableTable
from .spreadsheets import decode_text

MAX_LOG_BYTES = 8 * 1024 * 1024
MAX_REPORTED_ERRORS = 10
COLUMNS = {
    "case_id": ("case_id", "case:concept:name", "case", "case_no", "caseid", "case id", "case number"),
    "activity": ("activity", "concept:name", "activity_name", "activity name", "task", "event"),
    "timestamp": ("timestamp", "time:timestamp", "time", "complete_timestamp", "end_time", "datetime"),
    "resource": ("resource", "org:resource", "user", "performer"),
    "element_id": ("element_id", "aftersales:element_id"),
    "lifecycle": ("lifecycle:transition", "lifecycle", "transition"),
}
REQUIRED = ("case_id", "activity", "timestamp")
LOCAL_FORMATS = ("%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d", "%Y%m%d%H%M%S", "%d.%m.%Y %H:%M:%S")
TIMESTAMP_HINT = "an ISO 8601 date and time such as 2026-03-02T09:00:00+08:00"


@dataclass(frozen=True)
class LogEvent:
    case_id: str
    activity: str
    timestamp: datetime | None
    resource: str | None = None
    element_id: str | None = None


@dataclass(frozen=True)
class EventLog:
    format: str  # csv or xes
    traces: dict[str, list[LogEvent]]  # case id → its events in order, cases in the file's order

    @property
    def events(self) -> int:
        return sum(len(t) for t in self.traces.values())


def _refuse(message: str, problems: list[str] | None = None) -> InvalidInput:
    return InvalidInput(message, errors={"file": problems or [message]})


def parse_timestamp(text: str, tz: tzinfo) -> datetime:
    """An ISO 8601 (or yyyy/mm/dd hh:mm[:ss]) timestamp; naive ones are in ``tz``."""
    value = text.strip()
    if not value:
        raise ValueError("empty")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        for pattern in LOCAL_FORMATS:
            try:
                parsed = datetime.strptime(value, pattern)
                break
            except ValueError:
                continue
        else:
            raise
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=tz)


def _unpack(content: bytes, max_bytes: int) -> bytes:
    if content[:2] == b"\x1f\x8b":
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(content)) as unzipped:
                content = unzipped.read(max_bytes + 1)
        except (OSError, EOFError, zlib.error) as exc:
            raise _refuse(f"the file looks gzip-compressed but cannot be read: {exc}") from None
    if len(content) > max_bytes:
        raise _refuse(f"the log is larger than {max_bytes // (1024 * 1024)} MiB; split it by period")
    return content


def read_event_log(filename: str, content: bytes, tz: tzinfo, *, max_bytes: int = MAX_LOG_BYTES) -> EventLog:
    """Parse an uploaded log; the format comes from the file name, else from the content."""
    content = _unpack(content, max_bytes)
    name = (filename or "").lower().removesuffix(".gz")
    if name.endswith((".xes", ".xml")):
        log = _read_xes(content, tz)
    elif name.endswith((".csv", ".txt", ".tsv")):
        log = _read_csv(content, tz)
    else:
        log = _read_xes(content, tz) if content.lstrip()[:1] == b"<" else _read_csv(content, tz)
    if not log.events:
        raise _refuse("the log has no completed events")
    return log


def _ordered(events: list[LogEvent]) -> list[LogEvent]:
    if all(e.timestamp is not None for e in events):
        return sorted(events, key=lambda e: e.timestamp)  # stable: ties keep the file's order
    return events


# -- CSV ------------------------------------------------------------------------------------


def _decode(content: bytes) -> str:
    try:
        return decode_text(content)
    except UnreadableTable:
        raise _refuse("the CSV is neither UTF-8 nor GB 18030 text") from None


def _columns(header: list[str]) -> dict[str, int]:
    names = [h.strip().lstrip("\ufeff").casefold() for h in header]
    found = {}
    for field, accepted in COLUMNS.items():
        for candidate in accepted:
            if candidate in names:
                found[field] = names.index(candidate)
                break
    missing = [f for f in REQUIRED if f not in found]
    if missing:
        wanted = "; ".join(f"{f}: one of {', '.join(COLUMNS[f])}" for f in missing)
        raise _refuse(
            f"the CSV lacks the column(s) {', '.join(missing)} ({wanted}); its header is {', '.join(header)}",
            [f"missing column {f}" for f in missing],
        )
    return found


def _read_csv(content: bytes, tz: tzinfo) -> EventLog:
    text = _decode(content)
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(rows)
    except StopIteration:
        raise _refuse("the CSV is empty") from None
    except csv.Error as exc:
        raise _refuse(f"the CSV cannot be read: {exc}") from None
    columns = _columns(header)
    traces: dict[str, list[LogEvent]] = {}
    problems: list[str] = []

    def cell(row: list[str], field: str) -> str:
        index = columns.get(field)
        return row[index].strip() if index is not None and index < len(row) else ""

    try:
        for line, row in enumerate(rows, start=2):
            if not any(c.strip() for c in row):
                continue
            lifecycle = cell(row, "lifecycle").casefold()
            if lifecycle and lifecycle != "complete":
                continue
            case_id, activity, stamp = cell(row, "case_id"), cell(row, "activity"), cell(row, "timestamp")
            if not case_id or not activity:
                problems.append(f"row {line}: empty {'case id' if not case_id else 'activity'}")
                continue
            try:
                at = parse_timestamp(stamp, tz)
            except ValueError:
                problems.append(f"row {line}: timestamp {stamp!r} is not {TIMESTAMP_HINT}")
                continue
            event = LogEvent(case_id, activity, at, cell(row, "resource") or None, cell(row, "element_id") or None)
            traces.setdefault(case_id, []).append(event)
    except csv.Error as exc:
        raise _refuse(f"the CSV cannot be read: {exc}") from None
    if problems:
        shown = problems[:MAX_REPORTED_ERRORS]
        more = f" (and {len(problems) - len(shown)} more)" if len(problems) > len(shown) else ""
        raise _refuse(f"{len(problems)} bad row(s) in the CSV: {shown[0]}{more}", shown)
    return EventLog("csv", {case: _ordered(events) for case, events in traces.items()})


# -- XES ------------------------------------------------------------------------------------


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _attributes(element: etree._Element) -> dict[str, tuple[str, str]]:
    """key → (XES type, value) of an element's direct attributes."""
    return {
        child.get("key"): (_local(child), child.get("value", ""))
        for child in element
        if isinstance(child.tag, str) and child.get("key")
    }


def _read_xes(content: bytes, tz: tzinfo) -> EventLog:
    try:
        root = parse_untrusted(content)
    except UnsafeXml as exc:
        if exc.message == DTD_REFUSED:
            raise _refuse(f"{DTD_REFUSED} in an XES log") from None
        raise _refuse(f"the XES is {exc.message} (line {exc.line})") from None
    if _local(root) != "log":
        raise _refuse(f"the XML's root element is <{_local(root)}>, not an XES <log>")
    traces: dict[str, list[LogEvent]] = {}
    problems: list[str] = []
    for number, trace in enumerate((c for c in root if _local(c) == "trace"), start=1):
        _, case_id = _attributes(trace).get("concept:name", ("", ""))
        case_id = case_id.strip() or f"trace {number}"
        events = traces.setdefault(case_id, [])
        for position, event in enumerate((c for c in trace if _local(c) == "event"), start=1):
            attrs = _attributes(event)
            where = f"trace {case_id!r}, event {position} (line {event.sourceline})"
            lifecycle = attrs.get("lifecycle:transition", ("", ""))[1].strip().casefold()
            if lifecycle and lifecycle != "complete":
                continue
            activity = attrs.get("concept:name", ("", ""))[1].strip()
            if not activity:
                problems.append(f"{where}: no concept:name")
                continue
            stamp = attrs.get("time:timestamp")
            at = None
            if stamp is not None:
                try:
                    at = parse_timestamp(stamp[1], tz)
                except ValueError:
                    problems.append(f"{where}: time:timestamp {stamp[1]!r} is not {TIMESTAMP_HINT}")
                    continue
            resource = attrs.get("org:resource", ("", ""))[1].strip() or None
            element_id = attrs.get("aftersales:element_id", ("", ""))[1].strip() or None
            events.append(LogEvent(case_id, activity, at, resource, element_id))
    if problems:
        shown = problems[:MAX_REPORTED_ERRORS]
        more = f" (and {len(problems) - len(shown)} more)" if len(problems) > len(shown) else ""
        raise _refuse(f"{len(problems)} bad event(s) in the XES: {shown[0]}{more}", shown)
    return EventLog("xes", {case: _ordered(events) for case, events in traces.items() if events})
