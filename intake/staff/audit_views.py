"""``/staff/audit`` (admins): the append-only audit log, filterable by action, user and date."""

from __future__ import annotations

import json
from datetime import date

from flask import render_template, request

from ..db import get_db
from ..store import audit as store_audit
from ..store.staff import list_users
from .auth import require_role
from .blueprint import bp

PAGE = 100


@bp.route("/audit")
@require_role("admin")
def audit_log():
    """Newest first; ids and counts only (no PII is ever written to it)."""
    db = get_db()
    action = request.args.get("action") or None
    try:
        user_id = int(request.args["user"]) if request.args.get("user") else None
        page = max(0, int(request.args.get("page", 0)))
    except ValueError:
        user_id, page = None, 0
    since, until = _day(request.args.get("since")), _day(request.args.get("until"))
    rows = store_audit.audit_events(
        db,
        action=action,
        user_id=user_id,
        since=since,
        until=until,
        limit=PAGE + 1,
        offset=page * PAGE,
    )
    for row in rows:
        row["detail"] = json.loads(row["detail"] or "{}")
    return render_template(
        "staff/audit.html",
        rows=rows[:PAGE],
        more=len(rows) > PAGE,
        page=page,
        action=action,
        user_id=user_id,
        actions=store_audit.actions(db),
        since=since or "",
        until=until or "",
        users={u["id"]: u["email"] for u in list_users(db)},
    )


def _day(text: str | None) -> str | None:
    """A valid 'YYYY-MM-DD' or None (bad input is ignored, not an error page)."""
    try:
        return date.fromisoformat(text).isoformat() if text else None
    except ValueError:
        return None
