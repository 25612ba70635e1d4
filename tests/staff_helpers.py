"""Test helpers for staff pages (as CTFd's gen_*): make a user, sign a test client in."""

from __future__ import annotations

import itertools

from intake.store import staff as users

PASSWORD = "correct horse battery"
_seq = itertools.count(1)


def make_user(db, role: str, email: str | None = None, password: str = PASSWORD, **kw) -> dict:
    """Create a staff user and return dict(id, email, password, role)."""
    email = email or f"{role}{next(_seq)}@firm.example"
    user_id = users.add_user(db, email, password, role, **kw)
    return {"id": user_id, "email": email, "password": password, "role": role}


def login(client, email: str, password: str = PASSWORD, *, next: str | None = None):
    """POST the login form (CSRF must be off in the app config, as in tests/conftest.py)."""
    data = {"email": email, "password": password}
    if next:
        data["next"] = next
    return client.post("/staff/login", data=data)


def login_as(client, db, role: str) -> dict:
    """Make a user of ``role`` and sign ``client`` in; returns the user dict."""
    user = make_user(db, role)
    response = login(client, user["email"], user["password"])
    assert response.status_code == 302, response.status_code
    return user
