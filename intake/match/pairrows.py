"""Rows for the pairs table from scored candidates, built column-wise.

Why a module of its own: at a million submissions ~700k pairs are stored, each with a JSON
explanation; building them one ``json.dumps`` at a time cost seconds, so the text is made
from one template per combination of field levels and each distinct number is formatted once.
"""

from __future__ import annotations

import numpy as np

from .blocking import RULES
from .compare import FIELDS, LEVELS
from .explain import FIELD_TEMPLATES, PRIOR_TEMPLATE
from .vscore import ScoredPairs


def pair_rows(frame, cands, scored, keep, settings) -> list[tuple]:
    """Rows for ``write_pairs`` of the kept pairs, built column-wise (numpy -> lists once)."""
    idx = np.flatnonzero(keep)
    rule_names = [r.name for r in RULES]
    prob = scored.probability[idx].tolist()
    return list(
        zip(
            frame.ids[cands.left[idx]].tolist(),
            frame.ids[cands.right[idx]].tolist(),
            prob,
            scored.weight[idx].tolist(),
            [settings.band(p) for p in prob],
            explanations(scored, idx),
            [rule_names[r] for r in cands.rule[idx].tolist()],
            strict=True,
        )
    )


def explanations(scored: ScoredPairs, idx: np.ndarray) -> list[str]:
    """``scored.explanation(k)`` for every k in ``idx``, byte for byte, but one %-format per
    pair: the text around the numbers is fixed per combination of field levels, so each
    combination's template is built once (a test checks both agree)."""
    base = len(LEVELS)
    code = np.zeros(len(idx), dtype=np.int64)
    for f in FIELDS:
        code = code * base + scored.levels[f][idx]
    prior = (PRIOR_TEMPLATE % repr(round(scored.prior_bits, 3))).replace("%", "%%")
    templates: dict[int, str] = {}

    def template(c: int) -> str:
        levels = []
        for _ in FIELDS:
            c, lv = divmod(c, base)
            levels.append(lv)
        parts = [FIELD_TEMPLATES[f][lv] for f, lv in zip(FIELDS, levels[::-1], strict=True)]
        return "".join([prior, *parts]) + "}"

    out = []
    bits = [_reprs(scored.bits[f][idx]) for f in FIELDS]
    for c, *b in zip(code.tolist(), *bits, strict=True):
        t = templates.get(c)
        if t is None:
            t = templates[c] = template(c)
        out.append(t % tuple(b))
    return out


def _reprs(values: np.ndarray) -> list[str]:
    """``repr(float(v))`` of every value, each distinct value formatted once (a field's bits
    take few values: one per level, plus the term-frequency ones). Distinct by bit pattern,
    so -0.0 keeps its own text."""
    raw = np.ascontiguousarray(values, dtype=np.float64)
    uniq, inverse = np.unique(raw.view(np.int64), return_inverse=True)
    texts = [repr(v) for v in uniq.view(np.float64).tolist()]
    return list(map(texts.__getitem__, inverse.ravel().tolist()))
