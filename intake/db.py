"""Flask glue for storage: one connection per request on ``g`` (as flaskr does)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlite_utils
from flask import Flask, current_app, g

from . import store


def open_db(config: Mapping[str, Any]) -> sqlite_utils.Database:
    """A connection as the web app opens them: schema already migrated at start-up, and
    checkpoints as ``WAL_AUTOCHECKPOINT`` says (``intake serve`` runs its own thread)."""
    return store.connect(
        config["DB"], migrate_schema=False, autocheckpoint=config.get("WAL_AUTOCHECKPOINT")
    )


def get_db() -> sqlite_utils.Database:
    """The request's database connection, opened on first use."""
    if "db" not in g:
        g.db = open_db(current_app.config)
    return g.db


def close_db(_exc: BaseException | None = None) -> None:
    db = g.pop("db", None)
    if db is not None:
        db.conn.close()


def init_app(app: Flask) -> None:
    """Migrate the schema at start-up and close connections after each request."""
    db = store.connect(app.config["DB"], migrate_schema=False)
    app.extensions["intake_migration"] = store.migrate(db)  # (from, to), reported by `init`
    db.conn.close()
    app.teardown_appcontext(close_db)
