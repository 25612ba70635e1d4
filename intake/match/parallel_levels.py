"""Field levels of a big batch of pairs, computed in forked worker processes.

Why: the string comparisons are Python-bound, so two cores need two processes. Kept apart from
the scoring rules in ``vscore`` so how the work is split can change without touching what is
computed.

How the work is split: the six fields cost very different amounts (at 1M candidates from ~1 s
for postcodes to ~6 s for addresses; at 100k names cost most), and one task per field in field
order left one worker with e-mail, phone and address (~15 CPU s at 1M) while the other finished
name, birth date and postcode (~8 s) and idled. The tasks now go out most-expensive-first
(``COST_ORDER``) to whichever worker is free, so the last one to finish is a short one. A field
can also be cut into ``PARTS`` pair slices; that is off by default because each slice repeats
the per-distinct-value transforms (measured at 1M: address +35 %, e-mail +12 % CPU). A pair's
level depends only on its two values, so neither the order nor the slicing can change a level
(a test compares them with the one-process path).
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable

import numpy as np

from ..pools import fork_pool
from .compare import FIELDS

PARALLEL_MIN_PAIRS = 200_000
PARTS = 1
"""Pair slices per field: more even finish times, but each slice repeats the per-distinct-value
transforms of the values it sees (more CPU); 1 measured best on 2 cores."""
COST_ORDER = ("address", "name", "phone", "email", "birth_date", "postal_code")
"""Fields roughly from most to least expensive (measured at 100k and 1M): big tasks first,
small ones last, so the last task to finish is a short one."""
_JOB: tuple | None = None

FieldLevels = Callable[..., np.ndarray]


def _levels_job(task: tuple[str, int, int]) -> np.ndarray:
    field_levels, model, frame, left, right = _JOB
    f, a, b = task
    return field_levels(frame, f, left[a:b], right[a:b], model)


def tasks(n: int, parts: int | None = None) -> list[tuple[str, int, int]]:
    """(field, start, stop) slices of ``n`` pairs, most expensive field first."""
    order = [f for f in COST_ORDER if f in FIELDS] + [f for f in FIELDS if f not in COST_ORDER]
    bounds = np.linspace(0, n, (parts or PARTS) + 1).astype(int).tolist()
    return [(f, a, b) for f in order for a, b in zip(bounds[:-1], bounds[1:], strict=True) if b > a]


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
    jobs = tasks(len(left))
    _JOB = (field_levels, model, frame, left, right)  # inherited by the fork, never pickled
    try:
        with fork_pool(workers) as pool:
            parts = pool.map(_levels_job, jobs, chunksize=1)
    finally:
        _JOB = None
    out: dict[str, list[np.ndarray]] = {f: [] for f in FIELDS}
    for (f, _, _), lv in zip(jobs, parts, strict=True):
        out[f].append(lv)
    return {f: np.concatenate(out[f]) if out[f] else np.zeros(0, np.int8) for f in FIELDS}
