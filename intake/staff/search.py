"""Search (being built)."""

from __future__ import annotations

from .auth import require_role
from .blueprint import bp


@bp.route("/search")
@require_role("paralegal", "lawyer", "admin")
def search():
    return "search"
