"""A paper prints the case's texts as text: markup typed into a case is escaped, and the renderer
fetches no file or network address, only the paper's own ``data:`` images."""

from __future__ import annotations

import io

import pypdf

from app.integrations.pdf_papers import Paper
from app.integrations.pdf_papers import Row
from app.integrations.pdf_papers import Section
from app.integrations.pdf_papers import Signature
from app.integrations.pdf_papers import render_html
from app.integrations.pdf_papers import render_pdf

HOSTILE = '<img src="file:///etc/hostname"><b>张伟</b>'


def _paper(image: str | None) -> Paper:
    return Paper(
        company="客户服务部",
        title="售后服务通知单",
        title_en="Service notice",
        number="SN-2026-00001",
        case_no="SR-2026-000001",
        issued_at="2026-03-02 09:00",
        created="2026-03-02T09:00:00+08:00",
        sections=[Section("客户 / Customer", [Row("客户姓名", HOSTILE, "Customer name")])],
        signatures=[Signature("客户签名 / Customer", name="张伟", image=image)],
    )


def test_typed_markup_is_printed_as_text_and_no_file_is_fetched():
    html = render_html(_paper(None))
    assert "<b>张伟</b>" not in html and "&lt;b&gt;张伟&lt;/b&gt;" in html
    reader = pypdf.PdfReader(io.BytesIO(render_pdf(_paper("file:///usr/share/pixmaps/debian-logo.png"))))
    page = reader.pages[0]
    assert "<b>张伟</b>" in page.extract_text()
    assert len(page.images) == 0  # the file address was refused, not embedded
