"""Persons of a full batch run, computed and written column-wise.

Why: at a million submissions the generic path built a person-id string and a tuple for every
row in Python, then inserted all of them into a temporary table to join the UPDATE against
(~6 s of Python and ~2 s of inserts). In a full run without "different people" decisions a
person is a connected component, and most rows are their component's earliest member, whose
person id is the canonical form of their own claim reference: SQLite can compute that one
itself. Only the other rows (later filings of one person, odd references) are sent.
"""

from __future__ import annotations

import re

import numpy as np

from .cluster import components, person_id
from .frame import factorize

CANONICAL_REF = re.compile(r"CL-[0-9A-Z]{4}-[0-9A-Z]{4}")
"""References whose person id SQLite computes as 'P-' || the 8 characters (``person_id``'s
canonical form; upper-case ASCII only, so distinct references give distinct person ids)."""


def edge_rows(ids: np.ndarray, effective: dict, links: tuple) -> tuple | None:
    """Row-index ends of the auto-links ``links`` (id arrays) plus human "same" decisions, or
    None when the vectorised components do not apply: a "different people" decision exists
    (the merge order then matters) or an edge names an unknown submission."""
    if not len(ids) or any(d == "different" for d in effective.values()):
        return None
    same = np.asarray([p for p, d in effective.items() if d == "same"], dtype=np.int64)
    a = np.concatenate([links[0], same[:, 0]]) if len(same) else links[0]
    b = np.concatenate([links[1], same[:, 1]]) if len(same) else links[1]
    ia, ib = np.searchsorted(ids, a), np.searchsorted(ids, b)
    ia, ib = np.minimum(ia, len(ids) - 1), np.minimum(ib, len(ids) - 1)
    if not ((ids[ia] == a).all() and (ids[ib] == b).all()):
        return None
    return ia, ib


def earliest_rows(ids: np.ndarray, meta: list[tuple], a: np.ndarray, b: np.ndarray):
    """For every row, the row of its component's earliest (submitted_at, id) member: the
    member whose claim reference names the person, as ``cluster.person_ids`` chooses it."""
    n = len(ids)
    labels = components(n, a, b)
    when, _ = factorize([m[1] for m in meta])  # codes in sorted (time) order
    order = np.lexsort((ids, when, labels))
    lab = labels[order]
    first = np.r_[True, lab[1:] != lab[:-1]]
    earliest = np.empty(n, dtype=np.int64)
    earliest[lab[first]] = order[first]
    return earliest[labels]


def full_run_persons(ids: np.ndarray, meta: list[tuple], rep: np.ndarray):
    """(explicit (id, person id) rows, number of persons) for ``matches.set_persons_full``.

    Every row not listed gets the canonical person id of its own reference from SQLite."""
    refs = [m[0] for m in meta]
    own = rep == np.arange(len(rep))
    canonical = np.fromiter(map(bool, map(CANONICAL_REF.fullmatch, refs)), bool, len(refs))
    explicit = np.flatnonzero(~(own & canonical))
    reps = np.unique(rep[explicit]).tolist()
    pid = {r: person_id(refs[r]) for r in reps}
    rows = list(
        zip(ids[explicit].tolist(), map(pid.__getitem__, rep[explicit].tolist()), strict=True)
    )
    if (own & ~canonical).any():  # an odd reference may name a person another one names too
        persons = len({person_id(refs[r]) for r in np.flatnonzero(own).tolist()})
    else:  # distinct canonical references name distinct persons
        persons = int(own.sum())
    return rows, persons
