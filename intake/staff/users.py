"""``/staff/users`` (admins): add users, change roles, expiry, deactivate and reactivate.

Every change is audited by user id and ends that user's open sessions at once.
"""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..db import get_db
from ..store import staff as accounts
from ..store.audit import audit
from .auth import require_role
from .blueprint import bp


@bp.route("/users")
@require_role("admin")
def users():
    """The user list with inline actions."""
    return render_template(
        "staff/users.html", users=accounts.list_users(get_db()), roles=accounts.ROLES
    )


@bp.route("/users/add", methods=["POST"])
@require_role("admin")
def user_add():
    """Create a user (the admin types a first password and hands it over out of band)."""
    db = get_db()
    form = request.form
    try:
        user_id = accounts.add_user(
            db,
            form.get("email", ""),
            form.get("password", ""),
            form.get("role", ""),
            expires_at=form.get("expires_at") or None,
        )
    except accounts.UserError as exc:
        flash(str(exc), "error")
        return redirect(url_for("staff.users"))
    audit(
        db,
        "user_add",
        user_id=g.user["id"],
        target=f"user:{user_id}",
        role=form.get("role"),
        expires=bool(form.get("expires_at")),
    )
    flash(_("User #%(id)s added.", id=user_id), "info")
    return redirect(url_for("staff.users"))


@bp.route("/users/<int:user_id>", methods=["POST"])
@require_role("admin")
def user_change(user_id: int):
    """One action on one user: role, expiry, deactivate, activate or password."""
    db = get_db()
    if accounts.get_user(db, user_id) is None:
        abort(404)
    action = request.form.get("action", "")
    detail: dict = {}
    try:
        if action == "role":
            detail["role"] = request.form.get("role", "")
            accounts.set_role(db, user_id, detail["role"])
        elif action == "expiry":
            accounts.set_expiry(db, user_id, request.form.get("expires_at") or None)
            detail["expires"] = bool(request.form.get("expires_at"))
        elif action == "deactivate":
            accounts.deactivate(db, user_id)
        elif action == "activate":
            accounts.activate(db, user_id)
        elif action == "password":
            accounts.set_password(db, user_id, request.form.get("password", ""))
        else:
            abort(400)
    except accounts.UserError as exc:
        flash(str(exc), "error")
        return redirect(url_for("staff.users"))
    audit(db, f"user_{action}", user_id=g.user["id"], target=f"user:{user_id}", **detail)
    flash(_("User #%(id)s updated.", id=user_id), "info")
    return redirect(url_for("staff.users"))
