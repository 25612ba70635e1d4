"""Vectorised comparison levels for many pairs of *different* present values.

Why: the batch scores millions of value pairs; a Python comparator per pair costs ~10 µs. Here
each distinct value is transformed once (jamo, mailbox name, last 7 digits, building...), pairs
pick their transforms by integer code (numpy gathers), edit distances run in rapidfuzz's C
``process.cpdist``, and only rare leftovers (Latin names, a day/month swap) go through the scalar
comparator in ``compare``. A test checks both paths agree on every pair.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import OSA, Indel, Levenshtein

from .arrays import used_codes
from .compare import CLOSE, FAR, PARTIAL, compare_values, house_street
from .frame import factorize
from .names import hangul_forms
from .settings import MatchSettings

WORKERS = 2


def _sim(a, b, scorer=Levenshtein.normalized_similarity) -> np.ndarray:
    return process.cpdist(a, b, scorer=scorer, dtype=np.float64, workers=WORKERS)


def _dist(a, b, scorer=OSA.distance) -> np.ndarray:
    return process.cpdist(a, b, scorer=scorer, dtype=np.int32, workers=WORKERS)


class _Side:
    """Per-distinct-value transforms, gathered for the left and right side of every pair."""

    def __init__(self, values: Sequence[str], lo: np.ndarray, hi: np.ndarray) -> None:
        used = used_codes(lo, hi)
        pos = np.zeros(int(used[-1]) + 1 if len(used) else 1, dtype=np.int64)
        pos[used] = np.arange(len(used))
        self.used = used.tolist()
        self.vals = [values[i] for i in self.used]
        self.l, self.r = pos[lo], pos[hi]

    def per_value(self, fn: Callable[[str], object] | list) -> list:
        """fn of every distinct value (``vals`` order); a list is taken as already computed."""
        return fn if isinstance(fn, list) else [fn(v) for v in self.vals]

    def strings(
        self, fn: Callable[[str], str] | list | None = None, idx: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """fn of the left and right value of every pair, or of the pairs ``idx`` only."""
        arr = np.array(self.vals if fn is None else self.per_value(fn), dtype=object)
        if idx is None:
            return arr[self.l], arr[self.r]
        return arr[self.l[idx]], arr[self.r[idx]]

    def codes(
        self,
        fn: Callable[[str], str | None] | list,
        fn_r: Callable[[str], str | None] | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Codes of fn(left value) and fn(right value); with ``fn_r`` the right side's are
        of fn_r(right value), in the same numbering (equal codes: fn(a) == fn_r(b))."""
        if fn_r is None:
            codes, _ = factorize(self.per_value(fn))
            return codes[self.l], codes[self.r]
        m = len(self.vals)
        codes, _ = factorize([fn(v) for v in self.vals] + [fn_r(v) for v in self.vals])
        return codes[:m][self.l], codes[m:][self.r]

    def flags(self, fn: Callable[[str], bool] | list) -> tuple[np.ndarray, np.ndarray]:
        arr = np.fromiter(self.per_value(fn), bool, len(self.vals))
        return arr[self.l], arr[self.r]


def _ymd(v: str) -> str | None:
    """Year, month and day of a 10-character date (the parts ``compare._birth`` swaps)."""
    return v[:4] + v[5:7] + v[8:10] if len(v) == 10 else None


def _ydm(v: str) -> str | None:
    """Year, day and month: equal to another date's ``_ymd`` when the two swap day and month."""
    return v[:4] + v[8:10] + v[5:7] if len(v) == 10 else None


def _scalar(field, values, lo, hi, idx: np.ndarray, levels: np.ndarray, s) -> None:
    for k in idx.tolist():
        levels[k] = compare_values(field, values[lo[k]], values[hi[k]], s)


def levels_for_codes(
    field: str,
    values: Sequence[str],
    lo: np.ndarray,
    hi: np.ndarray,
    s: MatchSettings,
    hangul: Sequence[tuple[str, str] | None] | None = None,
) -> np.ndarray:
    """Level of each pair (values[lo[k]], values[hi[k]]); all present and different.
    ``hangul``: ``names.hangul_forms`` of every value when the caller has them (names)."""
    n = len(lo)
    levels = np.full(n, FAR, dtype=np.int8)
    if n == 0:
        return levels
    side = _Side(values, lo, hi)
    if field == "name":
        forms = (
            [hangul[i] for i in side.used]
            if hangul is not None
            else list(map(hangul_forms, side.vals))
        )
        form_of = dict(zip(side.vals, forms, strict=True))
        ha, hb = side.flags(lambda v: form_of[v] is not None)
        h = np.flatnonzero(ha & hb)
        if len(h):
            ja, jb = side.strings(lambda v: (form_of[v] or ("", ""))[0])
            ba, bb = side.codes(lambda v: (form_of[v] or ("", ""))[1])
            sim = _sim(ja[h], jb[h])
            sim = np.where(ba[h] == bb[h], np.maximum(sim, 0.95), sim)
            levels[h[sim >= s.name_close]] = CLOSE
        _scalar(field, values, lo, hi, np.flatnonzero(~(ha & hb)), levels, s)
    elif field == "phone":
        ta, tb = side.codes(lambda v: v[-7:])
        a, b = side.strings()
        levels[(ta == tb) | (_dist(a, b, Levenshtein.distance) <= 1)] = CLOSE
    elif field == "postal_code":
        a, b = side.strings()
        levels[_dist(a, b) <= 1] = CLOSE
    elif field == "email":
        la, lb = side.codes(lambda v: v.partition("@")[0])
        a, b = side.strings()
        levels[(la == lb) | (_sim(a, b) >= s.email_close)] = CLOSE
    elif field == "birth_date":
        a, b = side.strings()
        levels[_dist(a, b) <= 1] = CLOSE
        ya, yb = side.codes(lambda v: v[:5])
        # a day/month swap (``compare._birth``) needs the same year: one value's year, month
        # and day equal the other's year, day and month, both coded in one numbering
        ka, kb = side.codes(_ymd, _ydm)
        levels[(levels == FAR) & (ya == yb) & (ka >= 0) & (ka == kb)] = CLOSE
    elif field == "address":
        # each distinct value split once (building, unit), not once per transform
        parts = [v.partition("#") for v in side.vals]
        building = [p[0] for p in parts]
        ba, bb = side.codes(building)
        ua, ub = side.codes([p[2] or None for p in parts])
        same_building = ba == bb
        levels[same_building] = CLOSE
        todo = np.flatnonzero(~same_building & ~((ua >= 0) & (ub >= 0) & (ua != ub)))
        if len(todo):
            cut = s.address_close
            a, b = side.strings(building, todo)
            close = _sim(a, b) >= cut
            a, b = side.strings([x.replace(" ", "") for x in building], todo)
            close |= _sim(a, b) >= cut
            words = [x.split() for x in building]
            ma, mb = side.flags([len(w) > 1 for w in words])
            a, b = side.strings([" ".join(sorted(w)) for w in words], todo)
            multi = ma[todo] & mb[todo]
            close |= multi & (_sim(a, b, Indel.normalized_similarity) >= cut)
            levels[todo[close]] = CLOSE
            # free text: the same street and house number, or one without a number (never for
            # Korean building keys: house_street is None)
            hs = [house_street(x) for x in building]
            sa, sb = side.codes([h[1] if h else None for h in hs])
            na, nb = side.codes([h[0] if h else None for h in hs])  # '' -> -1
            r = todo[~close]
            same = (sa[r] >= 0) & (sa[r] == sb[r])
            levels[r[same & ((na[r] == nb[r]) | (na[r] < 0) | (nb[r] < 0))]] = PARTIAL
    else:  # pragma: no cover - every field has a fast path
        _scalar(field, values, lo, hi, np.arange(n), levels, s)
    return levels


def levels_for(field: str, a: list[str], b: list[str], s: MatchSettings) -> np.ndarray:
    """Level of each (a[k], b[k]) pair of present, different strings (tests, small batches)."""
    values = sorted(set(a) | set(b))
    index = {v: i for i, v in enumerate(values)}
    lo = np.fromiter((index[x] for x in a), np.int64, len(a))
    hi = np.fromiter((index[x] for x in b), np.int64, len(b))
    return levels_for_codes(field, values, lo, hi, s)
