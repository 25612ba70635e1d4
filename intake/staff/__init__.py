"""Staff workspace: login, review, search, persons, export, users, audit."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    # Route modules attach to the blueprint when imported.
    from . import (  # noqa: F401
        audit_views,
        auth,
        dashboard,
        export_views,  # noqa: F401  (H6: /staff/export)
        persons,
        review,
        search,
        users,
    )
    from .blueprint import bp
    from .labels import field_label, level_label, status_label
    from .nav import extra_nav

    app.register_blueprint(bp, url_prefix="/staff")
    app.jinja_env.globals.update(
        staff_extra_nav=extra_nav,
        field_label=field_label,
        level_label=level_label,
        status_label=status_label,
    )
