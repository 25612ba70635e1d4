"""Staff workspace: login, review, search, persons, export, users, audit."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from . import views  # noqa: F401  (route modules attach to the blueprint when imported)
    from .blueprint import bp

    app.register_blueprint(bp, url_prefix="/staff")
