"""Default settings. Overridden by ``instance/config.py``, then ``INTAKE_*`` env vars, then tests.

Every key here is documented in README.md (a test checks it).
"""

from __future__ import annotations

DEFAULTS: dict[str, object] = {
    # Core
    "SECRET_KEY": "dev-only-not-secret",
    "DB": None,  # path of the SQLite file; None -> instance/intake.db
    "WAL_AUTOCHECKPOINT": None,  # log pages before a request checkpoints; None -> SQLite's 1000
    "IP_HASH_KEY": None,  # HMAC key for hashing client IPs; None -> derived from SECRET_KEY
    "MAX_CONTENT_LENGTH": 11 * 1024 * 1024,  # whole request; the evidence file itself is <= 10 MB
    "EVIDENCE_MAX_BYTES": 10 * 1024 * 1024,
    "UPLOAD_FOLDER": None,  # None -> instance/uploads (never served)
    # Languages
    "BABEL_DEFAULT_LOCALE": "ko",
    "LANGUAGES": ["ko", "en"],
    # Public form abuse resistance
    "SUBMIT_RATE_LIMIT": "10 per hour;30 per day",
    "MIN_FILL_SECONDS": 4,
    "RATELIMIT_STORAGE_URI": "memory://",
    # Mail: "file" writes .eml files to MAIL_OUTBOX; "smtp" sends through SMTP_*
    "MAIL_TRANSPORT": "file",
    "MAIL_OUTBOX": None,  # None -> instance/outbox
    "MAIL_FROM": "intake@localhost",
    "SMTP_HOST": "localhost",
    "SMTP_PORT": 587,
    "SMTP_USER": None,
    "SMTP_PASSWORD": None,
    "SMTP_STARTTLS": True,
    "CONFIRM_MAX_AGE_SECONDS": 7 * 24 * 3600,
    "PUBLIC_BASE_URL": None,  # used in e-mailed links; None -> the request's host
    # Matcher bands (match probability)
    "MATCH_UPPER": 0.95,
    "MATCH_LOWER": 0.50,
    # Affected-list privacy mode: store e-mail/phone of accounts only as HMAC keys
    "ACCOUNT_HASH_KEY": None,
    # Staff sessions
    "STAFF_IDLE_MINUTES": 30,
    "STAFF_SESSION_HOURS": 12,
    "LOGIN_RATE_LIMIT": "20 per 10 minutes",
    "LOGIN_MAX_FAILURES": 5,
    "LOGIN_LOCKOUT_MINUTES": 15,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": False,  # set True (INTAKE_SESSION_COOKIE_SECURE=true) behind HTTPS
    # Export
    "EXPORT_MAX_ROWS_PER_SHEET": 1_048_575,
}
