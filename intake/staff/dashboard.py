"""``/staff/``: today's intake, persons, account statuses, review backlog and fraud signals."""

from __future__ import annotations

from flask import render_template

from ..db import get_db
from ..store import dashboard as figures
from .auth import require_role
from .blueprint import bp
from .cache import cached


@bp.route("/")
@require_role("paralegal", "lawyer", "admin")
def dashboard():
    """Every role sees the dashboard (counts and ids only)."""
    db = get_db()
    return render_template(
        "staff/dashboard.html",
        counts=figures.counts(db),
        hubs=cached("hubs", lambda: figures.hubs(db, limit=20)),
        bursts=cached("bursts", lambda: figures.bursts(db, limit=20))
        + cached("link_signals", lambda: figures.link_signals(db, limit=20)),
    )
