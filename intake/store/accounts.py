"""The affected-account list: bulk load, key indexes, list metadata, candidate look-ups.

Bulk loading follows the fastest plain-SQLite recipe: one transaction per 100k rows with
``executemany``, and the key indexes dropped before a fresh load and built once after it
(building a B-tree from sorted input is far cheaper than 33.7M random inserts into one).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import sqlite_utils

from .links import STRONG_KEY_PAIR

ACCOUNT_COLUMNS = (
    "import_id",
    "source_line",
    "account_id",
    "name",
    "email",
    "phone",
    "address",
    "postal_code",
    "flags",
    "k_name",
    "k_email",
    "k_phone",
    "k_phone_tail",
    "k_postcode",
    "k_addr",
    "k_unit",
)
INSERT_ACCOUNT = (
    f"INSERT INTO accounts ({', '.join(ACCOUNT_COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in ACCOUNT_COLUMNS)})"
)
# Look-up keys of the cross-check. Partial (NOT NULL) so missing values cost no index space.
INDEXES = {
    "accounts_k_email": "accounts(k_email) WHERE k_email IS NOT NULL",
    "accounts_k_phone": "accounts(k_phone) WHERE k_phone IS NOT NULL",
    "accounts_k_name": "accounts(k_name, k_postcode) WHERE k_name IS NOT NULL",
}
LOOKUP_COLUMNS = (
    "id, account_id, k_name, k_email, k_phone, k_phone_tail, k_postcode, k_addr, k_unit, address"
)
_META = "accounts.meta"


def drop_indexes(db: sqlite_utils.Database) -> None:
    """Drop the key indexes before a fresh bulk load (rebuilt by :func:`ensure_indexes`)."""
    for name in INDEXES:
        db.execute(f"DROP INDEX IF EXISTS {name}")


def ensure_indexes(db: sqlite_utils.Database) -> list[str]:
    """Create any missing key index (idempotent); returns the names built now."""
    existing = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    built = []
    db.execute("PRAGMA cache_size = -262144")  # 256 MB page cache while sorting the keys
    for name, target in INDEXES.items():
        if name not in existing:
            db.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {target}")
            built.append(name)
    if built:
        db.execute("PRAGMA analysis_limit = 1000")  # sampled statistics: seconds, not minutes
        db.execute("ANALYZE accounts")
    db.execute("PRAGMA cache_size = -16384")
    return built


def clear_accounts(db: sqlite_utils.Database) -> None:
    """Remove the whole list (``--replace``). Unqualified DELETE is SQLite's fast truncate."""
    db.execute("DELETE FROM accounts")


def count_accounts(db: sqlite_utils.Database) -> int:
    """Rows currently in the list."""
    return db.execute("SELECT count(*) FROM accounts").fetchone()[0]


def list_size(db: sqlite_utils.Database) -> int:
    """Rows in the current list, from the import counters (no 33.7M-row count)."""
    row = db.execute(
        "SELECT coalesce(sum(rows_loaded), 0) FROM imports"
        " WHERE kind = 'accounts' AND status != 'replaced'"
    ).fetchone()
    return row[0]


def get_meta(db: sqlite_utils.Database) -> dict[str, Any]:
    """List metadata: {'version': n, 'hashed': bool, 'key_check': str | None}."""
    row = db.execute("SELECT value FROM settings WHERE key = ?", [_META]).fetchone()
    meta = {"version": 0, "hashed": False, "key_check": None}
    if row:
        meta.update(json.loads(row[0]))
    return meta


def set_meta(db: sqlite_utils.Database, **changes: Any) -> dict[str, Any]:
    """Update list metadata (the version is bumped whenever a new list finishes loading)."""
    meta = get_meta(db) | changes
    db.execute(
        "INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)",
        [_META, json.dumps(meta, sort_keys=True)],
    )
    return meta


class Lookup:
    """Candidate accounts for one set of keys through the indexes.

    All probes of one submission go in ONE statement (UNION ALL of index look-ups), prepared
    once per combination of present keys: round trips, not the B-tree searches, dominate."""

    _PROBES = {
        "email": "k_email = ?",
        "phone": "k_phone = ?",
        "name_postcode": "k_name = ? AND k_postcode = ?",
    }

    def __init__(self, db: sqlite_utils.Database, *, limit: int = 50) -> None:
        self.conn = db.conn
        self.limit = limit
        self._sql: dict[tuple[str, ...], str] = {}
        # Memory-mapped reads: index and row pages without a read() call each (~25% faster
        # look-ups measured); address space only, the OS page cache does the caching.
        self.conn.execute("PRAGMA mmap_size = 17179869184")

    def _statement(self, rules: tuple[str, ...]) -> str:
        sql = self._sql.get(rules)
        if sql is None:
            parts = [
                f"SELECT '{rule}', * FROM (SELECT {LOOKUP_COLUMNS} FROM accounts"
                f" WHERE {self._PROBES[rule]} LIMIT {self.limit})"
                for rule in rules
            ]
            sql = self._sql[rules] = " UNION ALL ".join(parts)
        return sql

    def candidates(self, keys: dict[str, Any]) -> dict[int, tuple[tuple, set[str]]]:
        """{accounts.id: (row, rules that proposed it)} for the submission's keys."""
        rules: list[str] = []
        params: list[Any] = []
        if keys.get("k_email"):
            rules.append("email")
            params.append(keys["k_email"])
        if keys.get("k_phone"):
            rules.append("phone")
            params.append(keys["k_phone"])
        if keys.get("k_name") and keys.get("k_postcode"):
            rules.append("name_postcode")
            params += (keys["k_name"], keys["k_postcode"])
        out: dict[int, tuple[tuple, set[str]]] = {}
        if not rules:
            return out
        for rule, *row in self.conn.execute(self._statement(tuple(rules)), params):
            hit = out.get(row[0])
            if hit is None:
                out[row[0]] = (tuple(row), {rule})
            else:
                hit[1].add(rule)
        return out

    # Batch probes: one statement per probe kind for many keys. The keys go in as one sorted
    # JSON array, so the index is walked in key order (neighbouring leaf pages, not random ones)
    # and each key's hits come back as ids only, straight from the (covering) key index.
    _BATCH = {
        "email": "k_email = j.value",
        "phone": "k_phone = j.value",
        # json_extract rather than ->> (SQLite 3.38+): older Pythons bundle older SQLite
        "name_postcode": (
            "k_name = json_extract(j.value, '$[0]') AND k_postcode = json_extract(j.value, '$[1]')"
        ),
    }

    def probe_many(self, rule: str, keys: Iterable[Any]) -> dict[Any, list[int]]:
        """{key: accounts.ids} for many keys of one probe kind (``name_postcode`` keys are
        (name, postcode) tuples); at most ``limit`` ids per key, in index order, like
        :meth:`candidates`. Keys without hits are left out."""
        ordered = sorted(set(keys))
        if not ordered:
            return {}
        payload = [list(k) for k in ordered] if rule == "name_postcode" else ordered
        sql = (
            f"SELECT j.key, (SELECT group_concat(id) FROM (SELECT id FROM accounts"
            f" WHERE {self._BATCH[rule]} LIMIT {self.limit})) FROM json_each(?) j"
        )
        found = self.conn.execute(sql, [json.dumps(payload, ensure_ascii=False)])
        return {ordered[i]: [int(x) for x in ids.split(",")] for i, ids in found if ids}

    def rows(self, ids: Iterable[int]) -> dict[int, tuple]:
        """{accounts.id: row (``LOOKUP_COLUMNS``)} for many accounts in one statement; SQLite
        reads them in id order, so table pages are visited once each, front to back."""
        wanted = sorted(set(ids))
        if not wanted:
            return {}
        sql = f"SELECT {LOOKUP_COLUMNS} FROM accounts WHERE id IN (SELECT value FROM json_each(?))"
        return {r[0]: r for r in self.conn.execute(sql, [json.dumps(wanted)])}


def account_rows(db: sqlite_utils.Database, ids: list[int]) -> list[dict[str, Any]]:
    """Full account rows by accounts.id (for the review screen; contains personal data)."""
    if not ids:
        return []
    marks = ",".join("?" for _ in ids)
    return list(db.query(f"SELECT * FROM accounts WHERE id IN ({marks})", ids))


def fraud_flags(db: sqlite_utils.Database, *, many_accounts: int = 3) -> list[dict[str, Any]]:
    """Fraud signals for review (ids and counts only).

    - ``account_many_claimants``: one account matched (verified or probable) by submissions of
      several different persons (person_id from the dedup; an unmatched submission counts alone).
    - ``claimant_many_accounts``: one submission whose e-mail or phone hit ``many_accounts``
      or more accounts with a link/review pair (``links.STRONG_KEY_PAIR``).
    """
    flags: list[dict[str, Any]] = []
    rows = db.execute(
        """
        SELECT account_row, group_concat(id), count(DISTINCT coalesce(person_id, 'S' || id))
        FROM submissions_with_matches
        WHERE account_row IS NOT NULL AND account_status IN ('verified', 'probable')
        GROUP BY account_row
        HAVING count(DISTINCT coalesce(person_id, 'S' || id)) > 1
        """
    )
    for account_row, ids, persons in rows:
        flags.append(
            {
                "kind": "account_many_claimants",
                "account_row": account_row,
                "submission_ids": sorted(int(i) for i in ids.split(",")),
                "count": persons,
            }
        )
    rows = db.execute(
        f"""
        SELECT id_l, group_concat(id_r), count(*) FROM pairs
        WHERE kind = 'link' AND band IN ('link', 'review') AND {STRONG_KEY_PAIR}
        GROUP BY id_l HAVING count(*) >= ?
        """,
        [many_accounts],
    )
    for sid, ids, n in rows:
        flags.append(
            {
                "kind": "claimant_many_accounts",
                "submission_id": sid,
                "account_rows": sorted(int(i) for i in ids.split(",")),
                "count": n,
            }
        )
    return flags
