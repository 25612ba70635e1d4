"""Links other areas' staff pages get in the top bar, shown only when the route exists and the
signed-in role may use it (e.g. H6's export for lawyers and admins)."""

from __future__ import annotations

from flask import current_app, g, url_for
from flask_babel import lazy_gettext as _l

from .auth import has_role

# (endpoint, label, roles); endpoints that are not registered are skipped.
EXTRA = [
    ("staff.export_page", _l("Export"), ("lawyer", "admin")),
]


def extra_nav() -> list[dict]:
    """Top-bar links for the current user."""
    user = g.get("user")
    out = []
    for endpoint, label, roles in EXTRA:
        if endpoint in current_app.view_functions and has_role(user, *roles):
            out.append({"url": url_for(endpoint), "label": str(label)})
    return out
