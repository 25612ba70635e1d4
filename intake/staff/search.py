"""``/staff/search``: one box for claim reference, person id, e-mail, phone or name.

The query goes in a GET parameter so results can be bookmarked; the page is ``no-store`` and
the query is never logged or audited (it is PII).
"""

from __future__ import annotations

from flask import render_template, request

from ..db import get_db
from ..store.search import search as run_search
from .auth import require_role
from .blueprint import bp


@bp.route("/search")
@require_role("paralegal", "lawyer", "admin")
def search():
    """Find submissions; every role may search (lawyers need to look people up too)."""
    query = (request.args.get("q") or "").strip()[:200]
    kind, rows = run_search(get_db(), query) if query else ("empty", [])
    return render_template("staff/search.html", q=query, kind=kind, rows=rows)
