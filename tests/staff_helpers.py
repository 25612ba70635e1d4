"""Test helpers for staff pages (as CTFd's gen_*): make a user, sign a test client in."""

from __future__ import annotations

import itertools

from intake.store import staff as users

PASSWORD = "correct horse battery"
# Tests hash with a cheaper scrypt cost (still scrypt, same code path) to stay fast.
users.HASH_METHOD = "scrypt:1024:8:1"
_seq = itertools.count(1)


def make_user(db, role: str, email: str | None = None, password: str = PASSWORD, **kw) -> dict:
    """Create a staff user and return dict(id, email, password, role)."""
    email = email or f"{role}{next(_seq)}@firm.example"
    user_id = users.add_user(db, email, password, role, **kw)
    return {"id": user_id, "email": email, "password": password, "role": role}


def login(client, email: str, password: str = PASSWORD, *, next: str | None = None):
    """POST the login form (CSRF must be off in the app config, as in tests/conftest.py).

    The staff UI is Korean by default; tests read the English msgids (``?lang=en`` is kept in
    the session across sign-in)."""
    client.get("/staff/login?lang=en")
    data = {"email": email, "password": password}
    if next:
        data["next"] = next
    return client.post("/staff/login", data=data)


def login_as(client, db, role: str) -> dict:
    """Make a user of ``role`` and sign ``client`` in; returns the user dict."""
    user = make_user(db, role)
    response = login(client, user["email"], user["password"])
    assert response.status_code == 302, response.status_code
    return user


_FIELDS = ("name", "email", "phone", "address", "postal_code", "birth_date")


def add_submission(db, **fields) -> int:
    """Insert a submission row directly (keys via the real normalisers); returns its id."""
    import json

    from intake.normalize import record_keys
    from intake.refs import new_claim_ref
    from intake.store import now

    row = {
        "ref": new_claim_ref(),
        "source": "web",
        "submitted_at": now(),
        **{f: None for f in _FIELDS},
        **fields,
    }
    row.update(record_keys({f: row.get(f) for f in _FIELDS}))
    row.setdefault("raw", json.dumps({f: row.get(f) for f in _FIELDS}, ensure_ascii=False))
    result = {c: row.pop(c) for c in ("person_id", "matched_at") if c in row}
    names = list(row)
    cursor = db.execute(
        f"INSERT INTO submissions ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
        [row[n] for n in names],
    )
    if result:  # the match results live in their own table (schema V9)
        db["match_results"].insert({"id": cursor.lastrowid, **result})
    return cursor.lastrowid


def add_pair(
    db,
    kind: str,
    id_l: int,
    id_r: int,
    probability: float = 0.7,
    *,
    band: str = "review",
    explanation: list | None = None,
    list_form: bool = False,
) -> None:
    """Store a scored pair as the matcher would (id_l < id_r for dedup); ``list_form`` stores
    the explanation as versions before the compact form did."""
    import json
    import math

    from intake.match.explain import encode as encode_explanation
    from intake.store import now

    if kind == "dedup":
        id_l, id_r = min(id_l, id_r), max(id_l, id_r)
    p = min(max(probability, 1e-9), 1 - 1e-9)
    explanation = explanation or [
        {"field": "name", "level": "close", "bits": 3.2},
        {"field": "phone", "level": "exact", "bits": 9.5},
        {"field": "email", "level": "far", "bits": -4.1},
        {"field": "birth_date", "level": "missing", "bits": 0.0},
    ]
    db.execute(
        "INSERT OR REPLACE INTO pairs (kind, id_l, id_r, probability, weight, band,"
        " explanation, rule, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            kind,
            id_l,
            id_r,
            probability,
            math.log2(p / (1 - p)),
            band,
            json.dumps(explanation) if list_form else encode_explanation(explanation),
            "phone",
            now(),
        ],
    )


def add_account(db, **fields) -> int:
    """Insert an affected-list row (accounts.id) directly; returns its id."""
    from intake.normalize import record_keys

    row = {"import_id": 1, "source_line": 2, "account_id": "acct-1", **fields}
    keys = record_keys({f: row.get(f) for f in _FIELDS})
    row.update({k: v for k, v in keys.items() if k != "k_birth"})
    names = list(row)
    cursor = db.execute(
        f"INSERT INTO accounts ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
        [row[n] for n in names],
    )
    return cursor.lastrowid
