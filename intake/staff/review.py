"""Review queue and pair pages (being built)."""

from __future__ import annotations

from .auth import require_role
from .blueprint import bp


@bp.route("/review")
@require_role("paralegal", "admin")
def review_queue():
    return "review queue"
