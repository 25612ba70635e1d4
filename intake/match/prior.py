"""The prior (λ, the probability that two random records are one person) estimated from the data.

Why: the fixed prior 1 / n assumes about half a duplicate per record. Claimant files that were
filed three times over (or FEBRL3, ~1.3 true pairs per record) are far more duplicated, and a
prior that is too low pushes true pairs into the review band. As Splink's
``estimate_probability_two_random_records_match``, no labels are used: count the pairs that
agree under deterministic rules precise enough to be (almost) only true pairs, divide by the
recall those rules are expected to have, and divide by the number of comparable pairs.

The rules: exact agreement on at least two of name key, birth date and postcode. Each pair of
them is precise in both Korean and Western data: family members share a postcode but not a name
or (twins aside) a birth date; a namesake with the same birth date *and* postcode, or with the
same birth date among the few thousand people of one postcode, is rare (expected random
agreements n²/2 · u_a · u_b ≈ 1e-8 per pair, ~2 at 20k records). E-mail and phone rules are left
out on purpose: households share them and one-name-one-contact is already covered.

The recall of the rules is not assumed as one number but implied by the model's own m-values
(under Fellegi–Sunter's independence): P(at least two of the three agree exactly | same person),
each field's exact-agreement chance times the share of pairs where both records have it. With
the defaults (m exact 0.80, 0.92, 0.75) that is about 0.92 on complete records.

Linear in the number of records: each rule is a group-by over factorised codes (pairs per group
= c(c-1)/2), no pair is enumerated.
"""

from __future__ import annotations

import math

import numpy as np

from .compare import EXACT
from .frame import KeyFrame
from .score import Model
from .settings import MatchSettings

RULE_FIELDS = ("name", "birth_date", "postal_code")
"""Any two of these agreeing exactly is a deterministic match for the estimate."""

MAX_SHIFT_BITS = 3.0
"""The estimate may move the fixed prior at most this far (a factor of 8) either way."""


def _group_pairs(frame: KeyFrame, fields: tuple[str, ...], side: np.ndarray | None) -> int:
    """Pairs of records agreeing exactly on every field in ``fields`` (all present).

    Dedup: sum over groups of c(c-1)/2. Link (``side`` marks file B): sum of c_A · c_B."""
    codes = [frame.codes[f] for f in fields]
    ok = np.ones(len(frame), dtype=bool)
    for c in codes:
        ok &= c >= 0
    if not ok.any():
        return 0
    key = codes[0][ok].astype(np.int64)
    for f, c in zip(fields[1:], codes[1:], strict=True):
        card = len(frame.uniques[f]) + 1
        if (int(key.max()) + 1) * card >= 2**62:  # re-number the groups so far first
            key = np.unique(key, return_inverse=True)[1].astype(np.int64).ravel()
        key = key * card + c[ok]
    if side is None:
        counts = np.unique(key, return_counts=True)[1].astype(np.int64)
        return int((counts * (counts - 1) // 2).sum())
    b = side[ok]
    keys_a, in_a = np.unique(key[~b], return_counts=True)
    keys_b, in_b = np.unique(key[b], return_counts=True)
    if not len(keys_a) or not len(keys_b):
        return 0
    at = np.minimum(np.searchsorted(keys_a, keys_b), len(keys_a) - 1)
    hit = keys_a[at] == keys_b
    return int((in_a[at[hit]].astype(np.int64) * in_b[hit]).sum())


def rule_pairs(frame: KeyFrame, side: np.ndarray | None = None) -> int:
    """Pairs agreeing exactly on at least two of ``RULE_FIELDS``: by inclusion–exclusion,
    the three two-field counts minus twice the three-field count."""
    a, b, c = RULE_FIELDS
    pairs2 = sum(_group_pairs(frame, r, side) for r in ((a, b), (a, c), (b, c)))
    return pairs2 - 2 * _group_pairs(frame, RULE_FIELDS, side)


def rule_recall(frame: KeyFrame, model: Model, side: np.ndarray | None = None) -> float:
    """P(a true pair satisfies the rules) implied by the model's m and the fields' fill rate."""
    p = []
    for f in RULE_FIELDS:
        present = frame.codes[f] >= 0
        if side is None:
            both = float(present.mean()) ** 2
        else:
            both = float(present[~side].mean()) * float(present[side].mean())
        p.append(model.m[f][EXACT] * both)
    x, y, z = p
    return x * y + x * z + y * z - 2 * x * y * z


def comparable_pairs(n: int, side: np.ndarray | None = None) -> int:
    """n(n-1)/2 for dedup, |A|·|B| for link."""
    if side is None:
        return n * (n - 1) // 2
    nb = int(side.sum())
    return (n - nb) * nb


def estimate_lambda(
    frame: KeyFrame, model: Model, side: np.ndarray | None = None
) -> tuple[float, float] | None:
    """(λ, rule recall) estimated from ``frame``, or None when the data cannot support it
    (fewer than ``settings.prior_floor_n`` records, no rule pair, or no recall)."""
    settings = model.settings
    n = len(frame)
    if n < settings.prior_floor_n:
        return None
    pairs = comparable_pairs(n, side)
    found = rule_pairs(frame, side)
    recall = rule_recall(frame, model, side)
    if pairs <= 0 or found <= 0 or recall <= 0.05:
        return None
    return min(found / recall, pairs) / pairs, recall


def fixed_lambda(n: int, settings: MatchSettings) -> float:
    """The fixed prior: about one duplicate per two records, 1 / max(n, prior_floor_n)."""
    return 1.0 / max(n, settings.prior_floor_n)


def prior_ratio(frame: KeyFrame, model: Model, side: np.ndarray | None = None) -> float:
    """λ estimated / λ fixed, clamped to ±``MAX_SHIFT_BITS``; 1.0 when the setting is
    'fixed' or the estimate is unavailable. Stored as a ratio so a store that grows keeps its
    duplicates-per-record rate: the incremental path applies it to its own n."""
    if model.settings.prior != "estimated":
        return 1.0
    est = estimate_lambda(frame, model, side)
    if est is None:
        return 1.0
    base = (
        fixed_lambda(len(frame), model.settings)
        if side is None
        else 1.0 / max(int(side.sum()), int((~side).sum()), model.settings.prior_floor_n)
    )
    ratio = est[0] / base
    bound = 2.0**MAX_SHIFT_BITS
    return float(min(bound, max(1.0 / bound, ratio)))


def prior_bits(lam: float) -> float:
    """log2 of the prior odds."""
    lam = min(max(lam, 1e-12), 0.5)
    return math.log2(lam / (1.0 - lam))


def stored_params(db, settings: MatchSettings, frame: KeyFrame | None = None) -> dict | None:
    """The model parameters stored in the settings table (m, u from EM; the prior ratio).

    With ``frame`` (a batch run over every stored submission) the prior ratio is estimated
    first and stored next to them, so the incremental path, which has no frame, scores with
    the same prior as the last batch run."""
    from ..store import matches as store

    if frame is None:
        return store.load_model_params(db)
    params, changed = estimated_params(db, settings, frame)
    if changed:
        store.save_model_params(db, params)
    return params


def estimated_params(db, settings: MatchSettings, frame: KeyFrame) -> tuple[dict | None, bool]:
    """The stored parameters with the prior ratio estimated from ``frame``, and whether they
    differ from the stored ones (then the caller stores them: ``stored_params``, or the batch
    run with its other writes, so that it need not wait for a writer meanwhile)."""
    from ..store import matches as store

    params = store.load_model_params(db)
    model = Model.from_params(params, settings=settings, n=len(frame))
    ratio = prior_ratio(frame, model)
    new = {k: v for k, v in (params or {}).items() if k != "prior_ratio"}
    if ratio != 1.0:
        new["prior_ratio"] = ratio
    return new or None, new != (params or {})
