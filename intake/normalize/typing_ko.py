"""The 2-set (두벌식) keyboard map: Hangul typed in the wrong IME mode back to the Latin keys.

Why: an e-mail typed with the Korean IME on (``ㅏㅑㅡ@ㅜㅁㅍㄷㄱ.채ㅡ``) is ``kim@naver.com``.
Only e-mails are converted automatically (they must be ASCII); names never are.
"""

from __future__ import annotations

from .text import SBASE, SLAST

_KEYS = {
    "ㅂ": "q", "ㅈ": "w", "ㄷ": "e", "ㄱ": "r", "ㅅ": "t", "ㅛ": "y", "ㅕ": "u", "ㅑ": "i",
    "ㅐ": "o", "ㅔ": "p", "ㅁ": "a", "ㄴ": "s", "ㅇ": "d", "ㄹ": "f", "ㅎ": "g", "ㅗ": "h",
    "ㅓ": "j", "ㅏ": "k", "ㅣ": "l", "ㅋ": "z", "ㅌ": "x", "ㅊ": "c", "ㅍ": "v", "ㅠ": "b",
    "ㅜ": "n", "ㅡ": "m", "ㅃ": "Q", "ㅉ": "W", "ㄸ": "E", "ㄲ": "R", "ㅆ": "T", "ㅒ": "O",
    "ㅖ": "P", "ㅘ": "hk", "ㅙ": "ho", "ㅚ": "hl", "ㅝ": "nj", "ㅞ": "np", "ㅟ": "nl",
    "ㅢ": "ml", "ㄳ": "rt", "ㄵ": "sw", "ㄶ": "sg", "ㄺ": "fr", "ㄻ": "fa", "ㄼ": "fq",
    "ㄽ": "ft", "ㄾ": "fx", "ㄿ": "fv", "ㅀ": "fg", "ㅄ": "qt",
}  # fmt: skip
_CHO = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
_JUNG = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ"
_JONG = ("", *"ㄱㄲㄳㄴㄵㄶㄷㄹㄺㄻㄼㄽㄾㄿㅀㅁㅂㅄㅅㅆㅇㅈㅊㅋㅌㅍㅎ")


def hangul_to_keys(s: str) -> str:
    """The keys a 2-set keyboard user pressed to produce ``s`` (김 -> 'rla'); others kept."""
    out = []
    for ch in s:
        o = ord(ch)
        if SBASE <= o <= SLAST:
            code = o - SBASE
            out.append(_KEYS[_CHO[code // 588]])
            out.append(_KEYS[_JUNG[(code % 588) // 28]])
            if code % 28:
                out.append(_KEYS[_JONG[code % 28]])
        else:
            out.append(_KEYS.get(ch, ch))
    return "".join(out)
