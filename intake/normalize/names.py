"""Person names: display value, matching key (k_name) and script.

Why a key: ``김 민준`` / ``김민준`` and ``KIM MIN-JUN`` / ``Minjun Kim`` are one spelling after
hygiene. Hangul keys keep syllables only; Latin keys are casefolded tokens, hyphens inside a token
removed, sorted (family-name order varies) and joined by one space.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from .junk import JUNK_WORDS, NAME_JUNK_WORDS, is_junk
from .romanize import SURNAME_LATIN
from .text import clean_text, script_of
from .typing_ko import keys_to_hangul


@dataclass(frozen=True, slots=True)
class NameNorm:
    """A normalised name: display value, matching key, script and flags."""

    value: str | None
    key: str | None = None
    script: str | None = None
    flags: tuple[str, ...] = ()
    suggestion: str | None = None  # Hangul the keys spell if typed with the IME off (review)


_NOT_HANGUL = re.compile(r"[^가-힣ㄱ-ㅣ]+")
_HANGUL_ONLY = re.compile(r"[가-힣]+")
_LATIN_SPLIT = re.compile(r"[\s,/·•.;:]+")
_LATIN_DROP = re.compile(r"[-'’`ʼ‘()\[\]\"]")
_MISSING = NameNorm(None)
_HONORIFICS = re.compile(r"\s*(?:고객님|님|\(본인\))$")


def _strip_marks(s: str) -> str:
    # McCune-Reischauer breves (ŏ, ŭ) and other accents: NFD then drop combining marks.
    if s.isascii():
        return s
    return "".join(ch for ch in unicodedata.normalize("NFD", s) if not unicodedata.combining(ch))


def _ime_suggestion(s: str) -> str | None:
    """'rlaalswns' is 김민준 typed with the Korean IME off: suggest it, never apply it (a name
    is only flagged when the keys spell 2-5 whole syllables starting with a known surname)."""
    compact = s.replace(" ", "")
    if not compact.isascii() or not compact.isalpha() or not 4 <= len(compact) <= 15:
        return None
    hangul = keys_to_hangul(compact)
    if hangul is None or not 2 <= len(hangul) <= 5:
        return None
    if hangul[0] in SURNAME_LATIN or hangul[:2] in SURNAME_LATIN:
        return hangul
    return None


def latin_key(s: str) -> str:
    """Casefolded tokens without inner hyphens/apostrophes, sorted, joined by one space."""
    tokens = [_LATIN_DROP.sub("", t) for t in _LATIN_SPLIT.split(_strip_marks(s).casefold())]
    return " ".join(sorted(t for t in tokens if t))


def normalize_name(s: str | None) -> NameNorm:
    """Normalise a name as typed: value (NFC, trimmed), key for matching, script, flags."""
    if s is None:
        return _MISSING
    if not isinstance(s, str):
        s = str(s)
    return _normalize_name(s)


_PLAIN_HANGUL = re.compile(r"[가-힣]{2,5}")
# '김 민준' and 'Minjun Kim' / 'KIM MIN-JUN': the next most common spellings after '김민준'.
# Either is already clean text (clean_text returns it unchanged), so only the junk test and the
# key itself are left of the full path; the suggestion and flags are not needed for a key.
_SPACED_HANGUL = re.compile(r"[가-힣]+(?: [가-힣]+)+")
_PLAIN_LATIN = re.compile(r"[A-Za-z]+(?:[ -][A-Za-z]+)*", re.ASCII)


@lru_cache(maxsize=1 << 18)
def name_key(s: str) -> str | None:
    """Just the matching key of a name (what record_keys stores); cached, names repeat.

    A plain 2-5 syllable Hangul name is its own key; a spaced Hangul name is its syllables; a
    plain Latin name is its ``latin_key`` (tests check each equals the full path)."""
    if (
        _PLAIN_HANGUL.fullmatch(s)
        and s[-1] != "님"
        and s not in JUNK_WORDS
        and s not in NAME_JUNK_WORDS
        and s.count(s[0]) < len(s)
    ):
        return s
    if s[-1:] != "님" and _SPACED_HANGUL.fullmatch(s):  # no honorific to strip
        return None if is_junk("name", s) else s.replace(" ", "")
    if _PLAIN_LATIN.fullmatch(s):
        return None if is_junk("name", s) else latin_key(s)
    return normalize_name(s).key


@lru_cache(maxsize=1 << 18)
def _normalize_name(raw: str) -> NameNorm:
    s = clean_text(raw)
    if not s:
        return _MISSING
    if is_junk("name", s):
        return NameNorm(None, None, None, ("junk",))
    flags: list[str] = []
    suggestion = None
    stripped = _HONORIFICS.sub("", s)
    if stripped and stripped != s:
        flags.append("honorific_removed")
        s = stripped
    script = script_of(s)
    if any(ch.isdigit() for ch in s):
        flags.append("digits")
    if script == "hangul":
        key = _NOT_HANGUL.sub("", s)
        if any("ㄱ" <= ch <= "ㅣ" for ch in key):
            flags.append("incomplete_hangul")
        n = len(key)
        if n == 1:
            flags.append("single_syllable")
        elif n > 5:
            flags.append("long_name")
    elif script == "latin":
        key = latin_key(s)
        suggestion = _ime_suggestion(s)
        if suggestion is not None:
            flags.append("possible_ime")
    elif script == "mixed":
        flags.append("mixed_script")
        hangul = "".join(_HANGUL_ONLY.findall(s))
        key = hangul if len(hangul) >= 2 else latin_key(s)
    elif script == "other":
        if any("\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" for ch in s):
            flags.append("hanja")
        key = "".join(ch for ch in s.casefold() if ch.isalnum())
    else:  # no letters at all: digits or punctuation
        return NameNorm(None, None, None, ("junk",))
    return NameNorm(s, key or None, script, tuple(flags), suggestion)
