"""Unsupervised estimation of the m/u parameters from the data (optional).

Why: the defaults suit Korean claimants typing their own details; another data source (an old
spreadsheet, FEBRL) errs differently. As Splink does, u comes from random pairs (what two
random records look like), and m from expectation–maximisation over the blocked candidate
pairs, with u held fixed. No labels needed; results are stored and reused by every run.
"""

from __future__ import annotations

import numpy as np

from .compare import FIELDS, LEVELS, MISSING
from .frame import KeyFrame
from .score import Model
from .vscore import field_levels

_FLOOR = 1e-7


def estimate_u(frame: KeyFrame, model: Model, *, sample: int = 200_000, seed: int = 0):
    """u per field level from ``sample`` random pairs (at least the model's defaults' floor)."""
    n = len(frame)
    rng = np.random.default_rng(seed)
    left = rng.integers(0, n, sample)
    right = rng.integers(0, n, sample)
    keep = left != right
    left, right = left[keep], right[keep]
    u = {}
    for f in FIELDS:
        lv = field_levels(frame, f, left, right, model)
        present = lv != MISSING
        counts = np.bincount(lv[present], minlength=len(LEVELS)).astype(float)
        total = counts.sum()
        if total < 1000:  # too little data: keep the defaults
            u[f] = model.u[f]
            continue
        freq = counts / total
        # unseen levels keep the smaller of their default and "less than one in the sample"
        freq = np.where(counts == 0, np.minimum(np.asarray(model.u[f]), 1.0 / total), freq)
        freq[MISSING] = 1.0
        u[f] = tuple(float(max(x, _FLOOR)) for x in freq)
    return u


def estimate_m(
    levels: dict[str, np.ndarray], model: Model, u: dict, *, iterations: int = 30
) -> tuple[dict, float]:
    """(m per field level, match share among candidates) by EM over level patterns, u fixed."""
    nl = len(LEVELS)
    code = np.zeros(len(next(iter(levels.values()))), dtype=np.int64)
    for f in FIELDS:
        code = code * nl + levels[f]
    patterns, counts = np.unique(code, return_counts=True)
    pat_levels = {}
    rest = patterns.copy()
    for f in reversed(FIELDS):
        pat_levels[f] = rest % nl
        rest //= nl
    m = {f: np.asarray(model.m[f], dtype=float) for f in FIELDS}
    uu = {f: np.asarray(u[f], dtype=float) for f in FIELDS}
    lam = 0.1
    for _ in range(iterations):
        lm = np.full(len(patterns), np.log(lam))
        lu = np.full(len(patterns), np.log(1 - lam))
        for f in FIELDS:
            lm += np.log(np.maximum(m[f][pat_levels[f]], _FLOOR))
            lu += np.log(np.maximum(uu[f][pat_levels[f]], _FLOOR))
        p = 1.0 / (1.0 + np.exp(np.clip(lu - lm, -700, 700)))
        wm = counts * p
        lam = float(np.clip(wm.sum() / counts.sum(), 1e-6, 1 - 1e-6))
        for f in FIELDS:
            lv = pat_levels[f]
            present = lv != MISSING
            s = np.bincount(lv[present], weights=wm[present], minlength=nl)
            if s.sum() <= 0:
                continue
            new = s / s.sum()
            new = np.maximum(new, 1e-4)  # never certain a level cannot occur
            new /= new.sum()
            new[MISSING] = 1.0
            m[f] = new
    return {f: tuple(float(x) for x in m[f]) for f in FIELDS}, lam


def train(frame: KeyFrame, left: np.ndarray, right: np.ndarray, model: Model) -> Model:
    """A model with u from random pairs and m from EM over the candidate pairs (same prior,
    settings and term frequencies as ``model``)."""
    u = estimate_u(frame, model)
    levels = {f: field_levels(frame, f, left, right, model) for f in FIELDS}
    m, _ = estimate_m(levels, model, u)
    # partial only exists for names and addresses: keep m = u for the other fields
    for f in FIELDS:
        if f not in ("name", "address"):
            m[f] = tuple(1.0 if i == 2 else x for i, x in enumerate(m[f]))
            u[f] = tuple(1.0 if i == 2 else x for i, x in enumerate(u[f]))
    return Model(
        m, u, settings=model.settings, n=model.n, tf=model.tf, prior_bits=model.prior_bits,
        prior_ratio=model.prior_ratio, households=model.households_found,
    )  # fmt: skip
