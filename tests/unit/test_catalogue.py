"""Every string the server shows through gettext (Python and templates, as `make messages`
extracts them with babel.cfg) has a Chinese translation in the zh_Hans catalogue: a message added
without one fails here instead of appearing in English on a Chinese page."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "app" / "translations" / "zh_Hans" / "LC_MESSAGES" / "messages.po"
KEYWORDS = {"_": None, "N_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None}


def extracted() -> set[str]:
    with (ROOT / "babel.cfg").open(encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        ROOT / "app", method_map, options_map, keywords=KEYWORDS
    ):
        found.update([message] if isinstance(message, str) else [m for m in message if m])
    return found


def test_every_message_of_the_server_is_translated_in_the_catalogue():
    with CATALOGUE.open("rb") as po:
        catalogue = read_po(po)
    translated = {m.id if isinstance(m.id, str) else m.id[0] for m in catalogue if m.id and m.string}
    messages = extracted()
    assert len(messages) > 300  # the extraction found the interface's strings
    missing = sorted(messages - translated)
    assert not missing, f"{len(missing)} messages lack a zh_Hans translation: {missing[:20]}"
