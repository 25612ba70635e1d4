"""Columnar view of many records: one integer code per field value, for vectorised matching.

Why: a million records cannot be compared pair by pair in Python. Factorising each key column
once turns blocking into sorting integers and exact agreement into ``codes_l == codes_r``; only
the unique *pairs of different values* go through the string comparators.
Codes are assigned in sorted value order (so sorting by code sorts by value); -1 means missing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from .compare import FIELDS
from .names import block_forms

RECORD_COLUMNS = (
    "id", "k_name", "k_email", "k_phone", "k_birth", "k_postcode", "k_addr", "k_unit",
)  # fmt: skip
"""Columns a frame is built from, in this order (pipeline and store read exactly these)."""


def factorize(values: Sequence[str | None]) -> tuple[np.ndarray, list[str]]:
    """Codes (int32, -1 for missing/empty) and the sorted unique values."""
    uniques = sorted({v for v in values if v})
    index = {v: i for i, v in enumerate(uniques)}
    get = index.get
    codes = np.fromiter((get(v, -1) if v else -1 for v in values), np.int32, len(values))
    return codes, uniques


def _derive(values: Sequence[str | None], fn) -> list[str | None]:
    cache: dict[str, str | None] = {}
    out = []
    for v in values:
        if not v:
            out.append(None)
            continue
        d = cache.get(v)
        if d is None and v not in cache:
            d = cache[v] = fn(v)
        out.append(d)
    return out


@dataclass
class KeyFrame:
    """Codes for the compared fields (``FIELDS``) and for the extra blocking columns."""

    ids: np.ndarray
    codes: dict[str, np.ndarray] = field(default_factory=dict)
    uniques: dict[str, list[str]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def from_rows(cls, rows: Iterable[Sequence]) -> KeyFrame:
        """Build from tuples in ``RECORD_COLUMNS`` order."""
        cols = list(zip(*rows, strict=True)) or [()] * len(RECORD_COLUMNS)
        ids, k_name, k_email, k_phone, k_birth, k_postcode, k_addr, k_unit = cols
        frame = cls(np.asarray(ids, dtype=np.int64))
        address = [
            (f"{a}#{u}" if u else a) if a else None for a, u in zip(k_addr, k_unit, strict=True)
        ]
        forms = _derive(k_name, block_forms)
        columns = {
            "name": k_name,
            "email": k_email,
            "phone": k_phone,
            "birth_date": k_birth,
            "postal_code": k_postcode,
            "address": address,
            # blocking-only columns
            "name_block": [f[0] if f else None for f in forms],
            "initials": [f[1] if f else None for f in forms],
            "birth_year": _derive(k_birth, lambda v: v[:4]),
            "phone_tail": _derive(k_phone, lambda v: v[-7:]),
            "building": k_addr,
            "unit": k_unit,
        }
        for name, values in columns.items():
            frame.codes[name], frame.uniques[name] = factorize(values)
        return frame

    def counts(self, column: str) -> np.ndarray:
        """How many records carry each code of ``column`` (term frequencies)."""
        codes = self.codes[column]
        return np.bincount(codes[codes >= 0], minlength=len(self.uniques[column]))

    def tf_mapping(self) -> dict[str, dict[str, int]]:
        """field -> value -> count, for a scalar ``Model`` consistent with this frame."""
        out = {}
        for f in FIELDS:
            counts = self.counts(f)
            out[f] = dict(zip(self.uniques[f], counts.tolist(), strict=True))
        return out
