"""Staff accounts: scrypt password hashes, roles, expiry, lockout and session revocation.

Every change that should end a user's open sessions (deactivation, role change, new password,
logout) bumps ``session_version``; the web layer compares it with the session on each request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import sqlite_utils
from werkzeug.security import check_password_hash, generate_password_hash

ROLES = ("paralegal", "lawyer", "admin")
MIN_PASSWORD_LENGTH = 10
HASH_METHOD = "scrypt"  # werkzeug's default scrypt cost (n=2**15, r=8, p=1)
# Checked against when the e-mail is unknown, so a miss costs as much time as a wrong password.
_DUMMY_HASH = generate_password_hash("not-a-real-password", method="scrypt")


class UserError(ValueError):
    """A user-management request that cannot be done (message is safe to show to admins)."""


def utcnow() -> datetime:
    """The clock for logins, lockouts, expiry and session ages (tests monkeypatch this)."""
    return datetime.now(UTC)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def parse_time(text: str | None) -> datetime | None:
    """ISO text from the database (or a bare date) as an aware UTC datetime."""
    if not text:
        return None
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def expiry_from_date(value: str | date | None) -> str | None:
    """An account expiry given as 'YYYY-MM-DD' (end of that UTC day) or full ISO time."""
    if value in (None, ""):
        return None
    if isinstance(value, date) and not isinstance(value, datetime):
        value = value.isoformat()
    text = str(value).strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return _iso(datetime(day.year, day.month, day.day, 23, 59, 59, tzinfo=UTC))
        return _iso(parse_time(text))
    except ValueError:
        raise UserError(f"expiry {text!r} is not a date like 2026-03-31") from None


def normalize_login(email: str) -> str:
    """Staff logins compare case-insensitively and without surrounding blanks."""
    return (email or "").strip().lower()


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise UserError(f"role must be one of {', '.join(ROLES)}, not {role!r}")


def _check_password(password: str) -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise UserError(f"password must have at least {MIN_PASSWORD_LENGTH} characters")


def add_user(
    db: sqlite_utils.Database,
    email: str,
    password: str,
    role: str,
    *,
    expires_at: str | date | None = None,
) -> int:
    """Create an active staff account with a werkzeug scrypt hash; returns its id."""
    login = normalize_login(email)
    if "@" not in login or len(login) > 254:
        raise UserError("e-mail must look like name@example.com")
    _check_role(role)
    _check_password(password)
    if get_user_by_email(db, login):
        raise UserError("a user with this e-mail already exists")
    cursor = db.execute(
        "INSERT INTO users (email, password_hash, role, active, expires_at, created_at)"
        " VALUES (?, ?, ?, 1, ?, ?)",
        [
            login,
            generate_password_hash(password, method=HASH_METHOD),
            role,
            expiry_from_date(expires_at),
            _iso(utcnow()),
        ],
    )
    return cursor.lastrowid


def get_user(db: sqlite_utils.Database, user_id: int) -> dict | None:
    """One user row (with hash) or None."""
    rows = list(db.query("SELECT * FROM users WHERE id = ?", [user_id]))
    return rows[0] if rows else None


def get_user_by_email(db: sqlite_utils.Database, email: str) -> dict | None:
    """One user row by login e-mail (case-insensitive) or None."""
    rows = list(db.query("SELECT * FROM users WHERE email = ?", [normalize_login(email)]))
    return rows[0] if rows else None


def require_user(db: sqlite_utils.Database, email: str) -> dict:
    """The user with this e-mail, or UserError (for CLI commands addressing users by e-mail)."""
    user = get_user_by_email(db, email)
    if user is None:
        raise UserError("no user with this e-mail")
    return user


def list_users(db: sqlite_utils.Database) -> list[dict]:
    """All users without password hashes, admins first, then by e-mail."""
    return list(
        db.query(
            "SELECT id, email, role, active, expires_at, created_at, last_login_at,"
            " locked_until, failed_logins FROM users"
            " ORDER BY CASE role WHEN 'admin' THEN 0 WHEN 'lawyer' THEN 1 ELSE 2 END, email"
        )
    )


def _bump(db: sqlite_utils.Database, user_id: int, assignments: str, params: list) -> bool:
    sets = f"{assignments}, " if assignments else ""
    cursor = db.execute(
        f"UPDATE users SET {sets}session_version = session_version + 1 WHERE id = ?",
        [*params, user_id],
    )
    return cursor.rowcount == 1


def _keep_an_admin(db: sqlite_utils.Database, user_id: int) -> None:
    """Refuse to remove the last active admin (nobody could manage users any more)."""
    others = db.execute(
        "SELECT COUNT(*) FROM users WHERE role = 'admin' AND active = 1 AND id != ?", [user_id]
    ).fetchone()[0]
    user = get_user(db, user_id)
    if user and user["role"] == "admin" and user["active"] and not others:
        raise UserError("this is the last active admin; add another admin first")


def set_role(db: sqlite_utils.Database, user_id: int, role: str) -> bool:
    """Change a role; the user's open sessions end on their next request."""
    _check_role(role)
    if role != "admin":
        _keep_an_admin(db, user_id)
    return _bump(db, user_id, "role = ?", [role])


def deactivate(db: sqlite_utils.Database, user_id: int) -> bool:
    """Switch an account off; its open sessions end on their next request."""
    _keep_an_admin(db, user_id)
    return _bump(db, user_id, "active = 0", [])


def activate(db: sqlite_utils.Database, user_id: int) -> bool:
    """Switch an account back on and clear any lockout."""
    return _bump(db, user_id, "active = 1, failed_logins = 0, locked_until = NULL", [])


def set_expiry(db: sqlite_utils.Database, user_id: int, expires_at: str | date | None) -> bool:
    """Set or clear (None) the date after which the account stops working by itself."""
    return _bump(db, user_id, "expires_at = ?", [expiry_from_date(expires_at)])


def set_password(db: sqlite_utils.Database, user_id: int, password: str) -> bool:
    """Replace the password; open sessions end."""
    _check_password(password)
    return _bump(
        db, user_id, "password_hash = ?", [generate_password_hash(password, method=HASH_METHOD)]
    )


def end_sessions(db: sqlite_utils.Database, user_id: int) -> bool:
    """End every open session of this user (used by logout: cookie sessions can be replayed)."""
    return _bump(db, user_id, "", [])


def is_expired(user: dict, moment: datetime | None = None) -> bool:
    """True once the account's expiry time has passed."""
    expires = parse_time(user.get("expires_at"))
    return expires is not None and (moment or utcnow()) >= expires


def is_usable(user: dict | None, moment: datetime | None = None) -> bool:
    """Active and not expired (lockout only blocks new logins, not open sessions)."""
    return bool(user) and bool(user["active"]) and not is_expired(user, moment)


@dataclass(frozen=True)
class LoginResult:
    """Outcome of a login attempt. ``reason`` is for the audit log only, never for the visitor."""

    user: dict | None
    reason: str  # ok | unknown | bad_password | locked | inactive | expired

    @property
    def ok(self) -> bool:
        return self.reason == "ok"


def verify_login(
    db: sqlite_utils.Database,
    email: str,
    password: str,
    *,
    max_failures: int = 5,
    lockout_minutes: int = 15,
) -> LoginResult:
    """Check a password with lockout: ``max_failures`` misses in a row lock the account for
    ``lockout_minutes``; while locked even the right password is refused."""
    user = get_user_by_email(db, email)
    if user is None:
        check_password_hash(_DUMMY_HASH, password or "")
        return LoginResult(None, "unknown")
    moment = utcnow()
    locked_until = parse_time(user["locked_until"])
    if locked_until and moment < locked_until:
        check_password_hash(_DUMMY_HASH, password or "")
        return LoginResult(user, "locked")
    if not check_password_hash(user["password_hash"], password or ""):
        failures = (0 if locked_until else user["failed_logins"]) + 1
        lock = None
        if failures >= max_failures:
            lock, failures = _iso(moment + timedelta(minutes=lockout_minutes)), 0
        db.execute(
            "UPDATE users SET failed_logins = ?, locked_until = ? WHERE id = ?",
            [failures, lock, user["id"]],
        )
        return LoginResult(user, "locked_now" if lock else "bad_password")
    if not user["active"]:
        return LoginResult(user, "inactive")
    if is_expired(user, moment):
        return LoginResult(user, "expired")
    db.execute(
        "UPDATE users SET failed_logins = 0, locked_until = NULL, last_login_at = ? WHERE id = ?",
        [_iso(moment), user["id"]],
    )
    return LoginResult(get_user(db, user["id"]), "ok")
