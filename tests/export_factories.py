"""Test data for the export (as CTFd's gen_*): rows inserted straight into a real SQLite file
with sqlite-utils, so the export tests do not depend on the normalisers or the matcher."""

from __future__ import annotations

import itertools
import json
from typing import Any

from intake.refs import new_claim_ref

_seq = itertools.count(1)


def gen_submission(db, **fields: Any) -> dict:
    """Insert one submission (sensible Korean defaults, override any column) and return it."""
    n = next(_seq)
    row: dict[str, Any] = {
        "ref": new_claim_ref(),
        "source": "web",
        "submitted_at": f"2025-12-{(n % 20) + 1:02d}T03:00:00+00:00",
        "name": "김철수",
        "email": f"user{n}@naver.com",
        "phone": "010-1234-5678",
        "address": "서울특별시 강남구 테헤란로 123 101동 1203호",
        "postal_code": "06234",
        "birth_date": "1985-03-14",
        "k_name": "김철수",
        "k_email": f"user{n}@naver.com",
        "k_phone": "+821012345678",
        "k_birth": "1985-03-14",
        "k_addr": "서울 강남구 테헤란로 123",
        "k_unit": "101-1203",
        "account_status": "unverified",
        "harms": [],
        "consents": {},
    }
    row.update(fields)
    for column in ("harms", "consents", "raw", "flags"):
        if column in row and not isinstance(row[column], str):
            row[column] = json.dumps(row[column], ensure_ascii=False)
    result = {c: row.pop(c) for c in ("person_id", "matched_at") if c in row}
    row["id"] = db["submissions"].insert(row).last_pk
    if result:  # the match results live in their own table (schema V9)
        db["match_results"].insert({"id": row["id"], **result})
    return {**row, **result}


def gen_pair(db, id_l: int, id_r: int, *, kind: str = "dedup", band: str = "review") -> None:
    """A matcher pair (dedup: lower id first)."""
    if kind == "dedup":
        id_l, id_r = min(id_l, id_r), max(id_l, id_r)
    db["pairs"].insert(
        {
            "kind": kind,
            "id_l": id_l,
            "id_r": id_r,
            "probability": 0.7,
            "weight": 3.2,
            "band": band,
            "explanation": "[]",
            "updated_at": "2025-12-05T00:00:00+00:00",
        }
    )


def gen_account(db, account_id: str = "C-000123", **fields: Any) -> int:
    """One affected-list account row; returns accounts.id."""
    row = {"import_id": 1, "source_line": next(_seq), "account_id": account_id, **fields}
    return db["accounts"].insert(row).last_pk
