"""Person pages (being built)."""

from __future__ import annotations

from .auth import require_role
from .blueprint import bp


@bp.route("/submissions/<int:submission_id>")
@require_role("paralegal", "lawyer", "admin")
def submission(submission_id: int):
    return str(submission_id)
