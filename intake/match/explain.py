"""The stored form of a pair's explanation: each field's level and its bits, compactly.

Why its own format: a full run at a million submissions stores ~700k pairs, and the old form,
a JSON list of ``{"field": …, "level": …, "bits": …}`` objects, was 385 of a pair row's ~520
bytes; writing it (and logging it to the WAL) was most of the ``write pairs`` stage. The stored
text is now one JSON object, ``{"prior": -16.321, "name": ["exact", 14.988], …}`` (~170
bytes), in field order: still plain JSON for SQLite's ``json_*`` functions and Datasette.
Readers call ``decode``, which gives the list form ``Scored.explanation`` has and also reads
explanations stored by earlier versions (the list form), so old stores need no migration.
"""

from __future__ import annotations

import json

from .compare import FIELDS, LEVELS

PRIOR = "prior"

PRIOR_TEMPLATE = '{"prior":%s'
"""The start of a stored explanation; ``%s`` is ``repr`` of the prior's bits."""

FIELD_TEMPLATES = {f: [f',"{f}":["{lv}",%s]' for lv in LEVELS] for f in FIELDS}
"""Per field, per level index: the text ``encode`` writes for it (``%s``: ``repr`` of the
bits); the batch writers fill these instead of calling ``json.dumps`` per pair."""


def encode(items: list[dict]) -> str:
    """The stored text of an explanation (a list of ``{"field", "level", "bits"}``, the prior
    first), as the batch writers' templates build it byte for byte."""
    out = {}
    for item in items:
        field, bits = item["field"], float(item["bits"])
        out[field] = bits if field == PRIOR else [item["level"], bits]
    return json.dumps(out, ensure_ascii=False, separators=(",", ":"))


def decode(text: str | None) -> list[dict]:
    """The list of ``{"field", "level", "bits"}`` from stored text, in stored order; accepts
    the list form earlier versions stored. Unreadable or empty text gives an empty list (the
    review page then says no explanation is stored)."""
    try:
        value = json.loads(text) if text else []
    except ValueError:
        return []
    if isinstance(value, list):
        return [item for item in value if isinstance(item, dict)]
    if not isinstance(value, dict):
        return []
    items = []
    for field, entry in value.items():
        if field == PRIOR:
            items.append({"field": PRIOR, "level": PRIOR, "bits": entry})
        elif isinstance(entry, list) and len(entry) == 2:
            items.append({"field": field, "level": entry[0], "bits": entry[1]})
    return items
