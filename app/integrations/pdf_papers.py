"""Printable papers as PDF: an HTML (Jinja) template rendered by WeasyPrint, in Chinese.

The service layer hands over a ``Paper`` of plain, already formatted texts (what is printed, in
which order); this module owns only the layout, the fonts and the PDF. The CJK font (Noto Sans CJK,
Debian's ``fonts-noto-cjk``) is found through fontconfig and embedded as a subset, so the paper reads
the same on a machine without Chinese fonts. The case's texts are escaped by Jinja and WeasyPrint
fetches nothing but the ``data:`` images the paper carries (no file or network address a typed text
could name). The same paper gives the same bytes: nothing in the PDF depends on when it is rendered.
"""

from __future__ import annotations

import gc
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

import jinja2
import weasyprint
from weasyprint.urls import URLFetcher

TEMPLATES = Path(__file__).resolve().parent / "paper_templates"
_ENV = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, undefined=jinja2.StrictUndefined)


@dataclass(frozen=True)
class Row:
    """One fact: its label (Chinese, with the English beneath) and its printed value."""

    label: str
    value: str
    label_en: str = ""


@dataclass(frozen=True)
class Table:
    """A list of the case (parts, actions, plan items) with its column headings."""

    title: str
    columns: list[str]
    rows: list[list[str]]


@dataclass(frozen=True)
class Section:
    title: str
    rows: list[Row] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)


@dataclass(frozen=True)
class Signature:
    """Who signed, when, and the signature's image (a ``data:`` URL) when one was drawn or scanned."""

    role: str
    name: str = ""
    at: str = ""
    image: str | None = None
    note: str = ""


@dataclass(frozen=True)
class Paper:
    company: str
    title: str
    title_en: str
    number: str
    case_no: str
    issued_at: str  # as printed
    created: str  # the same moment in ISO 8601, the PDF's creation date
    sections: list[Section]
    signatures: list[Signature]
    footer: str = "保密资料，不得擅自复印 / Confidential: do not copy"


def render_html(paper: Paper) -> str:
    return _ENV.get_template("paper.html").render(paper=paper)


def render_pdf(paper: Paper) -> bytes:
    """The paper as an A4 PDF with its fonts embedded."""
    fetcher = URLFetcher(allowed_protocols={"data"}, allow_redirects=False)
    document = weasyprint.HTML(string=render_html(paper), url_fetcher=fetcher, base_url=str(TEMPLATES))
    try:
        return document.write_pdf()
    finally:
        # A rendering leaves its boxes and fonts in reference cycles that the collector's rare full
        # passes free late: a worker storing papers under load grew to 560 MiB. Collecting the young
        # generations after each paper (a few ms against ~100 ms of rendering) keeps it near 200 MiB.
        del document
        gc.collect(1)
