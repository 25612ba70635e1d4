"""Vectorised comparison levels for many pairs of *different* present values.

Why: the batch scores millions of value pairs; calling a Python comparator per pair costs
~10 µs each. Here the edit distances run in rapidfuzz's C ``process.cpdist`` (on 2 threads)
over whole arrays, and only rare leftovers (Latin names, swapped birth days) go through the
scalar comparator in ``compare``. A test checks both paths give the same level on every pair.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import OSA, Indel, Levenshtein

from .compare import CLOSE, FAR, compare_values
from .names import hangul_forms
from .settings import MatchSettings

WORKERS = 2


def _sim(a: Sequence[str], b: Sequence[str], scorer=Levenshtein.normalized_similarity):
    return process.cpdist(a, b, scorer=scorer, dtype=np.float64, workers=WORKERS)


def _dist(a: Sequence[str], b: Sequence[str], scorer=OSA.distance):
    return process.cpdist(a, b, scorer=scorer, dtype=np.int32, workers=WORKERS)


def _mapped(values: Sequence[str], fn: Callable[[str], object]) -> list:
    cache: dict[str, object] = {}
    out = []
    for v in values:
        r = cache.get(v)
        if r is None:
            r = cache[v] = fn(v)
        out.append(r)
    return out


def _scalar(field: str, a, b, idx: np.ndarray, levels: np.ndarray, s: MatchSettings) -> None:
    for k in idx.tolist():
        levels[k] = compare_values(field, a[k], b[k], s)


def levels_for(field: str, a: list[str], b: list[str], s: MatchSettings) -> np.ndarray:
    """Level of each (a[k], b[k]); all present and a[k] != b[k]."""
    n = len(a)
    levels = np.full(n, FAR, dtype=np.int8)
    if n == 0:
        return levels
    if field == "name":
        fa, fb = _mapped(a, hangul_forms), _mapped(b, hangul_forms)
        hangul = np.fromiter(
            (x is not None and y is not None for x, y in zip(fa, fb, strict=True)), bool, n
        )
        h = np.flatnonzero(hangul)
        if len(h):
            ja = [fa[k][0] for k in h.tolist()]
            jb = [fb[k][0] for k in h.tolist()]
            sim = _sim(ja, jb)
            same_block = np.fromiter((fa[k][1] == fb[k][1] for k in h.tolist()), bool, len(h))
            sim = np.where(same_block, np.maximum(sim, 0.95), sim)
            levels[h[sim >= s.name_close]] = CLOSE
        _scalar(field, a, b, np.flatnonzero(~hangul), levels, s)
    elif field == "phone":
        tail = np.fromiter((x[-7:] == y[-7:] for x, y in zip(a, b, strict=True)), bool, n)
        close = tail | (_dist(a, b, Levenshtein.distance) <= 1)
        levels[close] = CLOSE
    elif field == "postal_code":
        levels[_dist(a, b) <= 1] = CLOSE
    elif field == "email":
        local = np.fromiter(
            (x.partition("@")[0] == y.partition("@")[0] for x, y in zip(a, b, strict=True)), bool, n
        )
        levels[local | (_sim(a, b) >= s.email_close)] = CLOSE
    elif field == "birth_date":
        levels[_dist(a, b) <= 1] = CLOSE
        # day/month swap and lunar/solar need the same year: few pairs, scalar path
        rest = np.flatnonzero(
            (levels == FAR)
            & np.fromiter((x[:5] == y[:5] for x, y in zip(a, b, strict=True)), bool, n)
        )
        _scalar(field, a, b, rest, levels, s)
    elif field == "address":
        pa, pb = _mapped(a, _addr_parts), _mapped(b, _addr_parts)
        same_building = np.fromiter((x[0] == y[0] for x, y in zip(pa, pb, strict=True)), bool, n)
        unit_conflict = np.fromiter(
            (
                x[1] is not None and y[1] is not None and x[1] != y[1]
                for x, y in zip(pa, pb, strict=True)
            ),
            bool,
            n,
        )
        levels[same_building] = CLOSE
        todo = np.flatnonzero(~same_building & ~unit_conflict)
        if len(todo):
            t = todo.tolist()
            cut = s.address_close
            close = _sim([pa[k][0] for k in t], [pb[k][0] for k in t]) >= cut
            close |= _sim([pa[k][2] for k in t], [pb[k][2] for k in t]) >= cut
            multi = np.fromiter((pa[k][3] and pb[k][3] for k in t), bool, len(t))
            close |= multi & (
                _sim([pa[k][4] for k in t], [pb[k][4] for k in t], Indel.normalized_similarity)
                >= cut
            )
            levels[todo[close]] = CLOSE
    else:  # pragma: no cover - every field has a fast path
        _scalar(field, a, b, np.arange(n), levels, s)
    return levels


def _addr_parts(value: str) -> tuple[str, str | None, str, bool, str]:
    building, _, unit = value.partition("#")
    tokens = building.split()
    return (
        building,
        unit or None,
        building.replace(" ", ""),
        len(tokens) > 1,
        " ".join(sorted(tokens)),
    )
