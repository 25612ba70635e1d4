"""Translatable labels for field names, comparison levels and account statuses."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

FIELDS = {
    "name": _l("Name"),
    "email": _l("E-mail"),
    "phone": _l("Phone"),
    "address": _l("Address"),
    "postal_code": _l("Postal code"),
    "birth_date": _l("Birth date"),
    "account_id": _l("Account ID"),
    "prior": _l("Base rate"),
    "total": _l("Total"),
}
LEVELS = {
    "exact": _l("exact"),
    "close": _l("close"),
    "far": _l("different"),
    "missing": _l("missing"),
}
STATUSES = {
    "verified": _l("verified"),
    "probable": _l("probable"),
    "unverified": _l("unverified"),
}


def field_label(field: str) -> str:
    """Display name of a vocabulary field (unknown ones shown as they are)."""
    return str(FIELDS.get(field, field))


def level_label(level: str) -> str:
    """Display name of a comparison level."""
    return str(LEVELS.get(level, level))


def status_label(status: str | None) -> str:
    """Display name of an account status."""
    return str(STATUSES.get(status or "", status or ""))
