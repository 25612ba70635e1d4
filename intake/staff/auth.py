"""Staff sign-in and the ``require_role`` gate every staff view goes through.

The session holds only the user id, the user's ``session_version`` and two times. Each request
re-reads the user, so deactivation, a role change, a new password or expiry end an open session
on its very next request (the breach came from an ex-employee's key nobody revoked).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from flask import (
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _

from ..db import get_db
from ..store import staff as users
from ..store.audit import audit
from ..web import limiter
from .blueprint import bp

_KEYS = ("staff_uid", "staff_sv", "staff_login", "staff_seen")


def _now() -> float:
    return users.utcnow().timestamp()


def _end_session() -> None:
    for key in _KEYS:
        session.pop(key, None)


def _session_problem(user: dict | None) -> str | None:
    """Why the open session may not continue, or None when it may."""
    config = current_app.config
    now = _now()
    if not users.is_usable(user):
        return "revoked"
    if user["session_version"] != session.get("staff_sv"):
        return "revoked"
    if now - float(session.get("staff_login", 0)) > float(config["STAFF_SESSION_HOURS"]) * 3600:
        return "lifetime"
    if now - float(session.get("staff_seen", 0)) > float(config["STAFF_IDLE_MINUTES"]) * 60:
        return "idle"
    return None


def current_user() -> dict | None:
    """The signed-in staff member as dict(id, email, role), checked against the DB; else None."""
    if "user" in g:
        return g.user
    g.user = None
    uid = session.get("staff_uid")
    if uid is None:
        return None
    db = get_db()
    user = users.get_user(db, uid)
    problem = _session_problem(user)
    if problem:
        _end_session()
        g.session_ended = problem
        audit(db, "session_ended", user_id=uid, target=f"user:{uid}", reason=problem)
        return None
    session["staff_seen"] = _now()
    g.user = {"id": user["id"], "email": user["email"], "role": user["role"]}
    return g.user


def has_role(user: dict | None, *roles: str) -> bool:
    """Admins may do everything; others need one of ``roles``."""
    return bool(user) and (user["role"] == "admin" or user["role"] in roles)


def _login_redirect():
    reason = g.get("session_ended")
    if reason == "idle":
        flash(_("You were signed out after a period of inactivity."), "info")
    elif reason:
        flash(_("Your session has ended. Please sign in again."), "info")
    target = request.full_path.rstrip("?") if request.method == "GET" else None
    return redirect(url_for("staff.login", next=target))


def require_role(*roles: str) -> Callable:
    """View decorator: anonymous -> 302 to the login page; signed in with another role -> 403.

    ``admin`` is always allowed. Sets ``g.user`` = dict(id, email, role).
    """

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any):
            user = current_user()
            if user is None:
                return _login_redirect()
            if not has_role(user, *roles):
                abort(403)
            return view(*args, **kwargs)

        wrapped.staff_roles = roles  # read by the docs/tests route table
        return wrapped

    return decorator


def _safe_next(target: str | None) -> str:
    """Only same-site staff paths; anything else goes to the dashboard."""
    if target:
        parts = urlsplit(target)
        if (
            not parts.scheme
            and not parts.netloc
            and target.startswith("/staff")
            and not target.startswith("/staff/login")
            and "\\" not in target
        ):
            return target
    return url_for("staff.dashboard")


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    """E-mail + password. Every failure gets the same message, known e-mail or not."""
    if request.method == "GET":
        if current_user() is not None:
            return redirect(_safe_next(request.args.get("next")))
        return render_template("staff/login.html", next=request.args.get("next", ""))
    db = get_db()
    config = current_app.config
    result = users.verify_login(
        db,
        request.form.get("email", ""),
        request.form.get("password", ""),
        max_failures=int(config["LOGIN_MAX_FAILURES"]),
        lockout_minutes=int(config["LOGIN_LOCKOUT_MINUTES"]),
    )
    if not result.ok:
        known = result.user is not None
        audit(
            db,
            "login_failed",
            target=f"user:{result.user['id']}" if known else None,
            reason=result.reason,
        )
        flash(
            _(
                "Sign-in failed. Check the e-mail and password. After several failed attempts "
                "sign-in is paused for a while; ask an administrator if it keeps failing."
            ),
            "error",
        )
        return render_template("staff/login.html", next=request.form.get("next", "")), 401
    user = result.user
    lang = session.get("lang")
    session.clear()  # a fresh session (and CSRF token) on every sign-in: no fixation
    if lang:
        session["lang"] = lang
    now = _now()
    session.update(staff_uid=user["id"], staff_sv=user["session_version"])
    session.update(staff_login=now, staff_seen=now)
    audit(db, "login", user_id=user["id"], target=f"user:{user['id']}")
    return redirect(_safe_next(request.form.get("next")))


@bp.route("/logout", methods=["POST"])
def logout():
    """Sign out everywhere: cookie sessions can be replayed, so the version is bumped too."""
    user = current_user()
    if user is not None:
        db = get_db()
        users.end_sessions(db, user["id"])
        audit(db, "logout", user_id=user["id"], target=f"user:{user['id']}")
    _end_session()
    flash(_("You are signed out."), "info")
    return redirect(url_for("staff.login"))


@bp.errorhandler(403)
def forbidden(_error):
    """A staff page this role may not use: say so plainly, with a way back."""
    return render_template("staff/forbidden.html"), 403
