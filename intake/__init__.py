"""intake: claimant intake, deduplication and affected-list cross-check.

``create_app`` is the only place the web application is assembled.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the matcher imports this package and must not pull in Flask
    from flask import Flask

__version__ = "0.1.0"

PACKAGE_DIR = Path(__file__).resolve().parent


def template_dir() -> Path:
    """Top-level ``templates/`` in a checkout, else the copy installed as ``intake/_templates``."""
    checkout = PACKAGE_DIR.parent / "templates"
    return checkout if checkout.is_dir() else PACKAGE_DIR / "_templates"


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app: defaults, then ``instance/config.py``, then ``INTAKE_*`` env, then tests."""
    from flask import Flask

    from . import config, db
    from .match.settings import MatchSettings

    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(template_dir()),
        instance_path=os.environ.get("INTAKE_INSTANCE") or None,
    )
    app.config.from_mapping(config.DEFAULTS)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env("INTAKE")
    else:
        app.config.from_mapping(test_config)
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    app.config["DB"] = str(app.config["DB"] or instance / "intake.db")
    app.config["UPLOAD_FOLDER"] = str(app.config["UPLOAD_FOLDER"] or instance / "uploads")
    app.config["MAIL_OUTBOX"] = str(app.config["MAIL_OUTBOX"] or instance / "outbox")
    # a bad MATCH_* value fails here, at start-up, not on the first claimant's submit
    MatchSettings.from_config(app.config)

    db.init_app(app)
    _init_web(app)
    return app


def _init_web(app: Flask) -> None:
    """Register extensions and blueprints (each area owns its ``init_app``)."""
    from . import web
    from .claims import init_app as init_claims
    from .staff import init_app as init_staff

    web.init_app(app)
    init_claims(app)
    init_staff(app)
