"""Text hygiene shared by every normaliser, plus the Hangul helpers (jamo, script detection).

Why hand-rolled: NFKC would turn compatibility jamo (ㄱ U+3131) into conjoining jamo (ᄀ U+1100),
which breaks display and jamo logic, so we do NFC plus an explicit full-width fold instead.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Full-width ASCII (U+FF01..FF5E) -> ASCII; ideographic and other odd spaces -> space.
_FOLD = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
for _cp in (0x3000, 0x00A0, 0x1680, 0x202F, 0x205F, *range(0x2000, 0x200B)):
    _FOLD[_cp] = 0x20
# Zero-width and invisible characters are deleted outright.
for _cp in (0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x00AD, 0x180E, 0x200E, 0x200F):
    _FOLD[_cp] = None
# Control characters other than whitespace are deleted too.
for _cp in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F):
    _FOLD[_cp] = None
# Look-alike dashes and middle dots that Korean IMEs produce.
for _cp in (0x2010, 0x2011, 0x2012, 0x2013, 0x2014, 0x2015, 0x2212, 0xFE63):
    _FOLD[_cp] = ord("-")

_NEEDS_FOLD = re.compile("[" + "".join(re.escape(chr(cp)) for cp in sorted(_FOLD)) + "]")
_ASCII_CLEAN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(s: str | None) -> str:
    """NFC, full-width folding, zero-width removal and whitespace collapse; '' for None.

    Every field goes through this first so later rules see one spelling of the same text.
    """
    if s is None:
        return ""
    if not isinstance(s, str):
        s = str(s)
    if s.isascii():
        if _ASCII_CLEAN.search(s):
            s = _ASCII_CLEAN.sub("", s)
        return " ".join(s.split())
    if not unicodedata.is_normalized("NFC", s):
        s = unicodedata.normalize("NFC", s)
    if _NEEDS_FOLD.search(s):
        s = s.translate(_FOLD)
    return " ".join(s.split())


# --- Hangul helpers -----------------------------------------------------------------------------

SBASE, SLAST = 0xAC00, 0xD7A3
_CHO = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
_JUNG = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ"
_JONG = ("", *"ㄱㄲㄳㄴㄵㄶㄷㄹㄺㄻㄼㄽㄾㄿㅀㅁㅂㅄㅅㅆㅇㅈㅊㅋㅌㅍㅎ")

HANGUL_SYLLABLE = re.compile(r"[가-힣]")
LATIN_LETTER = re.compile(r"[A-Za-zÀ-ɏ]")
COMPAT_JAMO = re.compile(r"[ㄱ-ㆎ]")


def is_syllable(ch: str) -> bool:
    """True for a precomposed Hangul syllable (가..힣)."""
    return SBASE <= ord(ch) <= SLAST


def decompose(ch: str) -> tuple[int, int, int]:
    """Indices (initial, medial, final) of one precomposed syllable."""
    code = ord(ch) - SBASE
    return code // 588, (code % 588) // 28, code % 28


def compose(cho: int, jung: int, jong: int = 0) -> str:
    """The syllable for (initial, medial, final) indices."""
    return chr(SBASE + cho * 588 + jung * 28 + jong)


# Compound vowels and finals as the two keys typed for them (ㅢ = ㅡ+ㅣ, ㄺ = ㄹ+ㄱ), so a slip
# such as 지/즤 costs one edit, not a whole different letter.
_SPLIT = {
    "ㅘ": "ㅗㅏ", "ㅙ": "ㅗㅐ", "ㅚ": "ㅗㅣ", "ㅝ": "ㅜㅓ", "ㅞ": "ㅜㅔ",
    "ㅟ": "ㅜㅣ", "ㅢ": "ㅡㅣ", "ㄳ": "ㄱㅅ", "ㄵ": "ㄴㅈ", "ㄶ": "ㄴㅎ",
    "ㄺ": "ㄹㄱ", "ㄻ": "ㄹㅁ", "ㄼ": "ㄹㅂ", "ㄽ": "ㄹㅅ", "ㄾ": "ㄹㅌ",
    "ㄿ": "ㄹㅍ", "ㅀ": "ㄹㅎ", "ㅄ": "ㅂㅅ",
}  # fmt: skip
_JUNG_KEYS = tuple(_SPLIT.get(v, v) for v in _JUNG)
_JONG_KEYS = tuple(_SPLIT.get(f, f) for f in _JONG)


@lru_cache(maxsize=1 << 16)
def to_jamo(s: str) -> str:
    """Hangul syllables -> compatibility jamo, compound vowels/finals split into their two keys
    (김 -> ㄱㅣㅁ, 의 -> ㅇㅡㅣ, 닭 -> ㄷㅏㄹㄱ); other characters kept as they are."""
    out = []
    for ch in s:
        o = ord(ch)
        if SBASE <= o <= SLAST:
            code = o - SBASE
            out.append(_CHO[code // 588])
            out.append(_JUNG_KEYS[(code % 588) // 28])
            out.append(_JONG_KEYS[code % 28])
        else:
            out.append(ch)
    return "".join(out)


def initials(s: str) -> str:
    """초성 string of the Hangul syllables in ``s`` (김민준 -> ㄱㅁㅈ)."""
    return "".join(_CHO[(ord(ch) - SBASE) // 588] for ch in s if SBASE <= ord(ch) <= SLAST)


def script_of(s: str) -> str | None:
    """'hangul', 'latin', 'mixed', 'other', or None when ``s`` has no letters at all."""
    has_h = bool(HANGUL_SYLLABLE.search(s) or COMPAT_JAMO.search(s))
    has_l = bool(LATIN_LETTER.search(s))
    if has_h and has_l:
        return "mixed"
    if has_h:
        return "hangul"
    if has_l:
        return "latin"
    if any(ch.isalpha() for ch in s):
        return "other"
    return None
