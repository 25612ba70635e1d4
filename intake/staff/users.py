"""User administration (being built)."""

from __future__ import annotations

from .auth import require_role
from .blueprint import bp


@bp.route("/users")
@require_role("admin")
def users():
    return "users"
