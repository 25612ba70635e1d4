"""Human review decisions on pairs. Append-only: undo marks a row, it never deletes it.

The effective decision of a pair is its latest not-undone 'same' or 'different'
('skip' only records that a reviewer passed). Every matcher run honours these.
"""

from __future__ import annotations

import sqlite_utils

from . import now

DECISIONS = ("same", "different", "skip")


def ordered(kind: str, id_l: int, id_r: int) -> tuple[int, int]:
    """Dedup pairs are stored lower id first; link pairs are (submission, account)."""
    return (min(id_l, id_r), max(id_l, id_r)) if kind == "dedup" else (id_l, id_r)


def add_decision(
    db: sqlite_utils.Database,
    kind: str,
    id_l: int,
    id_r: int,
    decision: str,
    *,
    user_id: int | None,
    note: str | None = None,
) -> int:
    """Store a reviewer's decision and return its id."""
    if decision not in DECISIONS:
        raise ValueError(f"decision must be one of {DECISIONS}, not {decision!r}")
    id_l, id_r = ordered(kind, id_l, id_r)
    cursor = db.execute(
        "INSERT INTO decisions (kind, id_l, id_r, decision, note, user_id, decided_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [kind, id_l, id_r, decision, note, user_id, now()],
    )
    return cursor.lastrowid


def undo_decision(db: sqlite_utils.Database, decision_id: int, *, user_id: int | None) -> bool:
    """Mark a decision undone; returns False when it was already undone or does not exist."""
    cursor = db.execute(
        "UPDATE decisions SET undone_at = ?, undone_by = ? WHERE id = ? AND undone_at IS NULL",
        [now(), user_id, decision_id],
    )
    return cursor.rowcount == 1


def effective_decisions(db: sqlite_utils.Database, kind: str) -> dict[tuple[int, int], str]:
    """(id_l, id_r) -> 'same' | 'different' for every pair whose latest live decision is one."""
    rows = db.execute(
        "SELECT id_l, id_r, decision FROM decisions"
        " WHERE kind = ? AND undone_at IS NULL AND decision != 'skip' ORDER BY id",
        [kind],
    )
    return {(l_, r_): d for l_, r_, d in rows}


def decisions_for_pair(db: sqlite_utils.Database, kind: str, id_l: int, id_r: int) -> list[dict]:
    """History of one pair, oldest first (undone ones included)."""
    id_l, id_r = ordered(kind, id_l, id_r)
    return list(
        db.query(
            "SELECT * FROM decisions WHERE kind = ? AND id_l = ? AND id_r = ? ORDER BY id",
            [kind, id_l, id_r],
        )
    )
