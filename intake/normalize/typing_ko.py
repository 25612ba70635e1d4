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


_JAMO_OF_KEY = {k: j for j, k in _KEYS.items() if len(k) == 1}
_JAMO_OF_KEY.update({k.upper(): j for k, j in list(_JAMO_OF_KEY.items()) if k.upper() not in
                     _JAMO_OF_KEY})  # fmt: skip
_VOWELS = frozenset(_JUNG)
_PAIRS = {keys: jamo for jamo, keys in _KEYS.items() if len(keys) == 2}
_CHO_INDEX = {c: i for i, c in enumerate(_CHO)}
_JUNG_INDEX = {v: i for i, v in enumerate(_JUNG)}
_JONG_INDEX = {f: i for i, f in enumerate(_JONG) if f}


def keys_to_hangul(s: str) -> str | None:
    """The Hangul a 2-set keyboard produces for the keys ``s`` ('rlaalswns' -> '김민준'), or None
    when the keys do not spell whole syllables (so ordinary Latin text is left alone)."""
    jamo = [_JAMO_OF_KEY.get(ch) for ch in s]
    if not jamo or None in jamo:
        return None
    out, i, n = [], 0, len(jamo)
    while i < n:
        if jamo[i] in _VOWELS or i + 1 >= n or jamo[i + 1] not in _VOWELS:
            return None
        cho, jung = jamo[i], jamo[i + 1]
        i += 2
        if i < n and jamo[i] in _VOWELS:
            pair = _PAIRS.get(_KEYS[jung] + _KEYS[jamo[i]])
            if pair in _JUNG_INDEX:
                jung, i = pair, i + 1
        jong = ""
        if i < n and jamo[i] in _JONG_INDEX and not (i + 1 < n and jamo[i + 1] in _VOWELS):
            jong, i = jamo[i], i + 1
            if i < n and jamo[i] not in _VOWELS and not (i + 1 < n and jamo[i + 1] in _VOWELS):
                pair = _PAIRS.get(_KEYS[jong] + _KEYS[jamo[i]])
                if pair in _JONG_INDEX:
                    jong, i = pair, i + 1
        if cho not in _CHO_INDEX:
            return None
        out.append(
            chr(SBASE + _CHO_INDEX[cho] * 588 + _JUNG_INDEX[jung] * 28 + _JONG_INDEX.get(jong, 0))
        )
    return "".join(out)
