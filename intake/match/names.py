"""Name helpers the matcher needs, on top of the normalisers (``intake.normalize``).

Blocking and scoring need ``name_similarity`` and the blocking forms of a ``k_name``; these
wrappers add the matcher's own caches and shortcuts in one place.
"""

from __future__ import annotations

from functools import lru_cache
from itertools import permutations

from rapidfuzz.distance import OSA

from ..normalize import name_forms as _name_forms
from ..normalize import name_similarity as _name_similarity
from ..normalize.romanize import LATIN_SURNAME


@lru_cache(maxsize=1 << 20)
def name_similarity(a: str, b: str) -> float:
    """Symmetric similarity in [0, 1] of two k_name keys (jamo / romanised skeleton)."""
    if a == b:
        return 1.0
    return float(_name_similarity(a, b))


@lru_cache(maxsize=1 << 20)
def block_forms(k_name: str) -> tuple[str, str]:
    """(block key, initials) of a k_name: 두음법칙-folded Hangul or Latin skeleton, 초성 or
    first letters. Blocking only: similar spellings must share one of them."""
    forms = _name_forms(k_name)
    initials = forms.initials or "".join(t[:1] for t in forms.block.split())
    return forms.block or k_name, initials


@lru_cache(maxsize=1 << 20)
def hangul_forms(k_name: str) -> tuple[str, str] | None:
    """(jamo, 두음-folded block) of an all-Hangul k_name, else None (compared in Python)."""
    if not is_hangul(k_name):
        return None
    forms = _name_forms(k_name)
    return forms.jamo, forms.block


def is_hangul(k_name: str | None) -> bool:
    """True for a non-empty k_name made of Hangul syllables only."""
    return bool(k_name) and all("가" <= ch <= "힣" for ch in k_name)


def _token_match(ta: str, tb: str) -> bool:
    # equal, or one edit (a typo) in tokens of 4+ letters, as compare._name's partial rule
    if ta == tb:
        return len(ta) > 1
    return len(ta) >= 4 and len(tb) >= 4 and OSA.distance(ta, tb, score_cutoff=1) <= 1


@lru_cache(maxsize=1 << 16)
def same_parts_with_typos(a: str, b: str) -> bool:
    """True when two Latin k_names have the same parts, each equal or one typo apart, in any
    order ("morriosn nathas" / "morrison nathan"), and no part is a Korean family name.

    Why: the similarity of the whole string falls below 'close' once two parts each carry a
    typo, yet part by part it is plainly one name. Not for romanised Korean names: their given
    names are short and siblings' names differ by one letter (돌림자: "jiwoo park" /
    "jiwon park"), so there a one-letter difference is another person."""
    ta, tb = a.split(), b.split()
    if not (2 <= len(ta) == len(tb) <= 3) or not (a.isascii() and b.isascii()):
        return False
    if any(t in LATIN_SURNAME for t in ta + tb):
        return False
    return any(all(map(_token_match, ta, perm)) for perm in permutations(tb))


@lru_cache(maxsize=1 << 16)
def shares_family_name(a: str, b: str) -> bool:
    """True when two Latin k_names agree on a token that is a known (Korean) family name.

    Why: a 'partial' name (one shared token) inside a household is a sibling or a parent and
    child only when the shared token is the family name; two people of one household sharing a
    given name under different family names is not a family pattern (spouses keep their own
    family names and have other given names). Only the surname table can tell a family name
    from a given name in one-string Latin names, so an unknown shared token is not assumed to
    be one. Tokens match as in ``compare._name`` (exact, or one edit in tokens of 4+ letters)."""
    for ta in a.split():
        for tb in b.split():
            if _token_match(ta, tb) and (ta in LATIN_SURNAME or tb in LATIN_SURNAME):
                return True
    return False


@lru_cache(maxsize=1 << 16)
def korean_naming(k_name: str) -> bool:
    """True when a k_name may follow Korean naming: it is not plain ASCII (Hangul), or one of
    its Latin parts is a Korean family name in some romanisation.

    Why: the household rule for a *close* name (siblings' names one syllable apart, 돌림자, and
    romanisations that fold different Korean names together) is a Korean family pattern. Two
    Latin names with no Korean family name that are one typo apart are a typo, not siblings."""
    if not k_name.isascii():
        return True
    return any(t in LATIN_SURNAME for t in k_name.split())


@lru_cache(maxsize=1 << 16)
def family_naming(a: str, b: str) -> bool:
    """True when two different k_names could name two members of one family: either follows
    Korean naming (``korean_naming``), or they share one part exactly and differ in another
    (one family name, two given names: "mark brown" / "mary brown", "john smith" / "joan
    smith").

    Why: within a household, similar names are siblings or spouses under that pattern, not a
    typo. Only two Latin names with no part in common (each part mistyped, or one single-part
    name mistyped), or whose one differing part is a typing slip of the other
    (``typing_slip``: "amber" / "ambre", "williams" / "williiams"; or a space struck inside it:
    "matthews" / "matthe ws"), are one name for certain."""
    if korean_naming(a) or korean_naming(b):
        return True
    ta, tb = set(a.split()), set(b.split())
    if ta == tb or not any(len(t) > 1 for t in ta & tb):
        return False
    return not _slipped_part(ta - tb, tb - ta)


def _slipped_part(da: set[str], db: set[str]) -> bool:
    """The parts only one name has are one part typed with a slip: one part each
    (``typing_slip``), or one part against two that join into it ("matthews" / "matthe ws",
    a space struck inside the word)."""
    if len(da) > len(db):
        da, db = db, da
    if len(da) != 1:
        return False
    (x,) = da
    if len(db) == 1:
        return typing_slip(x, next(iter(db)))
    if len(db) == 2 and len(x) >= SLIP_MIN_LEN:
        y1, y2 = db
        return x in (y1 + y2, y2 + y1)
    return False


SLIP_MIN_LEN = 5
"""Shortest name part whose slip (``typing_slip``) is taken for a typo: among shorter names a
swap or a dropped double letter can spell another real name ("dean" / "dena", "ana" /
"anna")."""


def typing_slip(x: str, y: str) -> bool:
    """True when two name parts of SLIP_MIN_LEN+ letters differ by one adjacent transposition
    ("ambre" / "amber") or one doubled letter added or dropped ("krzemmpek" / "krzempek").

    Why: these are the mechanical slips of a typist (Damerau 1964: most misspellings are one
    edit, and a swap of two neighbouring keys or a repeated key are the typing-specific ones).
    Family members' given names differ by a substitution or an added ending ("mark" / "mary",
    "paul" / "paula"); a swap or a doubled letter of a 5+ letter name is, in practice, not
    another person's name. A substitution stays a possible family member, whatever the keys."""
    if x == y or min(len(x), len(y)) < SLIP_MIN_LEN:
        return False
    if len(x) == len(y):
        diff = [i for i in range(len(x)) if x[i] != y[i]]
        return (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and x[diff[0]] == y[diff[1]]
            and x[diff[1]] == y[diff[0]]
        )
    short, long_ = (x, y) if len(x) < len(y) else (y, x)
    if len(long_) != len(short) + 1:
        return False
    i = next((k for k in range(len(short)) if short[k] != long_[k]), len(short))
    # long_ has one extra letter at i, equal to a neighbour (a doubled key)
    if long_[i + 1 :] != short[i:]:
        return False
    return (i > 0 and long_[i] == long_[i - 1]) or (i + 1 < len(long_) and long_[i] == long_[i + 1])
