"""Read an XLSX workbook's cell values with the standard library (zip + its SpreadsheetML XML)."""

from __future__ import annotations

import io
import re
import zipfile

from lxml import etree

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


def _column(reference: str) -> int:
    letters = re.match(r"[A-Z]+", reference).group(0)
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - ord("A") + 1
    return index - 1


def read_xlsx(body: bytes) -> dict[str, list[list]]:
    """Sheet name → rows of values (str, float, bool or None), header row first."""
    archive = zipfile.ZipFile(io.BytesIO(body))
    strings = []
    if "xl/sharedStrings.xml" in archive.namelist():
        shared = etree.fromstring(archive.read("xl/sharedStrings.xml"))
        strings = ["".join(si.itertext()) for si in shared.iter(f"{MAIN}si")]
    workbook = etree.fromstring(archive.read("xl/workbook.xml"))
    rels = etree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target") for r in rels}
    sheets = {}
    for sheet in workbook.iter(f"{MAIN}sheet"):
        xml = etree.fromstring(archive.read("xl/" + targets[sheet.get(f"{REL}id")].lstrip("/").removeprefix("xl/")))
        rows = []
        for row in xml.iter(f"{MAIN}row"):
            values: list = []
            for cell in row.iter(f"{MAIN}c"):
                column = _column(cell.get("r"))
                values.extend([None] * (column + 1 - len(values)))
                raw = cell.findtext(f"{MAIN}v")
                kind = cell.get("t")
                if raw is None:
                    value = None
                elif kind == "s":
                    value = strings[int(raw)]
                elif kind == "b":
                    value = raw == "1"
                elif kind in ("str", "inlineStr"):
                    value = raw
                else:
                    value = float(raw)
                values[column] = value
            rows.append(values)
        sheets[sheet.get("name")] = rows
    return sheets
