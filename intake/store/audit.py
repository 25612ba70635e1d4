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
    limit: int = 200,
    offset: int = 0,
) -> list[dict]:
    """Newest first, optionally filtered by action and user."""
    where, params = [], []
    if action:
        where.append("action = ?")
        params.append(action)
    if user_id is not None:
        where.append("user_id = ?")
        params.append(user_id)
    sql = "SELECT * FROM audit"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY id DESC LIMIT ? OFFSET ?"
    return list(db.query(sql, [*params, limit, offset]))
