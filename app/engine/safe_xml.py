"""Parsing XML that comes from outside (uploaded diagrams, legacy event logs): one parser for both.

lxml is told not to load DTDs, resolve entities or touch the network, and a document that
declares a DTD at all is refused twice over: before parsing, by a search of the whole text (not
only its first bytes) for ``<!DOCTYPE`` or ``<!ENTITY`` — so a reference to an undeclared
entity cannot turn the refusal into a parser error; and after parsing, from what libxml2 itself
read (the document info), which also catches encodings no byte search sees (UTF-16).
"""

from __future__ import annotations

import re

from lxml import etree

_DECLARATION = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


class UnsafeXml(ValueError):
    """Not well-formed, or declaring a DTD or entities; ``line`` where libxml2 noticed, if known."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message, self.line = message, line


DTD_REFUSED = "DTDs and entity declarations are not allowed"


def parse_untrusted(content: bytes) -> etree._Element:
    """The root element of ``content``; raises UnsafeXml (``message`` starts with ``"not
    well-formed XML"`` or ``DTD_REFUSED``)."""
    if _DECLARATION.search(content):
        raise UnsafeXml(DTD_REFUSED)
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=False,
    )
    try:
        root = etree.fromstring(content, parser)
    except etree.XMLSyntaxError as exc:
        raise UnsafeXml(f"not well-formed XML: {exc.msg}", exc.lineno) from None
    docinfo = root.getroottree().docinfo
    # libxml2 creates the internal subset node for every DOCTYPE, even one with only a SYSTEM id.
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise UnsafeXml(DTD_REFUSED)
    return root
