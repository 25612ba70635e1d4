"""Character- and jamo-level differences between two values, for the side-by-side review.

Hangul syllables hide small differences (김민준 / 김민중 differ in one final consonant), so
Hangul values are also compared as compatibility jamo (ㄱㅣㅁㅁㅣㄴㅈㅜㄴ).
"""

from __future__ import annotations

from difflib import SequenceMatcher

_CHO = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
_JUNG = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ"
_JONG = ["", *"ㄱㄲㄳㄴㄵㄶㄷㄹㄺㄻㄼㄽㄾㄿㅀㅁㅂㅄㅅㅆㅇㅈㅊㅋㅌㅍㅎ"]

Segments = list[tuple[str, bool]]  # (text, differs)


def has_hangul(text: str | None) -> bool:
    """True when the text contains at least one precomposed Hangul syllable."""
    return any("\uac00" <= ch <= "\ud7a3" for ch in text or "")


def to_jamo(text: str) -> str:
    """Hangul syllables spelled out as compatibility jamo; other characters unchanged."""
    out = []
    for ch in text:
        code = ord(ch) - 0xAC00
        if 0 <= code < 11172:
            out.append(_CHO[code // 588] + _JUNG[(code % 588) // 28] + _JONG[code % 28])
        else:
            out.append(ch)
    return "".join(out)


def _merge(segments: Segments) -> Segments:
    merged: Segments = []
    for text, differs in segments:
        if merged and merged[-1][1] == differs:
            merged[-1] = (merged[-1][0] + text, differs)
        elif text:
            merged.append((text, differs))
    return merged


def char_diff(a: str | None, b: str | None) -> tuple[Segments, Segments]:
    """Both values cut into runs that are equal in the other value or not."""
    a, b = a or "", b or ""
    left: Segments = []
    right: Segments = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        same = tag == "equal"
        left.append((a[i1:i2], not same))
        right.append((b[j1:j2], not same))
    return _merge(left), _merge(right)


def field_diff(a: str | None, b: str | None) -> dict:
    """What the pair page shows for one field: char runs, and jamo runs for Hangul."""
    left, right = char_diff(a, b)
    out = {"left": left, "right": right, "equal": (a or "") == (b or ""), "jamo": None}
    if a and b and a != b and has_hangul(a) and has_hangul(b):
        jl, jr = char_diff(to_jamo(a), to_jamo(b))
        out["jamo"] = {"left": jl, "right": jr}
    return out
