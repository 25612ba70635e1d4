"""Audit log viewer (being built)."""

from __future__ import annotations

from .auth import require_role
from .blueprint import bp


@bp.route("/audit")
@require_role("admin")
def audit_log():
    return "audit"
