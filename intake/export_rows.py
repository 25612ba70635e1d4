"""Sheet contracts (header names firms build formulas on) and row shaping for the export.

Kept apart from the workbook assembly so the per-row code is easy to read and to benchmark.
Changing a header name here breaks firms' macros: tests pin every list literally.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from itertools import groupby

from .store.report import PERSON_FIELDS, STATUSES

PII_HEADERS = frozenset(
    {"Name", "Email", "Phone", "Address", "Postal code", "Birth date", "Other harm", "Note"}
)

# (header, width, source field) per sheet; width in Excel character units (Hangul counts ~2).
CLAIMANT_COLUMNS = [
    ("Person ID", 13),
    ("Name", 16),
    ("Email", 30),
    ("Phone", 16),
    ("Address", 48),
    ("Postal code", 11),
    ("Birth date", 12),
    ("Submissions", 12),
    ("Claim IDs", 30),
    ("Account status", 15),
    ("Account ID", 16),
    ("Match score", 12),
    ("Harms", 28),
    ("Other harm", 30),
    ("Notice", 12),
    ("Notice date", 12),
    ("Consented at", 20),
    ("Email confirmed", 20),
]
SUBMISSION_COLUMNS = [
    ("Claim ID", "ref", 14),
    ("Source ref", "source_ref", 14),
    ("Person ID", "person_id", 13),
    ("Submitted at", "submitted_at", 20),
    ("Source", "source", 14),
    ("Name", "name", 16),
    ("Email", "email", 30),
    ("Phone", "phone", 16),
    ("Address", "address", 48),
    ("Postal code", "postal_code", 11),
    ("Birth date", "birth_date", 12),
    ("Account status", "account_status", 15),
    ("Account ID", "account_id", 16),
    ("Match score", "account_score", 12),
    ("Review status", "review_status", 14),
]
REVIEW_COLUMNS = [
    ("Decision ID", 11),
    ("Decided at", 20),
    ("Reviewer ID", 11),
    ("Reviewer", 28),
    ("Pair kind", 10),
    ("Claim ID", 14),
    ("Other claim ID", 14),
    ("Account ID", 16),
    ("Decision", 11),
    ("Note", 40),
    ("Undone at", 20),
    ("Undone by", 10),
]
REVIEW_STATUSES = ("none", "pending", "reviewed", "held")
CLAIM_IDS_MAX_CHARS = 32_000


def keep(headers: Sequence[str], include_pii: bool) -> list[int]:
    """Indexes of the columns an export keeps (``--minimal`` drops the PII columns)."""
    return [i for i, h in enumerate(headers) if include_pii or h not in PII_HEADERS]


def to_datetime(text: str | None) -> datetime | None:
    """KST 'YYYY-MM-DD HH:MM:SS' text from SQL -> naive datetime (a real Excel date)."""
    return datetime.fromisoformat(text) if text else None


def to_date(text: str | None) -> date | str | None:
    """'YYYY-MM-DD' -> a real date; anything else stays text as entered (never guessed)."""
    if text and len(text) == 10 and text[4] == "-":
        try:
            day = date.fromisoformat(text)
        except ValueError:
            return text
        return day if day.year >= 1900 else text  # Excel's calendar starts in 1900
    return text


def submission_sheet_rows(
    rows: Iterable[tuple], fields: Sequence[str], counts: dict[str, int]
) -> Iterator[list]:
    """Cursor tuples -> sheet rows: dates converted, review statuses counted into ``counts``."""
    i_at = fields.index("submitted_at")
    i_birth = fields.index("birth_date") if "birth_date" in fields else None
    i_review = fields.index("review_status")
    for t in rows:
        row = list(t)
        at = row[i_at]
        row[i_at] = datetime.fromisoformat(at) if at else None
        if i_birth is not None:
            row[i_birth] = to_date(row[i_birth])
        review = row[i_review]
        counts[review] = counts.get(review, 0) + 1
        yield row


_F = {name: i for i, name in enumerate(PERSON_FIELDS)}


def _best(group: Sequence[tuple], value: int, quality: int | None = None) -> tuple | None:
    """The most recent row with a usable value (normalised key present), else the most recent
    row with any value. ``group`` is oldest first."""
    fallback = None
    for row in reversed(group):
        if row[value]:
            if quality is None or row[quality]:
                return row
            if fallback is None:
                fallback = row
    return fallback


def _person_key(row: tuple):
    return row[_F["person_id"]] or ("#", row[_F["id"]])  # unmatched: each its own claimant


def person_groups(rows: Iterable[tuple]) -> Iterator[list[tuple]]:
    """Group the ordered person cursor into one list per claimant."""
    for _key, group in groupby(rows, key=_person_key):
        yield list(group)


def claimant_row(group: Sequence[tuple]) -> tuple[list, str, int]:
    """(full-width Claimants row, the person's account status, selected submissions).

    Contact fields: the most recent *valid* value of each (address: one with a flat/unit first),
    postal code from the same submission as the address. Account status: the best over all the
    person's submissions (verified > probable > unverified), with that submission's account ID
    and score. Consent: the earliest. E-mail confirmed: when the chosen address was confirmed.
    """
    f = _F
    selected = [r for r in group if r[f["in_range"]]]
    name = _best(group, f["name"], f["k_name"])
    email = _best(group, f["email"], f["k_email"])
    phone = _best(group, f["phone"], f["k_phone"])
    address = _best(group, f["address"], f["k_unit"]) or None
    if address is not None and not address[f["k_unit"]]:
        address = _best(group, f["address"], f["k_addr"])
    birth = _best(group, f["birth_date"], f["k_birth"])
    postal = address[f["postal_code"]] if address else None
    if not postal:
        best_postal = _best(group, f["postal_code"])
        postal = best_postal[f["postal_code"]] if best_postal else None

    i_status, i_score = f["account_status"], f["account_score"]
    top = min(group, key=lambda r: (STATUSES.index(r[i_status]) if r[i_status] in STATUSES
                                    else 2, -(r[i_score] or 0.0)))  # fmt: skip
    harms: set[str] = set()
    for r in group:
        text = r[f["harms"]]
        if text and text != "[]":
            try:
                harms.update(str(h) for h in json.loads(text))
            except (ValueError, TypeError):
                harms.add(str(text))  # not JSON: keep what is stored rather than lose it
    other = _best(group, f["harm_other"])
    notice = _best(group, f["notice"])
    consents = [r[f["consent_at"]] for r in group if r[f["consent_at"]]]
    confirmed = None
    if email is not None:
        key = email[f["k_email"]] or email[f["email"]]
        times = [
            r[f["email_confirmed_at"]]
            for r in group
            if r[f["email_confirmed_at"]] and (r[f["k_email"]] or r[f["email"]]) == key
        ]
        confirmed = min(times) if times else None

    refs = ", ".join(r[f["ref"]] for r in selected)
    if len(refs) > CLAIM_IDS_MAX_CHARS:
        cut = refs[:CLAIM_IDS_MAX_CHARS].rsplit(", ", 1)[0]
        refs = f"{cut}, … (+{len(selected) - cut.count(', ') - 1} more)"
    status = top[i_status] if top[i_status] in STATUSES else "unverified"
    row = [
        group[0][f["person_id"]],
        name[f["name"]] if name else None,
        email[f["email"]] if email else None,
        phone[f["phone"]] if phone else None,
        address[f["address"]] if address else None,
        postal,
        to_date(birth[f["birth_date"]]) if birth else None,
        len(selected),
        refs,
        status,
        top[f["account_id"]],
        top[i_score],
        ", ".join(sorted(harms)) or None,
        other[f["harm_other"]] if other else None,
        notice[f["notice"]] if notice else None,
        to_date(notice[f["notice_date"]]) if notice else None,
        to_datetime(min(consents)) if consents else None,
        to_datetime(confirmed),
    ]
    return row, status, len(selected)
