"""``/staff/audit`` (admins): the append-only audit log, filterable by action, user and date."""

from __future__ import annotations

import json

from flask import render_template, request

from ..db import get_db
from ..store.audit import audit_events
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
    rows = audit_events(db, action=action, user_id=user_id, limit=PAGE + 1, offset=page * PAGE)
    for row in rows:
        row["detail"] = json.loads(row["detail"] or "{}")
    actions = [r[0] for r in db.execute("SELECT DISTINCT action FROM audit ORDER BY action")]
    return render_template(
        "staff/audit.html",
        rows=rows[:PAGE],
        more=len(rows) > PAGE,
        page=page,
        action=action,
        user_id=user_id,
        actions=actions,
        users={u["id"]: u["email"] for u in list_users(db)},
    )
