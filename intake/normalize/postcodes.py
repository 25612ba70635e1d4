"""Five-digit Korean postcodes (since 2015-08-01), including the Excel-dropped leading zero."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .regions import POSTCODE_SIDO
from .text import clean_text


@dataclass(frozen=True, slots=True)
class PostcodeNorm:
    """A normalised postcode: 5 digits or None, the 시도 its prefix belongs to, flags."""

    value: str | None
    sido: str | None = None
    flags: tuple[str, ...] = ()


_OLD = re.compile(r"\d{3}-\d{3}")
_MISSING = PostcodeNorm(None)


def normalize_postal_code(s: str | int | None) -> PostcodeNorm:
    """Normalise a postcode field: '06236', '(06236)', '우편번호 06236', 6236 (Excel) -> '06236'."""
    if s is None:
        return _MISSING
    if isinstance(s, str) and len(s) == 5 and s.isascii() and s.isdigit():
        sido = POSTCODE_SIDO.get(s[:2])
        return PostcodeNorm(s, sido) if sido else PostcodeNorm(None, None, ("invalid_prefix",))
    text = clean_text(str(s))
    if not text:
        return _MISSING
    if _OLD.fullmatch(text):
        return PostcodeNorm(None, None, ("old_six_digit",))
    digits = "".join(ch for ch in text if ch.isdigit())
    flags: list[str] = []
    if text.endswith(".0") and len(digits) > 1:  # a spreadsheet float: 6236.0
        digits = digits[:-1]
    if len(digits) == 4 and digits == text.removesuffix(".0"):
        digits = "0" + digits  # a spreadsheet stripped the leading zero of 0xxxx
        flags.append("zero_padded")
    if len(digits) != 5:
        return PostcodeNorm(None, None, ("old_six_digit",) if len(digits) == 6 else ("invalid",))
    sido = POSTCODE_SIDO.get(digits[:2])
    if sido is None:
        return PostcodeNorm(None, None, ("invalid_prefix",))
    return PostcodeNorm(digits, sido, tuple(flags))
