"""Korean is the default language: the catalog must be complete for the public pages and the
committed ``.mo`` must match the ``.po`` (a stale ``.mo`` silently shows old or English text)."""

from __future__ import annotations

import gettext
import io
import re
from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
LC = ROOT / "intake" / "translations" / "ko" / "LC_MESSAGES"
PUBLIC_SOURCES = [
    *sorted((ROOT / "intake" / "claims").glob("*.py")),
    ROOT / "templates" / "base.html",
    *sorted((ROOT / "templates" / "claims").glob("*.html")),
]
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}


def _catalog():
    with (LC / "messages.po").open("rb") as fh:
        return read_po(fh, locale="ko")


def _public_msgids() -> set[str]:
    ids = set()
    for path in PUBLIC_SOURCES:
        method = "python" if path.suffix == ".py" else "jinja2"
        for _lineno, message, _comments, _context in extract_from_file(
            method, str(path), keywords=KEYWORDS
        ):
            ids.add(message if isinstance(message, str) else message[0])
    return ids


def test_every_public_string_has_a_korean_translation():
    catalog = _catalog()
    ids = _public_msgids()
    assert len(ids) > 100  # the extractor really found the form's strings
    missing = sorted(
        i for i in ids if not (catalog.get(i) and catalog[i].string and not catalog[i].fuzzy)
    )
    assert not missing, f"untranslated (run pybabel extract/update, see docs/claims.md): {missing}"


def test_compiled_catalog_is_up_to_date_with_the_po():
    buffer = io.BytesIO()
    write_mo(buffer, _catalog())
    buffer.seek(0)
    fresh = gettext.GNUTranslations(buffer)
    with (LC / "messages.mo").open("rb") as fh:
        committed = gettext.GNUTranslations(fh)
    assert committed._catalog == fresh._catalog, "run: pybabel compile -d intake/translations"


def _first(text: str | tuple) -> str:
    return text if isinstance(text, str) else text[0]


def test_translations_keep_their_placeholders():
    pattern = re.compile(r"%\(\w+\)[sd]")
    broken = [
        _first(m.id)
        for m in _catalog()
        if m.id
        and _first(m.string)
        and sorted(pattern.findall(_first(m.id))) != sorted(pattern.findall(_first(m.string)))
    ]
    assert not broken
