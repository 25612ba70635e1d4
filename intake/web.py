"""Web-wide extensions and headers: CSRF, languages, rate limits, security headers.

Extension objects live here unbound; ``init_app`` binds them to one app (factory pattern).
"""

from __future__ import annotations

import hashlib
import hmac

from flask import Flask, current_app, request, session
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address, default_limits=[])

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)


def select_locale() -> str:
    """Korean unless the visitor chose another language (``?lang=en`` remembered in session)."""
    languages = current_app.config["LANGUAGES"]
    chosen = request.args.get("lang")
    if chosen in languages:
        session["lang"] = chosen
    return session.get("lang") or current_app.config["BABEL_DEFAULT_LOCALE"]


def ip_hash(ip: str | None = None) -> str:
    """Keyed hash of the client IP: enough to spot a flood from one source, useless to reverse."""
    key = current_app.config["IP_HASH_KEY"] or current_app.config["SECRET_KEY"]
    raw = (ip if ip is not None else request.remote_addr) or ""
    return hmac.new(str(key).encode(), raw.encode(), hashlib.sha256).hexdigest()[:32]


def _security_headers(response):
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if request.path.startswith("/staff") or request.endpoint == "claims.receipt":
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def init_app(app: Flask) -> None:
    csrf.init_app(app)
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(app.root_path + "/translations"),
    )
    limiter.init_app(app)
    app.after_request(_security_headers)
    app.jinja_env.globals["current_locale"] = lambda: str(select_locale())
