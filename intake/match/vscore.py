"""Vectorised scoring of many candidate pairs; gives the same numbers as ``Model.score``.

Why: exact/missing levels come from comparing integer codes in numpy; only each *unique pair of
different values* goes through the Python comparator, once, however many pairs share it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from .arrays import unique_inverse, used_codes
from .compare import CLOSE, CONTACT_FIELDS, EXACT, FAR, FIELDS, MISSING, PARTIAL
from .explain import FIELD_TEMPLATES, PRIOR_TEMPLATE
from .frame import KeyFrame
from .names import family_naming, is_hangul, korean_naming, shares_family_name
from .parallel_levels import all_levels
from .score import HOUSEHOLD_FIELDS, Model
from .vcompare import levels_for_codes


@dataclass
class ScoredPairs:
    """Levels and bits per field, total weight and probability, one entry per pair."""

    levels: dict[str, np.ndarray]
    bits: dict[str, np.ndarray]
    weight: np.ndarray
    probability: np.ndarray
    prior_bits: float

    def explanation(self, k: int) -> str:
        """The stored explanation of pair ``k`` (``explain.encode`` of what ``Model.score``
        gives); built from string templates because a million json.dumps calls cost seconds."""
        parts = [PRIOR_TEMPLATE % repr(round(self.prior_bits, 3))]
        for f in FIELDS:
            parts.append(FIELD_TEMPLATES[f][int(self.levels[f][k])] % repr(float(self.bits[f][k])))
        return "".join(parts) + "}"


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
        uniq, inverse = unique_inverse(lo * k + hi)
        hangul = getattr(frame, "hangul", None) if f == "name" else None
        res = levels_for_codes(f, frame.uniques[f], uniq // k, uniq % k, model.settings, hangul)
        levels[other] = res[inverse]
    return levels


def tf_bits_array(counts: np.ndarray, n: int, u_exact: float, model: Model) -> np.ndarray:
    """``score.tf_bits`` for every code at once."""
    s = model.settings
    if n <= 0:
        return np.zeros(len(counts))
    freq = (counts + 1.0) / (n + 1.0 / u_exact)
    return np.clip(np.log2(u_exact / freq), -s.tf_max_down_bits, s.tf_max_up_bits)


def pair_levels(
    model: Model, frame: KeyFrame, left: np.ndarray, right: np.ndarray
) -> dict[str, np.ndarray]:
    """Level index per field for every pair (in worker processes for big batches); the levels
    depend only on the settings' cut-offs, so a run can read them before it builds its model."""
    return all_levels(field_levels, model, frame, left, right)


def score_pairs(
    model: Model,
    frame: KeyFrame,
    left: np.ndarray,
    right: np.ndarray,
    *,
    tf: bool = True,
    levels: Mapping[str, np.ndarray] | None = None,
) -> ScoredPairs:
    """Score pairs of frame rows; term frequencies are the frame's own counts (n = its size).
    ``levels``: the pairs' ``pair_levels``, when the caller has them already."""
    levels = dict(levels) if levels is not None else pair_levels(model, frame, left, right)
    bits = {}
    for f in FIELDS:
        lv = levels[f]
        b = np.asarray(model.level_bits[f], dtype=np.float64)[lv]
        if tf and model.n > 0:
            adj = tf_bits_array(frame.counts(f), model.n, model.u[f][EXACT], model)
            exact = lv == EXACT
            b[exact] += adj[frame.codes[f][left[exact]]]
        bits[f] = b
    household = np.zeros(len(left), dtype=bool)
    home = household.copy()
    if model.households:  # as score.Model.score
        for f in HOUSEHOLD_FIELDS:
            household |= levels[f] == EXACT
        home = household | (levels["address"] <= PARTIAL)
    typo = _typo_of_one_name(frame, left, right, levels["name"], home)
    bits["name"][typo] = model.latin_close_bits
    if household.any():
        _household(model, frame, left, right, levels, bits, household)
    positive = sum(np.where(bits[f] > 0, bits[f], 0.0) for f in CONTACT_FIELDS)
    cap = model.contact_cap
    capped = positive > cap
    capped[typo] = False
    scale = np.where(capped, cap / np.maximum(positive, 1e-300), 1.0)
    for f in CONTACT_FIELDS:
        bits[f] = np.where(bits[f] > 0, bits[f] * scale, bits[f])
    for f in FIELDS:
        bits[f] = np.round(bits[f], 3)
    prior = round(model.prior_bits, 3)
    weight = np.round(prior + sum(bits[f] for f in FIELDS), 3)
    odds = np.exp2(np.clip(weight, -60, 60))
    prob = np.where(weight > 60, 1.0, np.where(weight < -60, 0.0, odds / (1.0 + odds)))
    return ScoredPairs(levels, bits, weight, prob, model.prior_bits)


def _typo_of_one_name(frame, left, right, name_levels, household) -> np.ndarray:
    """Indices of the pairs ``score.typo_of_one_name`` holds for (one Latin name mistyped).
    Korean naming is tested once per distinct name of the close-name pairs; the pair test
    (``names.family_naming``) runs only on the few close Latin pairs inside a household."""
    idx = np.flatnonzero(name_levels == CLOSE)
    if not len(idx):
        return idx
    names = frame.uniques["name"]
    ca, cb = frame.codes["name"][left[idx]], frame.codes["name"][right[idx]]
    used = used_codes(ca, cb)
    korean = np.zeros(len(names), dtype=bool)
    korean[used] = [korean_naming(names[c]) for c in used.tolist()]
    keep = ~(korean[ca] | korean[cb])
    home = np.flatnonzero(keep & household[idx])
    keep[home] = [not family_naming(names[ca[k]], names[cb[k]]) for k in home.tolist()]
    return idx[keep]


def _household(model, frame, left, right, levels, bits, household) -> None:
    """``Model._household`` for every pair at once (the same rules, as masks)."""
    names = frame.uniques["name"]
    ca, cb = frame.codes["name"][left], frame.codes["name"][right]
    contact = (levels["email"] == EXACT) | (levels["phone"] == EXACT)
    for (f, lv), w in model.household_bits.items():
        mask = household & (levels[f] == lv)
        if (f, lv) == ("name", PARTIAL):
            idx = np.flatnonzero(mask)  # few pairs: partial names only
            keep = [shares_family_name(names[ca[k]], names[cb[k]]) for k in idx]
            mask[idx[~np.asarray(keep, dtype=bool)]] = False
        elif (f, lv) == ("birth_date", FAR):
            mask &= (levels["name"] != EXACT) | contact
        elif (f, lv) == ("name", CLOSE):
            idx = np.flatnonzero(mask)  # few pairs: close names in one household
            keep = [family_naming(names[ca[k]], names[cb[k]]) for k in idx]
            mask[idx[~np.asarray(keep, dtype=bool)]] = False
        bits[f][mask] = w
        if (f, lv) == ("name", CLOSE):
            hangul = np.fromiter(map(is_hangul, names), bool, len(names))
            both_hangul = (ca >= 0) & (cb >= 0) & hangul[ca] & hangul[cb]
            bits[f][mask & ~both_hangul] = model.household_close_romanised_bits


__all__ = ["CLOSE", "ScoredPairs", "score_pairs", "field_levels", "pair_levels"]
