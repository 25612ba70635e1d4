"""Field checks for the claim form, built on ``intake.normalize`` (no home-made parsing here).

Each ``check_*`` takes what the person typed and returns a :class:`Checked` (value to store,
flags to keep) or raises ``wtforms.ValidationError`` with a message that says what to fix.
Messages are translated at call time (Korean by default).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from wtforms import ValidationError

from .. import normalize

MAX_AGE_YEARS = 120


@dataclass(frozen=True)
class Checked:
    """A checked value: what to store, how to show it, and flags for reviewers."""

    value: str | None
    flags: tuple[str, ...] = ()
    display: str | None = None
    extra: dict = field(default_factory=dict)


def check_name(raw: str) -> Checked:
    """Names are stored NFC-normalised and trimmed, exactly as the person spells them."""
    result = normalize.normalize_name(raw)
    if not result.value and "junk" in result.flags:
        raise ValidationError(_("Enter your real name as on your family register."))
    if not result.value:
        raise ValidationError(_("Enter your name."))
    if len(result.value) > 60:
        raise ValidationError(_("The name is too long. Enter at most 60 characters."))
    if any(ch.isdigit() for ch in result.value):
        raise ValidationError(_("A name cannot contain digits. Check what you typed."))
    return Checked(result.value, tuple(result.flags))


def check_phone(raw: str, *, required: bool = True) -> Checked:
    """Korean numbers in any common spelling; stored as E.164, landlines accepted but flagged."""
    if not (raw or "").strip():
        if required:
            raise ValidationError(_("Enter your mobile phone number, e.g. 010-1234-5678."))
        return Checked(None)
    result = normalize.normalize_phone(raw)
    flags = tuple(result.flags)
    if not result.value or "invalid" in flags or "junk" in flags:
        raise ValidationError(
            _(
                "This is not a valid Korean phone number. Enter it like 010-1234-5678 "
                "(digits only, with or without dashes)."
            )
        )
    if "short_010" in flags:  # 010 numbers have 8 digits after 010: almost surely a typo
        raise ValidationError(
            _("A 010 number has 8 digits after 010 (010-1234-5678). Check for a missing digit.")
        )
    return Checked(result.value, flags, display=result.display)


def check_email(raw: str, *, required: bool = True) -> Checked:
    """Syntax only (no DNS at submit); ASCII local part; typo domains come back as a suggestion."""
    if not (raw or "").strip():
        if required:
            raise ValidationError(_("Enter your e-mail address, e.g. hong@naver.com."))
        return Checked(None)
    result = normalize.normalize_email(raw)
    flags = tuple(result.flags)
    if "non_ascii_local" in flags:
        if result.suggestion:  # typed with the Korean keyboard layout on (홍 -> ghd)
            raise ValidationError(
                _(
                    "The part before @ may only use English letters and digits. "
                    "Was the Korean keyboard on? Perhaps you meant %(suggestion)s.",
                    suggestion=result.suggestion,
                )
            )
        raise ValidationError(
            _(
                "The part before @ may only use English letters, digits and . _ - +. "
                "Check the address."
            )
        )
    if not result.value or "invalid" in flags or "junk" in flags:
        raise ValidationError(_("This e-mail address is not valid. Enter it like hong@naver.com."))
    suggestion = result.suggestion if "typo_domain" in flags else None
    return Checked(result.value, flags, extra={"suggestion": suggestion} if suggestion else {})


def check_birth_date(raw: str, *, today: date | None = None) -> Checked:
    """Dates as Koreans type them (1985-03-14, 19850314, 1985.3.14, 1985. 03. 14.)."""
    if not (raw or "").strip():
        raise ValidationError(_("Enter your date of birth, e.g. 1985-03-14."))
    result = normalize.normalize_birth_date(raw)
    flags = tuple(result.flags)
    today = today or date.today()
    year = re.match(r"\s*(\d{4})", raw)
    if year and int(year.group(1)) < today.year - MAX_AGE_YEARS:
        raise ValidationError(_("Check the year of birth: it is more than 120 years ago."))
    if "impossible_date" in flags:
        raise ValidationError(
            _("This date does not exist. Check the month and day (e.g. 1985-03-14).")
        )
    if "future_date" in flags:
        raise ValidationError(_("The date of birth is in the future. Check the year."))
    if not result.value:
        raise ValidationError(
            _("Enter the date of birth as year-month-day, e.g. 1985-03-14 or 19850314.")
        )
    born = date.fromisoformat(result.value)
    if born > today:
        raise ValidationError(_("The date of birth is in the future. Check the year."))
    if age_on(born, today) > MAX_AGE_YEARS:
        raise ValidationError(_("Check the year of birth: it is more than 120 years ago."))
    return Checked(result.value, flags)


def check_postal_code(raw: str) -> Checked:
    """Optional; when given it must be the 5-digit 도로명 postcode."""
    if not (raw or "").strip():
        return Checked(None)
    result = normalize.normalize_postal_code(raw)
    if not result.value:
        raise ValidationError(_("A postcode has 5 digits, e.g. 06236. Leave it empty if unsure."))
    return Checked(result.value, tuple(result.flags))


def check_address(raw: str, postal_code: str | None = None) -> Checked:
    """Stored cleaned for display; the postcode inside the text is used if none was typed."""
    if not (raw or "").strip():
        raise ValidationError(_("Enter your address (road name address and unit)."))
    result = normalize.normalize_address(raw, postal_code=postal_code)
    if not result.value:
        raise ValidationError(_("Enter your address (road name address and unit)."))
    if len(result.value) > 300:
        raise ValidationError(_("The address is too long. Enter at most 300 characters."))
    return Checked(result.value, tuple(result.flags), extra={"postal_code": result.postal_code})


def check_contact(raw: str) -> Checked:
    """A guardian's contact: a phone number or an e-mail address."""
    if not (raw or "").strip():
        raise ValidationError(_("Enter the guardian's phone number or e-mail address."))
    try:
        return check_phone(raw)
    except ValidationError:
        pass
    if "@" in raw:
        return check_email(raw)
    raise ValidationError(_("Enter the guardian's phone number (010-1234-5678) or e-mail address."))


def age_on(born: date, day: date) -> int:
    """Age in completed years (만 나이) on ``day``."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))
