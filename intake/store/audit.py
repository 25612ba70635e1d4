"""Append-only audit log: who did what, when, by ID. Never put PII in ``target`` or ``detail``."""

from __future__ import annotations

import json
from typing import Any

import sqlite_utils

from . import now


def audit(
    db: sqlite_utils.Database,
    action: str,
    *,
    user_id: int | None = None,
    target: str | None = None,
    **detail: Any,
) -> int:
    """Record one event. ``target`` is like ``'submission:12'``; ``detail`` holds ids and counts."""
    cursor = db.execute(
        "INSERT INTO audit (at, user_id, action, target, detail) VALUES (?, ?, ?, ?, ?)",
        [now(), user_id, action, target, json.dumps(detail, ensure_ascii=False, sort_keys=True)],
    )
    return cursor.lastrowid


def audit_events(
    db: sqlite_utils.Database,
    *,
    action: str | None = None,
    user_id: int | None = None,
    since: str | None = None,
    until: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[dict]:
    """Newest first. ``since``/``until`` are inclusive 'YYYY-MM-DD' days (UTC)."""
    where, params = [], []
    if action:
        where.append("action = ?")
        params.append(action)
    if user_id is not None:
        where.append("user_id = ?")
        params.append(user_id)
    if since:
        where.append("at >= ?")
        params.append(since)
    if until:
        where.append("at < date(?, '+1 day')")
        params.append(until)
    sql = "SELECT * FROM audit" + (" WHERE " + " AND ".join(where) if where else "")
    sql += " ORDER BY id DESC LIMIT ? OFFSET ?"
    return [dict(row) for row in db.query(sql, [*params, limit, offset])]


def actions(db: sqlite_utils.Database) -> list[str]:
    """Every action name that occurs, for the filter menu."""
    return [row[0] for row in db.execute("SELECT DISTINCT action FROM audit ORDER BY action")]
