"""Birth dates in the formats Koreans type, to ISO 'YYYY-MM-DD'.

Impossible dates are flagged, never guessed into a nearby valid date.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

from .text import clean_text


@dataclass(frozen=True, slots=True)
class DateNorm:
    """A normalised date: ISO value or None, flags."""

    value: str | None
    flags: tuple[str, ...] = ()
    suggestion: str | None = None  # the 19YY/20YY reading of a two-digit year, to confirm


# 1985-03-14, 1985.3.14, 1985. 03. 14., 1985/3/14, 1985년 3월 14일, 1985 3 14
_YMD = re.compile(
    r"(\d{4})(?:\s*[-./년]\s*|\s+)(\d{1,2})(?:\s*[-./월]\s*|\s+)(\d{1,2})\s*[.일]?\s*생?"
)
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_COMPACT8 = re.compile(r"(\d{4})(\d{2})(\d{2})")
_COMPACT6 = re.compile(r"(\d{2})(\d{2})(\d{2})")  # 850314, as on the front of an ID card
_YY = re.compile(r"(\d{2})\s*[-./]\s*(\d{1,2})\s*[-./]\s*(\d{1,2})\s*\.?")  # 85.3.14
# 14/03/1985 or 03/14/1985: day-month order is accepted only when unambiguous
_DMY = re.compile(r"(\d{1,2})\s*[-./]\s*(\d{1,2})\s*[-./]\s*(\d{4})")
_MISSING = DateNorm(None)
MIN_YEAR = 1900


def normalize_birth_date(s: str | None, *, today: dt.date | None = None) -> DateNorm:
    """Parse a birth date; value 'YYYY-MM-DD' or None with 'unparsed'/'impossible_date'/...."""
    if s is None:
        return _MISSING
    if not isinstance(s, str):
        s = str(s)
    m = _ISO.fullmatch(s)
    flags: list[str] = []
    if m is None:
        s = clean_text(s)
        if not s:
            return _MISSING
        m = _COMPACT8.fullmatch(s) or _YMD.fullmatch(s)
        if m is None:
            m6 = _COMPACT6.fullmatch(s) or _YY.fullmatch(s)
            if m6 is not None:
                return _from_yy(m6, today or dt.date.today())
            md = _DMY.fullmatch(s)
            if md is None:
                return DateNorm(None, ("unparsed",))
            a, b, year = int(md.group(1)), int(md.group(2)), int(md.group(3))
            if a > 12 >= b:
                return _build(year, b, a, today, ["day_first"])
            if b > 12 >= a:
                return _build(year, a, b, today, ["month_first"])
            if a == b:
                return _build(year, a, b, today, [])
            return DateNorm(None, ("ambiguous_order",))
    return _build(int(m.group(1)), int(m.group(2)), int(m.group(3)), today, flags)


@lru_cache(maxsize=1 << 16)
def birth_key(s: str) -> str | None:
    """Just the ISO value of a birth date (what record_keys stores); cached, dates repeat."""
    return normalize_birth_date(s).value


def _from_yy(m: re.Match[str], today: dt.date) -> DateNorm:
    yy = int(m.group(1))
    year = 2000 + yy if 2000 + yy <= today.year else 1900 + yy
    read = _build(year, int(m.group(2)), int(m.group(3)), today, [])
    # The century is a guess, so it is offered, not stored.
    return DateNorm(None, ("two_digit_year", *read.flags), read.value)


def _build(y: int, mo: int, d: int, today: dt.date | None, flags: list[str]) -> DateNorm:
    try:
        date = dt.date(y, mo, d)
    except ValueError:
        return DateNorm(None, (*flags, "impossible_date"))
    if y < MIN_YEAR:
        return DateNorm(None, (*flags, "impossible_date"))
    if date > (today or dt.date.today()):
        return DateNorm(None, (*flags, "future_date"))
    return DateNorm(date.isoformat(), tuple(flags))
