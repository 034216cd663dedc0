"""A version as one file: its diagram and forms in a zip (``<key>.bpmn`` and ``forms/<key>/*.json``,
the layout of the ``processes/`` folder), downloaded from the workbench and uploaded back as a draft.

An uploaded archive is read from memory with limits before anything is decompressed: at most
``MAX_ENTRIES`` entries, plain relative names, one ``.bpmn`` at its root, forms as ``forms/…/*.json``,
and no more uncompressed bytes than the workbench takes as text (2 MB of diagram, 512 kB of forms).
"""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

from ...domain.principal import Principal
from ...errors import InvalidInput
from ...integrations.spreadsheets import Download
from ..context import ServiceContext
from . import authoring
from . import workbench

MAX_ENTRIES = 200
MAX_ARCHIVE_BYTES = workbench.MAX_XML_BYTES + workbench.MAX_FORMS_BYTES


def version_archive(ctx: ServiceContext, key: str, version: int | None, actor: Principal) -> Download:
    """The diagram and forms of a deployed version (the latest if ``version`` is None) as a zip."""
    source = workbench.version_source(ctx, key, version, actor)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(source.filename, source.xml)
        for path, schema in sorted(source.forms.items()):
            archive.writestr(path, json.dumps(schema, ensure_ascii=False, indent=2) + "\n")
    return Download(buffer.getvalue(), "application/zip", f"{key}-v{source.version}.zip")


def _refuse(reason: str) -> InvalidInput:
    return InvalidInput(f"not a diagram archive: {reason}", errors={"file": [reason]})


def _entries(content: bytes) -> list[zipfile.ZipInfo]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile:
        raise _refuse("not a zip file") from None
    entries = [e for e in archive.infolist() if not e.is_dir()]
    if len(entries) > MAX_ENTRIES:
        raise _refuse(f"more than {MAX_ENTRIES} files")
    if sum(e.file_size for e in entries) > MAX_ARCHIVE_BYTES:
        raise _refuse(f"more than {MAX_ARCHIVE_BYTES} bytes uncompressed")
    for entry in entries:
        name = entry.filename
        if name.startswith("/") or "\\" in name or ".." in name.split("/"):
            raise _refuse(f"{name!r} is not a plain relative path")
        if not (("/" not in name and name.endswith(".bpmn")) or (name.startswith("forms/") and name.endswith(".json"))):
            raise _refuse(f"{name!r}: only <key>.bpmn at the top and forms/…/*.json belong in it")
    return entries


def read_archive(content: bytes) -> tuple[str, str, dict[str, Any]]:
    """(file name, diagram XML, forms) of an uploaded archive; InvalidInput if it is not one."""
    entries = _entries(content)
    diagrams = [e for e in entries if e.filename.endswith(".bpmn")]
    if len(diagrams) != 1:
        raise _refuse(f"it holds {len(diagrams)} .bpmn files at its top; one is expected")
    archive = zipfile.ZipFile(io.BytesIO(content))
    try:
        xml = archive.read(diagrams[0]).decode("utf-8")
        forms = {e.filename: json.loads(archive.read(e).decode("utf-8")) for e in entries if e not in diagrams}
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _refuse(f"a file is not UTF-8 text or JSON ({exc})") from None
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError) as exc:  # corrupt, or an unknown method
        raise _refuse(str(exc)) from None
    return diagrams[0].filename, xml, forms


def import_archive(ctx: ServiceContext, content: bytes, actor: Principal) -> authoring.Imported:
    """An uploaded archive as the user's draft, if a deploy would take it (``authoring.import_diagram``)."""
    workbench.require_edit(actor)
    if len(content) > MAX_ARCHIVE_BYTES:
        raise _refuse(f"more than {MAX_ARCHIVE_BYTES} bytes")
    filename, xml, forms = read_archive(content)
    return authoring.import_diagram(ctx, filename, xml, actor, forms)
