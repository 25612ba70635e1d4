"""Field levels of a big batch of pairs, computed in forked worker processes.

Why: the string comparisons are Python-bound, so two cores need two processes. Kept apart from
the scoring rules in ``vscore`` so how the work is split can change without touching what is
computed.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable

import numpy as np

from .compare import FIELDS

PARALLEL_MIN_PAIRS = 200_000
_JOB: tuple | None = None

FieldLevels = Callable[..., np.ndarray]


def _levels_job(f: str) -> np.ndarray:
    field_levels, model, frame, left, right = _JOB
    return field_levels(frame, f, left, right, model)


def all_levels(field_levels: FieldLevels, model, frame, left, right) -> dict[str, np.ndarray]:
    """Level index per pair for every field; in worker processes for big batches."""
    global _JOB
    workers = min(len(FIELDS), os.cpu_count() or 1)
    if (
        len(left) < PARALLEL_MIN_PAIRS
        or workers < 2
        or "fork" not in multiprocessing.get_all_start_methods()
    ):
        return {f: field_levels(frame, f, left, right, model) for f in FIELDS}
    _JOB = (field_levels, model, frame, left, right)  # inherited by the fork, never pickled
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            return dict(zip(FIELDS, pool.map(_levels_job, FIELDS, chunksize=1), strict=True))
    finally:
        _JOB = None
