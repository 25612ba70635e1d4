"""Vectorised scoring of many candidate pairs; gives the same numbers as ``Model.score``.

Why: exact/missing levels come from comparing integer codes in numpy; only each *unique pair of
different values* goes through the Python comparator, once, however many pairs share it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np

from .compare import CLOSE, CONTACT_FIELDS, EXACT, FIELDS, LEVELS, MISSING, compare_values
from .frame import KeyFrame
from .score import Model


@dataclass
class ScoredPairs:
    """Levels and bits per field, total weight and probability, one entry per pair."""

    levels: dict[str, np.ndarray]
    bits: dict[str, np.ndarray]
    weight: np.ndarray
    probability: np.ndarray
    prior_bits: float

    def explanation(self, k: int) -> str:
        """The JSON explanation of pair ``k`` (same shape as ``Scored.explanation``)."""
        items = [{"field": "prior", "level": "prior", "bits": round(self.prior_bits, 3)}]
        items += [
            {"field": f, "level": LEVELS[int(self.levels[f][k])], "bits": float(self.bits[f][k])}
            for f in FIELDS
        ]
        return json.dumps(items, ensure_ascii=False)


def field_levels(
    frame: KeyFrame, f: str, left: np.ndarray, right: np.ndarray, model: Model
) -> np.ndarray:
    """Level index per pair for one field."""
    ca, cb = frame.codes[f][left], frame.codes[f][right]
    levels = np.full(len(left), MISSING, dtype=np.int8)
    both = (ca >= 0) & (cb >= 0)
    levels[both & (ca == cb)] = EXACT
    other = np.flatnonzero(both & (ca != cb))
    if len(other):
        lo = np.minimum(ca[other], cb[other]).astype(np.int64)
        hi = np.maximum(ca[other], cb[other]).astype(np.int64)
        k = len(frame.uniques[f]) + 1
        uniq, inverse = np.unique(lo * k + hi, return_inverse=True)
        values = frame.uniques[f]
        s = model.settings
        res = np.fromiter(
            (compare_values(f, values[p // k], values[p % k], s) for p in uniq.tolist()),
            np.int8,
            len(uniq),
        )
        levels[other] = res[inverse]
    return levels


def tf_bits_array(counts: np.ndarray, n: int, u_exact: float, model: Model) -> np.ndarray:
    """``score.tf_bits`` for every code at once."""
    s = model.settings
    if n <= 0:
        return np.zeros(len(counts))
    freq = (counts + 1.0) / (n + 1.0 / u_exact)
    return np.clip(np.log2(u_exact / freq), -s.tf_max_down_bits, s.tf_max_up_bits)


def score_pairs(
    model: Model, frame: KeyFrame, left: np.ndarray, right: np.ndarray, *, tf: bool = True
) -> ScoredPairs:
    """Score pairs of frame rows; term frequencies are the frame's own counts (n = its size)."""
    levels, bits = {}, {}
    for f in FIELDS:
        lv = field_levels(frame, f, left, right, model)
        b = np.asarray(model.level_bits[f], dtype=np.float64)[lv]
        if tf and model.n > 0:
            adj = tf_bits_array(frame.counts(f), model.n, model.u[f][EXACT], model)
            exact = lv == EXACT
            b[exact] += adj[frame.codes[f][left[exact]]]
        levels[f], bits[f] = lv, b
    positive = sum(np.where(bits[f] > 0, bits[f], 0.0) for f in CONTACT_FIELDS)
    cap = model.contact_cap
    scale = np.where(positive > cap, cap / np.maximum(positive, 1e-300), 1.0)
    for f in CONTACT_FIELDS:
        bits[f] = np.where(bits[f] > 0, bits[f] * scale, bits[f])
    for f in FIELDS:
        bits[f] = np.round(bits[f], 3)
    prior = round(model.prior_bits, 3)
    weight = np.round(prior + sum(bits[f] for f in FIELDS), 3)
    odds = np.exp2(np.clip(weight, -60, 60))
    prob = np.where(weight > 60, 1.0, np.where(weight < -60, 0.0, odds / (1.0 + odds)))
    return ScoredPairs(levels, bits, weight, prob, model.prior_bits)


__all__ = ["CLOSE", "ScoredPairs", "score_pairs", "field_levels"]
