"""Match records held in memory: dedup of one set, or link of two, with no store.

Why: the batch run (``pipeline``) reads and writes the SQLite store; a notebook, a benchmark
or a one-off comparison of two files wants the same engine on rows in memory. This runs it end
to end (prior, blocking, field levels, the household finding, scoring, clustering) and
``scripts/bench_febrl.py`` measures exactly this. Never imports Flask; no SQL.

Dedup and link differ in three places only: a link compares pairs across the two sets
(``side``), its prior is one match per record of the larger set (as the app's cross-check),
and its household finding is read from those cross pairs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ..normalize.keys import record_keys
from .blocking import Candidates, candidate_pairs, estimated_recall
from .cluster import cluster
from .frame import RECORD_COLUMNS, KeyFrame
from .households import HouseholdEvidence, household_evidence
from .prior import prior_bits, prior_ratio
from .score import Model
from .settings import MatchSettings
from .vscore import ScoredPairs, pair_levels, score_pairs

VOCABULARY = ("name", "email", "phone", "address", "postal_code", "birth_date")


@dataclass
class RecordsMatch:
    """What :func:`match_records` found; row numbers index the rows as given."""

    frame: KeyFrame
    candidates: Candidates  # every pair the blocking rules proposed
    left: np.ndarray  # the pairs compared (a link: only those across the two sets)
    right: np.ndarray
    scored: ScoredPairs
    groups: dict[int, int]  # row -> the root row of its person
    model: Model
    households: HouseholdEvidence
    prior_ratio: float  # estimated λ over the fixed one; a dedup scores with it, a link only
    # reports it (its prior is one match per record of the larger set)

    @property
    def linked(self) -> np.ndarray:
        """Mask of compared pairs in the auto-link band."""
        return self.scored.probability >= self.model.settings.upper

    @property
    def review(self) -> np.ndarray:
        """Mask of compared pairs a reviewer would be shown."""
        return (self.scored.probability >= self.model.settings.lower) & ~self.linked

    def estimated_recall(self) -> float | None:
        """The blocking's recall estimated from the auto-links (``blocking.estimated_recall``)."""
        link = self.linked
        keys = self.left[link].astype(np.int64) * len(self.frame) + self.right[link]
        return estimated_recall(self.candidates, np.sort(keys))


def keyed_rows(records: Iterable[Mapping[str, str | None]], start: int = 0) -> list[tuple]:
    """Rows in ``RECORD_COLUMNS`` order from records in the vocabulary (name, email, phone,
    address, postal_code, birth_date), keyed as the store keys a claim; ids from ``start``."""
    rows = []
    for i, rec in enumerate(records, start):
        keys = record_keys({f: rec.get(f) for f in VOCABULARY})
        rows.append((i, *(keys.get(c) for c in RECORD_COLUMNS[1:])))
    return rows


def match_records(
    rows: Sequence[tuple],
    *,
    side: np.ndarray | None = None,
    settings: MatchSettings | None = None,
    em: bool = False,
) -> RecordsMatch:
    """Dedup ``rows`` (``RECORD_COLUMNS`` order, e.g. from :func:`keyed_rows`), or, with
    ``side`` (True for the rows of the second set), link the two sets.

    As the batch run: the prior is estimated from the data (``settings.prior``), the household
    rules apply unless the compared pairs show none (``match.households``; only pairs with both
    birth dates count, so sets without them keep the rules), ``em`` trains m/u first."""
    if side is not None:
        side = np.asarray(side, dtype=bool)
        if side.shape != (len(rows),):
            raise ValueError(f"side marks {side.size} rows, but there are {len(rows)} rows")
    settings = settings or MatchSettings()
    frame = KeyFrame.from_rows(rows)
    n = len(frame)
    model = Model(settings=settings, n=n)
    ratio = prior_ratio(frame, model, side)
    cands = candidate_pairs(frame, settings)
    left, right = cands.left, cands.right
    if side is not None:
        across = side[left] != side[right]
        left, right = left[across], right[across]
    levels = pair_levels(model, frame, left, right)
    households = household_evidence(levels)
    if side is None:
        model = Model(settings=settings, n=n, prior_ratio=ratio, households=not households.absent)
    else:
        # one match per record of the larger set, as the app's cross-check (link.py: n = the
        # list's size, no estimate); both sets still count into the term frequencies
        lam = 1.0 / max(int(side.sum()), int((~side).sum()), settings.prior_floor_n)
        model = Model(
            settings=settings, n=n, prior_bits=prior_bits(lam), households=not households.absent
        )
    if em:
        from .em import train

        model = train(frame, left, right, model)
    scored = score_pairs(model, frame, left, right, levels=levels)
    link = scored.probability >= settings.upper
    order = np.lexsort((right[link], left[link], -scored.probability[link]))
    edges = zip(left[link][order].tolist(), right[link][order].tolist(), strict=True)
    groups = cluster(range(n), [], edges, [])
    return RecordsMatch(frame, cands, left, right, scored, groups, model, households, ratio)
