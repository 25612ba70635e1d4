"""SQL of the affected-list cross-check: which submissions to link, and storing the results.

Results of one submission (status, account, score, explanation, its kind='link' pairs) are
written in one statement group so a reader never sees a half-linked claim.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, NamedTuple

import sqlite_utils

from . import now, pragmas

SUBMISSION_KEYS = (
    "id, person_id, k_name, k_email, k_phone, k_phone_tail, k_birth, k_postcode, k_addr, k_unit"
)


class LinkResult(NamedTuple):
    """The cross-check outcome of one submission (a tuple: cheap to send between processes)."""

    submission_id: int
    status: str  # 'verified' | 'probable' | 'unverified'
    account_row: int | None = None
    account_id: str | None = None
    score: float | None = None
    explanation: str | None = None  # stored text, ``intake.match.explain.encode``'s form
    pairs: Sequence[tuple[int, float, float, str, str, str]] = ()
    # pairs: (accounts.id, probability, weight, band, explanation text, rule)


def submissions_to_link(
    db: sqlite_utils.Database, *, full: bool, chunk: int = 10_000
) -> Iterator[list[tuple]]:
    """Chunks of submission key rows in id order: all of them, or only the never-linked ones."""
    where = "" if full else "AND linked_at IS NULL"
    last = 0
    while True:
        rows = db.execute(
            f"SELECT {SUBMISSION_KEYS} FROM submissions_with_matches"
            f" WHERE id > ? {where} ORDER BY id LIMIT ?",
            [last, chunk],
        ).fetchall()
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def count_to_link(db: sqlite_utils.Database, *, full: bool) -> int:
    """How many submissions a run will look at (for the progress bar)."""
    sql = "SELECT count(*) FROM submissions" + ("" if full else " WHERE linked_at IS NULL")
    return db.execute(sql).fetchone()[0]


def submission_keys(db: sqlite_utils.Database, submission_id: int) -> tuple | None:
    """The key row of one submission (same column order as the batch)."""
    return db.execute(
        f"SELECT {SUBMISSION_KEYS} FROM submissions_with_matches WHERE id = ?", [submission_id]
    ).fetchone()


def link_decisions(
    db: sqlite_utils.Database, submission_id: int | None = None
) -> dict[tuple[int, int], str]:
    """(submission id, accounts.id) -> 'same' | 'different': the reviewers' live decisions."""
    sql = (
        "SELECT id_l, id_r, decision FROM decisions"
        " WHERE kind = 'link' AND undone_at IS NULL AND decision != 'skip'"
    )
    params: list[Any] = []
    if submission_id is not None:
        sql += " AND id_l = ?"
        params.append(submission_id)
    return {(l_, r_): d for l_, r_, d in db.execute(sql + " ORDER BY id", params)}


def write_results(
    db: sqlite_utils.Database, results: Sequence[LinkResult], *, replace_pairs: bool = True
) -> None:
    """Store a batch of results in one transaction (old link pairs of these claims replaced,
    unless the caller already cleared them: ``replace_pairs=False``)."""
    stamp = now()
    updates = [
        (
            r.status,
            r.account_id,
            r.account_row,
            r.score,
            r.explanation,
            stamp,
            r.submission_id,
        )
        for r in results
    ]
    pairs = [
        (r.submission_id, acc, p, w, band, expl, rule, stamp)
        for r in results
        for acc, p, w, band, expl, rule in r.pairs
    ]
    conn = db.conn
    own = not conn.in_transaction
    if own:
        conn.execute("BEGIN IMMEDIATE")
    try:
        if replace_pairs:
            conn.executemany(
                "DELETE FROM pairs WHERE kind = 'link' AND id_l = ?",
                [(r.submission_id,) for r in results],
            )
        conn.executemany(
            "UPDATE submissions SET account_status = ?, account_id = ?, account_row = ?,"
            " account_score = ?, account_explanation = ?, linked_at = ? WHERE id = ?",
            updates,
        )
        conn.executemany(
            "INSERT INTO pairs (kind, id_l, id_r, probability, weight, band, explanation, rule,"
            " updated_at) VALUES ('link', ?, ?, ?, ?, ?, ?, ?, ?)",
            pairs,
        )
        if own:
            conn.execute("COMMIT")
    except BaseException:
        if own:
            conn.execute("ROLLBACK")
        raise


@contextmanager
def bulk_writes(
    db: sqlite_utils.Database, *, cache_mb: int = 64, checkpoint_pages: int = 16384
) -> Iterator[None]:
    """A bigger page cache and rarer WAL checkpoints while a batch writes results: the
    submissions rows and the pair indexes stay cached between chunks, and a page rewritten by
    several chunks is copied back into the (multi-GB) database file once, not once per
    checkpoint. The connection's settings are restored afterwards."""
    with pragmas(db.conn, cache_size=-int(cache_mb) * 1024, wal_autocheckpoint=checkpoint_pages):
        yield


def clear_link_pairs(db: sqlite_utils.Database) -> None:
    """Drop every link pair before a full re-check (cheaper than one delete per claim)."""
    db.execute("DELETE FROM pairs WHERE kind = 'link'")


def has_link_pairs_unlinked(db: sqlite_utils.Database) -> bool:
    """Whether any never-linked claim already has link pairs (normally never)."""
    row = db.execute(
        "SELECT 1 FROM pairs p JOIN submissions s ON s.id = p.id_l"
        " WHERE p.kind = 'link' AND s.linked_at IS NULL LIMIT 1"
    ).fetchone()
    return row is not None


def shared_accounts(
    db: sqlite_utils.Database, account_rows: Sequence[int] | None = None
) -> list[tuple[int, list[int]]]:
    """Accounts matched by submissions of two or more different persons: (row, submission ids).

    A submission not yet deduplicated (no person_id) counts as its own person.
    """
    sql = (
        "SELECT account_row, group_concat(id) FROM submissions_with_matches"
        " WHERE account_row IS NOT NULL AND account_status IN ('verified', 'probable')"
    )
    params: list[Any] = []
    if account_rows is not None:
        if not account_rows:
            return []
        sql += f" AND account_row IN ({','.join('?' for _ in account_rows)})"
        params = list(account_rows)
    sql += " GROUP BY account_row HAVING count(DISTINCT coalesce(person_id, 'S' || id)) > 1"
    return [(row, sorted(int(i) for i in ids.split(","))) for row, ids in db.execute(sql, params)]


def send_to_review(db: sqlite_utils.Database, submission_ids: Sequence[int]) -> int:
    """Verified -> probable and their link pairs -> band 'review' (fraud signal: a human looks).

    Returns how many submissions changed status."""
    if not submission_ids:
        return 0
    marks = ",".join("?" for _ in submission_ids)
    ids = list(submission_ids)
    cur = db.execute(
        f"UPDATE submissions SET account_status = 'probable'"
        f" WHERE id IN ({marks}) AND account_status = 'verified'",
        ids,
    )
    db.execute(
        f"UPDATE pairs SET band = 'review' WHERE kind = 'link' AND band = 'link'"
        f" AND id_l IN ({marks})",
        ids,
    )
    return cur.rowcount


STRONG_KEY_PAIR = "(rule LIKE '%email%' OR rule LIKE '%phone%')"
"""A link pair that an e-mail or a phone proposed: what "a claimant matching many accounts"
counts. Why not every pair: accounts proposed by name + postcode alone are namesakes, not
matches; at full scale a common name has several accounts in one postcode (1M claimants
against 10M accounts: 178,267 claims were flagged, almost all for namesakes alone)."""


def many_account_claimants(db: sqlite_utils.Database, threshold: int) -> list[int]:
    """Submissions whose e-mail or phone proposed ``threshold`` or more accounts with a
    link/review pair."""
    rows = db.execute(
        "SELECT id_l FROM pairs WHERE kind = 'link' AND band IN ('link', 'review')"
        f" AND {STRONG_KEY_PAIR} GROUP BY id_l HAVING count(*) >= ?",
        [threshold],
    )
    return [r[0] for r in rows]


def status_counts(db: sqlite_utils.Database) -> dict[str, int]:
    """Submissions per account status."""
    rows = db.execute("SELECT account_status, count(*) FROM submissions GROUP BY account_status")
    return dict(rows.fetchall())


_LINK_META = "link.meta"


def status_of(db: sqlite_utils.Database, submission_id: int) -> str | None:
    """The stored account status of one submission."""
    row = db.execute("SELECT account_status FROM submissions WHERE id = ?", [submission_id])
    found = row.fetchone()
    return found[0] if found else None


def linked_version(db: sqlite_utils.Database) -> int:
    """The list version the last full batch cross-check ran against (0: never)."""
    row = db.execute("SELECT value FROM settings WHERE key = ?", [_LINK_META]).fetchone()
    return json.loads(row[0]).get("version", 0) if row else 0


def set_linked_version(db: sqlite_utils.Database, version: int) -> None:
    """Record that every submission has been checked against list ``version``."""
    db.execute(
        "INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)",
        [_LINK_META, json.dumps({"version": version})],
    )
