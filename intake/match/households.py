"""Do the data have households? Counted from the candidate pairs' levels, no labels.

Why: the household rules (``score.HOUSEHOLD_MU``, the contact cap) keep family members apart,
and they cost recall where there are no families: a duplicate whose name and birth date were
both replaced at one address looks like a spouse. Claimant data always have families; a
customer master list or a benchmark such as FEBRL has none. As the prior, this is read from
the data in each batch run.

The count: among pairs that share an exact address and postcode and both have a birth date,
*same-person* pairs (name exact or close) against *co-resident* pairs (name far and birth date
far: another member). Without birth dates a co-resident cannot be seen, so claims imported
without them (or an affected list, which has none) never read as household-free.
Families give about one co-resident per same-person pair (0.82 at 20k Korean people, among the
candidate pairs); FEBRL gives 0 of 282 (FEBRL3) and 2 of 424 (FEBRL4, across the files). Both
kinds grow with the square of the sample, so the ratio reads the same on a campaign's first
thousand claims as on all of them; below ``MIN_SAME_PERSON_PAIRS`` there is too little to read,
and the rules stay on. With the generator (``intake.synth``), 1% of people living with another
claimant still reads 0.027; a property test pins "never household-free" from 2% at any size and
re-filing rate.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from .compare import CLOSE, EXACT, FAR, MISSING

MIN_SAME_PERSON_PAIRS = 100
"""Same-person pairs at one address needed before the data may be read as household-free."""

MAX_CO_RESIDENT_SHARE = 0.01
"""Households are absent when co-resident pairs are at most this share of same-person pairs."""


@dataclass(frozen=True)
class HouseholdEvidence:
    """Pairs at one exact address and postcode: the same person again, or a co-resident."""

    same_person: int = 0
    co_resident: int = 0

    @property
    def absent(self) -> bool:
        """True when the data show enough people at their address and (almost) no families."""
        return (
            self.same_person >= MIN_SAME_PERSON_PAIRS
            and self.co_resident <= MAX_CO_RESIDENT_SHARE * self.same_person
        )

    def as_params(self) -> dict[str, int]:
        return {"same_person": self.same_person, "co_resident": self.co_resident}

    def __str__(self) -> str:
        if self.absent:
            verdict = "none found"
        elif self.same_person < MIN_SAME_PERSON_PAIRS:
            verdict = "kept apart, too few pairs to tell"
        else:
            verdict = "kept apart"
        return (
            f"households: {verdict} ({self.co_resident} co-resident / "
            f"{self.same_person} same-person pairs at one address)"
        )


def household_evidence(levels: Mapping[str, np.ndarray]) -> HouseholdEvidence:
    """Count both kinds of pairs among scored candidates (``levels``: field -> level per pair).

    Only pairs with both birth dates count, on both sides of the ratio: a co-resident is told
    from a renamed record by the birth date, so where it is missing (an import without that
    column, a list that never had it) there is nothing to read, and the rules stay on."""
    home = (
        (levels["address"] == EXACT)
        & (levels["postal_code"] == EXACT)
        & (levels["birth_date"] != MISSING)
    )
    same = home & (levels["name"] <= CLOSE)
    co = home & (levels["name"] == FAR) & (levels["birth_date"] == FAR)
    return HouseholdEvidence(int(np.count_nonzero(same)), int(np.count_nonzero(co)))


def households_params(
    params: Mapping | None, evidence: HouseholdEvidence, *, every_pair: bool
) -> tuple[dict | None, bool]:
    """The stored model parameters with the household finding of this batch run, and whether
    they changed. ``every_pair``: the run scored every candidate pair (a full run, or a first
    one), so it decides either way; a run over new submissions only sees their pairs, so it can
    only find households (turn the rules back on), never conclude there are none."""
    new = dict(params or {})
    stored_absent = bool(new.pop("households_absent", False))
    if every_pair:
        absent = evidence.absent
    else:
        found = evidence.co_resident > MAX_CO_RESIDENT_SHARE * max(
            evidence.same_person, MIN_SAME_PERSON_PAIRS
        )
        absent = stored_absent and not found
    if absent:
        new["households_absent"] = True
    return new or None, absent != stored_absent
