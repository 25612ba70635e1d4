"""The review queue, pair details and progress for the staff workspace (SQL only here).

"Most useful first": a pair's priority is its distance from probability 0.5 (where the evidence
is balanced, a human label teaches the most), reduced for large clusters (a wrong link there
merges many claims) and for pairs touching a fraud signal. Skipped pairs go to the back.
"""

from __future__ import annotations

import json

import sqlite_utils

from .dashboard import start_of_today

KINDS = ("dedup", "link")
RECORD_FIELDS = ("name", "email", "phone", "address", "postal_code", "birth_date")

_LIVE = "d.kind = p.kind AND d.id_l = p.id_l AND d.id_r = p.id_r AND d.undone_at IS NULL"
_QUEUE_SQL = f"""
WITH flagged AS (SELECT value AS id FROM json_each(?)),
q AS (
    SELECT p.kind, p.id_l, p.id_r, p.probability, p.weight, p.band, p.rule,
        l.name AS name_l,
        CASE WHEN p.kind = 'dedup' THEN r.name
             ELSE (SELECT a.name FROM accounts a WHERE a.id = p.id_r) END AS name_r,
        CASE WHEN l.person_id IS NULL THEN 1 ELSE
            (SELECT COUNT(*) FROM match_results s WHERE s.person_id = l.person_id) END AS size_l,
        CASE WHEN p.kind != 'dedup' OR r.person_id IS NULL THEN 1 ELSE
            (SELECT COUNT(*) FROM match_results s WHERE s.person_id = r.person_id) END AS size_r,
        (p.id_l IN (SELECT id FROM flagged)
         OR (p.kind = 'dedup' AND p.id_r IN (SELECT id FROM flagged))) AS fraud,
        EXISTS (SELECT 1 FROM decisions d WHERE {_LIVE} AND d.decision = 'skip') AS skipped
    FROM pairs p
    JOIN submissions_with_matches l ON l.id = p.id_l
    LEFT JOIN submissions_with_matches r ON p.kind = 'dedup' AND r.id = p.id_r
    WHERE p.band = 'review'
      AND NOT EXISTS (SELECT 1 FROM decisions d WHERE {_LIVE} AND d.decision != 'skip')
)
SELECT *, ABS(probability - 0.5) - 0.03 * MIN(size_l + size_r - 2, 10) - 0.5 * fraud
    AS priority
FROM q
"""


def queue(
    db: sqlite_utils.Database,
    *,
    kind: str | None = None,
    flagged: set[int] | frozenset[int] = frozenset(),
    fraud_only: bool = False,
    include_skipped: bool = True,
    exclude: tuple[str, int, int] | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[dict]:
    """Open review pairs (no live same/different decision), most useful first."""
    where, params = [], [json.dumps(sorted(flagged))]
    if kind in KINDS:
        where.append("kind = ?")
        params.append(kind)
    if fraud_only:
        where.append("fraud")
    if not include_skipped:
        where.append("NOT skipped")
    if exclude:
        where.append("NOT (kind = ? AND id_l = ? AND id_r = ?)")
        params.extend(exclude)
    sql = _QUEUE_SQL + (" WHERE " + " AND ".join(where) if where else "")
    sql += " ORDER BY skipped, priority, kind, id_l, id_r LIMIT ? OFFSET ?"
    return [dict(row) for row in db.query(sql, [*params, limit, offset])]


def progress(db: sqlite_utils.Database, *, user_id: int | None = None) -> dict:
    """Open and decided review pairs, and how many decisions this user made today (KST)."""
    open_, decided = db.execute(
        "SELECT SUM(NOT EXISTS (SELECT 1 FROM decisions d WHERE "
        + _LIVE
        + " AND d.decision != 'skip')), SUM(EXISTS (SELECT 1 FROM decisions d WHERE "
        + _LIVE
        + " AND d.decision != 'skip')) FROM pairs p"
        " WHERE p.band = 'review' OR EXISTS (SELECT 1 FROM decisions d WHERE " + _LIVE + ")"
    ).fetchone()
    mine = 0
    if user_id is not None:
        today = start_of_today()
        mine = db.execute(
            "SELECT COUNT(*) FROM decisions WHERE user_id = ? AND decided_at >= ?"
            " AND undone_at IS NULL",
            [user_id, today],
        ).fetchone()[0]
    open_, decided = open_ or 0, decided or 0
    return {"open": open_, "decided": decided, "total": open_ + decided, "mine_today": mine}


def get_pair(db: sqlite_utils.Database, kind: str, id_l: int, id_r: int) -> dict | None:
    """A stored pair (its explanation as stored text: ``intake.match.explain.decode`` reads
    it), or None."""
    rows = list(
        db.query("SELECT * FROM pairs WHERE kind = ? AND id_l = ? AND id_r = ?", [kind, id_l, id_r])
    )
    if not rows:
        return None
    return dict(rows[0])


def get_submission(db: sqlite_utils.Database, submission_id: int) -> dict | None:
    """One submission row as a dict, or None."""
    rows = list(db.query("SELECT * FROM submissions_with_matches WHERE id = ?", [submission_id]))
    return dict(rows[0]) if rows else None


def get_account(db: sqlite_utils.Database, account_row: int) -> dict | None:
    """One affected-list row (accounts.id) as a dict, or None."""
    rows = list(db.query("SELECT * FROM accounts WHERE id = ?", [account_row]))
    return dict(rows[0]) if rows else None


def cluster(db: sqlite_utils.Database, person_id: str | None, *, limit: int = 50) -> list[dict]:
    """The submissions of one person (oldest first)."""
    if not person_id:
        return []
    return [
        dict(row)
        for row in db.query(
            "SELECT * FROM submissions_with_matches WHERE person_id = ?"
            " ORDER BY submitted_at, id LIMIT ?",
            [person_id, limit],
        )
    ]


def person_submissions(db: sqlite_utils.Database, person_id: str) -> list[dict]:
    """Every submission of a person, oldest first."""
    return cluster(db, person_id, limit=100_000)


def decisions_touching(db: sqlite_utils.Database, submission_ids: list[int]) -> list[dict]:
    """Every decision (undone ones too) on a pair involving these submissions, newest first."""
    if not submission_ids:
        return []
    ids = json.dumps(submission_ids)
    return [
        dict(row)
        for row in db.query(
            "SELECT d.*, u.email AS user_email FROM decisions d"
            " LEFT JOIN users u ON u.id = d.user_id"
            " WHERE d.id_l IN (SELECT value FROM json_each(?))"
            " OR (d.kind = 'dedup' AND d.id_r IN (SELECT value FROM json_each(?)))"
            " ORDER BY d.id DESC",
            [ids, ids],
        )
    ]


def pairs_touching(db: sqlite_utils.Database, submission_ids: list[int]) -> list[dict]:
    """Stored pairs involving these submissions (both kinds), highest probability first."""
    if not submission_ids:
        return []
    ids = json.dumps(submission_ids)
    return [
        dict(row)
        for row in db.query(
            "SELECT kind, id_l, id_r, probability, band FROM pairs"
            " WHERE id_l IN (SELECT value FROM json_each(?))"
            " OR (kind = 'dedup' AND id_r IN (SELECT value FROM json_each(?)))"
            " ORDER BY probability DESC",
            [ids, ids],
        )
    ]


def links_within(
    db: sqlite_utils.Database, submission_id: int, others: list[int]
) -> list[tuple[int, int]]:
    """Dedup pairs joining ``submission_id`` to any of ``others`` (what a split must cut)."""
    if not others:
        return []
    ids = json.dumps(others)
    return [
        (row[0], row[1])
        for row in db.execute(
            "SELECT id_l, id_r FROM pairs WHERE kind = 'dedup' AND ("
            " (id_l = ? AND id_r IN (SELECT value FROM json_each(?)))"
            " OR (id_r = ? AND id_l IN (SELECT value FROM json_each(?))))",
            [submission_id, ids, submission_id, ids],
        )
    ]


def get_decision(db: sqlite_utils.Database, decision_id: int) -> dict | None:
    """One decision row, or None."""
    rows = list(db.query("SELECT * FROM decisions WHERE id = ?", [decision_id]))
    return dict(rows[0]) if rows else None


def audit_for_targets(db: sqlite_utils.Database, targets: list[str], limit: int = 100) -> list:
    """Audit events about these targets ('person:P-..', 'submission:12'), newest first."""
    if not targets:
        return []
    return [
        dict(row)
        for row in db.query(
            "SELECT a.*, u.email AS user_email FROM audit a LEFT JOIN users u ON u.id = a.user_id"
            " WHERE a.target IN (SELECT value FROM json_each(?)) ORDER BY a.id DESC LIMIT ?",
            [json.dumps(targets), limit],
        )
    ]


def first_open(
    db: sqlite_utils.Database,
    candidates: list[tuple[str, int, int]],
    *,
    since: str,
    max_checks: int = 50,
) -> tuple[str, int, int] | None:
    """The first candidate still worth showing: no live same/different decision, and not
    skipped after ``since`` (when the candidate order was ranked). None after ``max_checks``."""
    for kind, id_l, id_r in candidates[:max_checks]:
        row = db.execute(
            "SELECT decision, decided_at FROM decisions WHERE kind = ? AND id_l = ? AND id_r = ?"
            " AND undone_at IS NULL ORDER BY id DESC LIMIT 1",
            [kind, id_l, id_r],
        ).fetchone()
        if row is None or (row[0] == "skip" and row[1] < since):
            return kind, id_l, id_r
    return None
