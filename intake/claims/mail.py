"""Confirmation e-mail: a signed, expiring link proves the claimant owns the address.

The leaked data lets anyone type someone else's name, phone and e-mail, so a claim only
counts as the e-mail owner's once they click the link. Transport ``file`` (default, for
development) writes ``.eml`` files to ``MAIL_OUTBOX``; ``smtp`` sends through ``SMTP_*``.
"""

from __future__ import annotations

import logging
import secrets
import smtplib
from collections.abc import Mapping
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

log = logging.getLogger(__name__)

SALT = "intake-confirm-email"


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=SALT)


def make_token(secret_key: str, ref: str) -> str:
    """A signed token naming the claim reference (random, so it reveals no counts)."""
    return _serializer(secret_key).dumps({"ref": ref})


def read_token(secret_key: str, token: str, max_age: int) -> str | None:
    """The claim reference inside a token, or None when it is expired, tampered or malformed."""
    try:
        data = _serializer(secret_key).loads(token, max_age=max_age)
    except (SignatureExpired, BadSignature):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("ref"), str):
        return None
    return data["ref"]


def build_message(
    *, sender: str, to: str, subject: str, body: str, reply_to: str | None = None
) -> EmailMessage:
    """A plain-text UTF-8 message (Korean text survives every mail client this way)."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = format_datetime(datetime.now(UTC))
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or "localhost")
    if reply_to:
        msg["Reply-To"] = reply_to
    msg.set_content(body, charset="utf-8")
    return msg


def send(msg: EmailMessage, config: Mapping[str, Any]) -> None:
    """Deliver through the configured transport. Errors propagate; callers log them by id."""
    transport = config.get("MAIL_TRANSPORT", "file")
    if transport == "file":
        _write_eml(msg, Path(config["MAIL_OUTBOX"]))
    elif transport == "smtp":
        _send_smtp(msg, config)
    elif transport == "none":
        return
    else:
        raise ValueError(f"unknown MAIL_TRANSPORT {transport!r} (use 'file', 'smtp' or 'none')")


def _write_eml(msg: EmailMessage, outbox: Path) -> Path:
    outbox.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    path = outbox / f"{stamp}-{secrets.token_hex(4)}.eml"
    path.write_bytes(msg.as_bytes())
    return path


def _send_smtp(msg: EmailMessage, config: Mapping[str, Any]) -> None:
    host, port = config["SMTP_HOST"], int(config["SMTP_PORT"])
    implicit_tls = port == 465  # SMTPS; every other port starts plain and may upgrade
    client = smtplib.SMTP_SSL if implicit_tls else smtplib.SMTP
    with client(host, port, timeout=30) as smtp:
        if not implicit_tls and config.get("SMTP_STARTTLS", True):
            smtp.starttls()
        if config.get("SMTP_USER"):
            smtp.login(config["SMTP_USER"], config.get("SMTP_PASSWORD") or "")
        smtp.send_message(msg)
