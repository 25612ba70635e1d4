"""Name forms for blocking and a symmetric name similarity across Hangul and Latin spellings.

Why jamo: a one-key typo changes a whole Hangul syllable, so 김민준/김민쥰 score 0.67 on syllables
but 0.89 on jamo, while a different person (김서준) stays at 0.67. Hangul vs Latin goes through
the romanised skeleton with the surname variant table (Kim/Gim, Lee/Yi/Rhee, Park/Pak/Bak, ...).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from itertools import permutations

from rapidfuzz.distance import Levenshtein

from .romanize import (
    DUEUM,
    LATIN_SURNAME,
    SURNAME_RANK,
    hangul_latin,
    skeleton,
    surname_splits,
)
from .text import initials, to_jamo

_norm_sim = Levenshtein.normalized_similarity
MAX_TOKENS = 4  # permutations beyond this are not tried (names rarely have more parts)
DUEUM_SIMILARITY = 0.95  # 류현진 vs 유현진: the same registered name in two spellings


@dataclass(frozen=True, slots=True)
class NameForms:
    """Derived forms of a k_name: jamo, romanised skeleton, blocking key, 초성, script."""

    jamo: str
    latin: str
    block: str
    initials: str
    script: str | None


def _key_script(key: str) -> str | None:
    if not key:
        return None
    if all("가" <= ch <= "힣" or "ㄱ" <= ch <= "ㅣ" for ch in key):
        return "hangul"
    if key.isascii():
        return "latin" if any(ch.isalpha() for ch in key) else None
    if any("가" <= ch <= "힣" for ch in key):
        return "mixed"
    return "other"


def _fold_dueum(key: str) -> str:
    first = DUEUM.get(key[:1])
    return first + key[1:] if first else key


def _latin_surname(tokens: list[str]) -> str | None:
    known = [t for t in tokens if t in LATIN_SURNAME]
    if not known:
        return None
    return min(known, key=lambda t: (SURNAME_RANK.get(LATIN_SURNAME[t], 999), tokens.index(t)))


@lru_cache(maxsize=1 << 18)
def name_forms(k_name: str) -> NameForms:
    """Forms of a k_name (from normalize_name().key) used for blocking and comparison."""
    script = _key_script(k_name)
    if script == "hangul":
        sur, given = surname_splits(k_name)[0]
        return NameForms(
            to_jamo(k_name), hangul_latin(sur, given), _fold_dueum(k_name), initials(k_name), script
        )
    if script == "latin":
        tokens = k_name.split()
        sur = _latin_surname(tokens)
        if sur is None:
            latin = " ".join(skeleton(t) for t in tokens)
        else:
            rest = list(tokens)
            rest.remove(sur)
            latin = f"{skeleton(LATIN_SURNAME[sur])} {skeleton(''.join(rest))}".strip()
        return NameForms("", latin, latin, "", script)
    return NameForms(to_jamo(k_name), k_name, k_name, initials(k_name), script)


@lru_cache(maxsize=1 << 16)
def _latin_candidates(k_name: str) -> tuple[str, ...]:
    """Compact skeleton spellings a name may take: each surname choice x given-part order."""
    script = _key_script(k_name)
    if script == "hangul":
        return tuple(
            dict.fromkeys(hangul_latin(s, g).replace(" ", "") for s, g in surname_splits(k_name))
        )
    tokens = k_name.split()[:MAX_TOKENS]
    out: dict[str, None] = {}
    for sur in dict.fromkeys(t for t in tokens if t in LATIN_SURNAME):
        rest = list(tokens)
        rest.remove(sur)
        head = skeleton(LATIN_SURNAME[sur])
        for perm in _orders(rest):
            out[head + skeleton("".join(perm))] = None
    for perm in _orders(tokens):
        out[skeleton("".join(perm))] = None
    return tuple(out)


def _orders(tokens: list[str]) -> list[tuple[str, ...]]:
    # every order for up to 3 parts (at most 6); beyond that only the sorted order, so one
    # odd 4-part name cannot cost thousands of comparisons
    return list(permutations(tokens)) if len(tokens) <= 3 else [tuple(tokens)]


def name_similarity(a_key: str, b_key: str) -> float:
    """Similarity in [0, 1] of two k_name keys; symmetric, cached.

    Hangul/Hangul: Levenshtein on jamo (두음 pairs such as 류/유 count as 0.95 at least);
    Latin/Latin and Hangul/Latin: on the romanised skeletons, best surname choice and order.
    """
    if a_key == b_key:
        return 1.0 if a_key else 0.0
    if not a_key or not b_key:
        return 0.0
    if b_key < a_key:
        a_key, b_key = b_key, a_key
    return _similarity(a_key, b_key)


@lru_cache(maxsize=1 << 20)
def _similarity(a: str, b: str) -> float:
    sa, sb = _key_script(a), _key_script(b)
    if sa == "hangul" and sb == "hangul":
        fa, fb = name_forms(a), name_forms(b)
        sim = _norm_sim(fa.jamo, fb.jamo)
        if fa.block == fb.block:
            sim = max(sim, DUEUM_SIMILARITY)
        return sim
    if sa in ("hangul", "latin") and sb in ("hangul", "latin"):
        ca, cb = _latin_candidates(a), _latin_candidates(b)
        return max(_norm_sim(x, y) for x in ca for y in cb)
    return _norm_sim(a, b)
