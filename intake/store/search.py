"""Staff search: one box that finds submissions by claim reference, person id, e-mail, phone (any
spelling) or name (Hangul or romanised), always through the same normalisers that produced the
stored ``k_*`` keys, so "010 1234 5678", "+82-10-1234-5678" and "01012345678" find the same row.
"""

from __future__ import annotations

import json
import re

import sqlite_utils

from ..refs import parse_claim_ref

_FIELDS = ("name", "email", "phone", "address", "postal_code", "birth_date")
_COLUMNS = (
    "id, ref, name, email, phone, postal_code, birth_date, person_id, account_status,"
    " submitted_at, source"
)
_PERSON = re.compile(r"^P-[0-9A-Z]{8}$")
_WATERMARK = "name_search_upto"


def _keys(field: str, value: str) -> dict:
    from ..normalize import record_keys

    record = dict.fromkeys(_FIELDS)
    record[field] = value
    return record_keys(record)


def refresh_name_index(db: sqlite_utils.Database) -> int:
    """Add romanised/folded forms for names of submissions not indexed yet; returns how many."""
    from ..normalize import name_forms

    row = db.execute("SELECT value FROM settings WHERE key = ?", [_WATERMARK]).fetchone()
    upto = json.loads(row[0]) if row else 0
    top = db.execute("SELECT COALESCE(MAX(id), 0) FROM submissions").fetchone()[0]
    if top <= upto:
        return 0
    names = [
        r[0]
        for r in db.execute(
            "SELECT DISTINCT k_name FROM submissions WHERE id > ? AND id <= ?"
            " AND k_name IS NOT NULL AND k_name != ''",
            [upto, top],
        )
    ]
    rows = []
    for k_name in names:
        forms = name_forms(k_name)
        rows.append((k_name, forms.latin or None, forms.block or None))
    conn = db.conn
    conn.execute("BEGIN")
    try:
        conn.executemany("INSERT OR REPLACE INTO name_search VALUES (?, ?, ?)", rows)
        conn.execute(
            "INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)", [_WATERMARK, str(top)]
        )
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return len(rows)


def _rows(db: sqlite_utils.Database, where: str, params: list, why: str, limit: int) -> list:
    sql = (
        f"SELECT {_COLUMNS} FROM submissions_with_matches WHERE {where}"
        " ORDER BY submitted_at DESC LIMIT ?"
    )
    return [dict(r, why=why) for r in db.query(sql, [*params, limit])]


def classify(query: str) -> str:
    """What the search box text most likely is: ref, person, email, phone or name."""
    text = query.strip()
    if _PERSON.match(text.upper()):
        return "person"
    if "@" in text:
        return "email"
    if re.fullmatch(r"[\d\s\-+().]+", text) and len(re.sub(r"\D", "", text)) >= 4:
        return "phone"
    looks_like_ref = text.upper().startswith("CL") or re.search(r"\d", text)
    if looks_like_ref and parse_claim_ref(text):
        return "ref"
    return "name"


def search(db: sqlite_utils.Database, query: str, *, limit: int = 100) -> tuple[str, list[dict]]:
    """(what the query was read as, matching submissions newest first with a ``why`` label)."""
    text = (query or "").strip()
    if not text:
        return "empty", []
    kind = classify(text)
    if kind == "person":
        return kind, _rows(db, "person_id = ?", [text.upper()], "person", limit)
    if kind == "ref":
        return kind, _rows(db, "ref = ?", [parse_claim_ref(text)], "ref", limit)
    if kind == "email":
        key = _keys("email", text).get("k_email")
        return kind, _rows(db, "k_email = ?", [key], "email", limit) if key else []
    if kind == "phone":
        keys = _keys("phone", text)
        if keys.get("k_phone"):
            return kind, _rows(db, "k_phone = ?", [keys["k_phone"]], "phone", limit)
        digits = re.sub(r"\D", "", text)
        if len(digits) >= 4:  # a partial number: match the end of the stored 8-digit tail
            return kind, _rows(db, "k_phone_tail LIKE ?", ["%" + digits[-8:]], "phone_tail", limit)
        return kind, []
    return kind, _search_name(db, text, limit)


def _search_name(db: sqlite_utils.Database, text: str, limit: int) -> list[dict]:
    from ..normalize import name_forms

    k_name = _keys("name", text).get("k_name")
    if not k_name:
        return []
    found = {r["id"]: r for r in _rows(db, "k_name = ?", [k_name], "name", limit)}
    refresh_name_index(db)
    forms = name_forms(k_name)
    similar: set[str] = set()
    for column, value in (("latin", forms.latin), ("block", forms.block)):
        if value:
            similar.update(
                r[0]
                for r in db.execute(
                    f"SELECT k_name FROM name_search WHERE {column} = ? LIMIT 200", [value]
                )
            )
    similar.discard(k_name)
    if similar:
        for row in _rows(
            db,
            "k_name IN (SELECT value FROM json_each(?))",
            [json.dumps(sorted(similar))],
            "name_spelling",
            limit,
        ):
            found.setdefault(row["id"], row)
    return list(found.values())[:limit]
