"""Fellegi–Sunter scoring with term-frequency adjustment and an explanation per pair.

Why: every field's agreement level has an m (how often true duplicates land there) and a u
(how often random pairs do); log2(m/u) is its evidence in bits, the bits add up with a prior, and
the total is a probability a reviewer can trust *and* take apart (the explanation). Agreeing on a
common value (김민준, a phone shared by many names) is worth less: its u is the value's frequency.

Public API (stable; the link step and the review screens use it):
``Model.score(a, b) -> Scored(probability, weight, explanation)`` where a and b are dicts with
``k_*`` key columns, and explanation is a list of ``{"field", "level", "bits"}`` whose bits sum
to ``weight`` (the first entry is the prior, field 'prior', level 'prior').
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .compare import (
    CLOSE,
    CONTACT_FIELDS,
    EXACT,
    FAR,
    FIELDS,
    LEVELS,
    MISSING,
    PARTIAL,
    compare_values,
    field_value,
)
from .names import family_naming, is_hangul, korean_naming, shares_family_name
from .settings import MatchSettings

# Defaults: m = P(level | same person), u = P(level | two random people), per level
# (exact, close, partial, far, missing); 'partial' only occurs for names and free-text
# addresses. Missing is neutral (m = u). Chosen from the research notes on Korean claimant data,
# not fitted to any truth. Address 'partial' (same house number and street, another locality
# part; Latin free text only, never a Korean building key): m = 0.05 taken from 'exact' (a
# free-text address typed twice differs in some part far more often than a Korean building
# key), u = 1e-3 as 'close' (conservative: one house number of ~100 in one street of a region).
DEFAULT_M: dict[str, tuple[float, ...]] = {
    "name": (0.80, 0.10, 0.07, 0.03, 1.0),
    "email": (0.50, 0.05, 1.0, 0.45, 1.0),
    "phone": (0.85, 0.05, 1.0, 0.10, 1.0),
    "birth_date": (0.92, 0.05, 1.0, 0.03, 1.0),
    "postal_code": (0.75, 0.10, 1.0, 0.15, 1.0),
    "address": (0.55, 0.20, 0.05, 0.20, 1.0),
}
HOUSEHOLD_FIELDS = ("email", "phone", "address")
HOUSEHOLD_MU: dict[tuple[str, int], tuple[float, float]] = {
    ("name", 3): (0.003, 0.99),  # far: another member of the family
    ("name", 1): (0.10, 0.05),  # close Hangul names: siblings often share a syllable (돌림자)
    ("name", 2): (0.07, 0.5),  # partial: family members share the family name
    ("birth_date", 3): (0.003, 0.99),  # far: another member, not a typo
}
"""(m, u) that replace a level's defaults when the pair shares a phone, an e-mail or a full
address (unit included). Within one household a different or merely similar name, or another
birth date, is far more likely a family member than a typo, so these levels weigh more."""
HOUSEHOLD_CLOSE_ROMANISED = (0.10, 0.01)
"""(m, u) of a close name within a household when either name is not Hangul: a romanisation
match is weaker evidence there, but not the 돌림자 pattern of two Hangul names."""

LATIN_CLOSE_NAME_U = 1e-4
"""u of a close name that no two family members could have (``score.typo_of_one_name``):
one Latin full name mistyped. Korean names come from a small pool (a few hundred syllables,
a handful of common given names), so a one-jamo typo often spells another real name and
close is 10x as common as exact (u 1e-3). A Latin full name one typo from another person's
full name is no more common than two random Koreans sharing an exact name (1e-4); the
default u of 'close' is the upper bound (a trained model's lower u is kept)."""

DEFAULT_U: dict[str, tuple[float, ...]] = {
    "name": (1e-4, 1e-3, 0.005, 0.9939, 1.0),
    "email": (1e-6, 1e-4, 1.0, 0.9999, 1.0),
    "phone": (1e-6, 1e-5, 1.0, 0.99999, 1.0),
    "birth_date": (4e-5, 3e-3, 1.0, 0.99696, 1.0),
    "postal_code": (3e-4, 3e-3, 1.0, 0.9967, 1.0),
    "address": (3e-5, 1e-3, 1e-3, 0.99797, 1.0),
}


@dataclass(frozen=True)
class Scored:
    """One scored pair: probability in [0, 1], weight in bits, explanation (JSON-ready)."""

    probability: float
    weight: float
    explanation: list[dict] = field(default_factory=list)

    @property
    def levels(self) -> dict[str, str]:
        return {e["field"]: e["level"] for e in self.explanation if e["field"] != "prior"}


def probability(weight: float) -> float:
    """Match probability of a weight in bits (logistic in base 2)."""
    if weight > 60:
        return 1.0
    if weight < -60:
        return 0.0
    odds = 2.0**weight
    return odds / (1.0 + odds)


class Model:
    """m/u per field level + term frequencies + prior. Immutable after construction."""

    def __init__(
        self,
        m: Mapping[str, tuple[float, ...]] | None = None,
        u: Mapping[str, tuple[float, ...]] | None = None,
        *,
        settings: MatchSettings | None = None,
        n: int = 0,
        tf: Mapping[str, Mapping[str, int]] | None = None,
        prior_bits: float | None = None,
        prior_ratio: float = 1.0,
        households: bool = True,
    ) -> None:
        """``n`` records were counted into ``tf`` (field -> value -> count); the prior is
        λ = prior_ratio / max(n, settings.prior_floor_n) (``prior_ratio``: estimated from the
        data by ``match.prior``, ignored when settings.prior is 'fixed'); ``prior_bits``
        overrides it. ``households``: False when a batch run found none in the data
        (``match.households``); it counts only while ``settings.household_detect`` is on."""
        self.settings = settings or MatchSettings()
        self.m = {f: tuple(map(float, (m or DEFAULT_M).get(f, DEFAULT_M[f]))) for f in FIELDS}
        self.u = {f: tuple(map(float, (u or DEFAULT_U).get(f, DEFAULT_U[f]))) for f in FIELDS}
        self.n = int(n)
        self.tf = tf if tf is not None else {}  # not `or`: a lazy ValueCounts starts empty
        self.prior_ratio = float(prior_ratio) if self.settings.prior == "estimated" else 1.0
        if prior_bits is None:
            lam = min(0.5, self.prior_ratio / max(self.n, self.settings.prior_floor_n))
            prior_bits = math.log2(lam / (1.0 - lam))
        self.prior_bits = float(prior_bits)
        # no households (declared: household_size 0; or none found by the last batch run,
        # match.households): shared contact details are independent evidence and family
        # patterns count for nothing
        self.households_found = bool(households)
        self.households = self.settings.households and (
            self.households_found or not self.settings.household_detect
        )
        self.contact_cap = (
            max(0.0, -self.prior_bits - math.log2(self.settings.household_size))
            if self.households
            else math.inf
        )
        self.level_bits = {
            f: tuple(
                0.0 if lv == MISSING else math.log2(self.m[f][lv] / self.u[f][lv])
                for lv in range(len(LEVELS))
            )
            for f in FIELDS
        }
        self.household_bits = (
            {k: math.log2(m / u) for k, (m, u) in HOUSEHOLD_MU.items()} if self.households else {}
        )
        self.latin_close_bits = math.log2(
            self.m["name"][CLOSE] / min(self.u["name"][CLOSE], LATIN_CLOSE_NAME_U)
        )
        self.household_close_romanised_bits = math.log2(
            HOUSEHOLD_CLOSE_ROMANISED[0] / HOUSEHOLD_CLOSE_ROMANISED[1]
        )

    # -- term frequency -------------------------------------------------------------------------
    def tf_adjustment(self, field_name: str, value: str) -> float:
        """Bits added to an exact agreement on ``value``: negative for common values."""
        counts = self.tf.get(field_name)
        if counts is None or self.n <= 0:  # not `not counts`: lazy SQL counts start empty
            return 0.0
        return tf_bits(counts.get(value, 0), self.n, self.u[field_name][EXACT], self.settings)

    # -- scoring --------------------------------------------------------------------------------
    def compare(self, a: Mapping[str, Any], b: Mapping[str, Any]) -> dict[str, int]:
        """Level index per field for two records."""
        s = self.settings
        return {f: compare_values(f, field_value(f, a), field_value(f, b), s) for f in FIELDS}

    def score(self, a: Mapping[str, Any], b: Mapping[str, Any]) -> Scored:
        """Score two records (dicts with k_* keys); symmetric in a and b."""
        bits: dict[str, float] = {}
        levels: dict[str, int] = {}
        for f in FIELDS:
            va, vb = field_value(f, a), field_value(f, b)
            lv = compare_values(f, va, vb, self.settings)
            levels[f] = lv
            w = self.level_bits[f][lv]
            if lv == EXACT:
                w += self.tf_adjustment(f, va)
            bits[f] = w
        na, nb = a.get("k_name"), b.get("k_name")
        household = self.households and any(levels[f] == EXACT for f in HOUSEHOLD_FIELDS)
        # one address, maybe mistyped: the family reading of the names must be ruled out
        home = household or (self.households and levels["address"] <= PARTIAL)
        typo = typo_of_one_name(levels["name"], na, nb, home)
        if typo:
            bits["name"] = self.latin_close_bits
        if household:
            self._household(levels, bits, na, nb)
        if not typo:
            cap_contact(bits, self.contact_cap)
        weight = self.prior_bits + sum(bits.values())
        explanation = [{"field": "prior", "level": "prior", "bits": round(self.prior_bits, 3)}]
        explanation += [
            {"field": f, "level": LEVELS[levels[f]], "bits": round(bits[f], 3)} for f in FIELDS
        ]
        # Rounded explanation sums exactly to the reported weight.
        weight = round(sum(e["bits"] for e in explanation), 3)
        return Scored(probability(weight), weight, explanation)

    def _household(
        self, levels: Mapping[str, int], bits: dict[str, float], na: str | None, nb: str | None
    ) -> None:
        """Apply HOUSEHOLD_MU to a pair that shares a phone, an e-mail or a full address.

        Three exceptions, each where the household reading ("another family member") does not
        fit how families are named:
        - a partial Latin name counts against only when the shared token is a family name
          (``names.shares_family_name``): a shared given name under two family names is no
          family pattern;
        - another birth date under the exact same name counts against only when the pair
          also shares a phone or an e-mail. Korean families do not give two members one full
          name, so one name at one address is one person with a wrong birth date; a shared
          phone or e-mail (a parent filing for the family) keeps it out of auto-link;
        - a close name counts for less only where two family members can have such names
          (``names.family_naming``): under Korean naming (Hangul, or a Korean family name
          among the Latin parts: siblings one syllable apart, 돌림자, and romanisations that
          fold names together), or with one part shared exactly and another different ("mark
          brown" / "mary brown"); two Latin names with no part in common that are still close
          are one name mistyped."""
        contact = levels["email"] == EXACT or levels["phone"] == EXACT
        for (f, lv), w in self.household_bits.items():
            if levels[f] != lv:
                continue
            if (f, lv) == ("name", PARTIAL):
                applies = shares_family_name(na or "", nb or "")
            elif (f, lv) == ("birth_date", FAR):
                applies = levels["name"] != EXACT or contact
            elif (f, lv) == ("name", CLOSE):
                applies = family_naming(na or "", nb or "")
            else:
                applies = True
            if (f, lv) == ("name", CLOSE) and not (is_hangul(na) and is_hangul(nb)):
                w = self.household_close_romanised_bits
            if applies:
                bits[f] = w

    # -- persistence ----------------------------------------------------------------------------
    def params(self) -> dict[str, Any]:
        """The parameters (m, u, and an estimated prior's ratio to the fixed one) as JSON-ready
        data (stored in the settings table)."""
        params: dict[str, Any] = {
            "m": {f: list(v) for f, v in self.m.items()},
            "u": {f: list(v) for f, v in self.u.items()},
        }
        if self.prior_ratio != 1.0:
            params["prior_ratio"] = self.prior_ratio
        if not self.households_found:
            params["households_absent"] = True
        return params

    @classmethod
    def from_params(cls, params: Mapping[str, Any] | str | None, **kwargs: Any) -> Model:
        """A model from stored parameters (None -> defaults)."""
        if isinstance(params, str):
            params = json.loads(params)
        params = params or {}
        kwargs.setdefault("prior_ratio", float(params.get("prior_ratio", 1.0)))
        kwargs.setdefault("households", not params.get("households_absent", False))
        return cls(params.get("m"), params.get("u"), **kwargs)


def tf_bits(count: int, n: int, u_exact: float, settings: MatchSettings) -> float:
    """Term-frequency adjustment: log2(u / frequency), the frequency smoothed towards u.

    The smoothing adds one pseudo-record at the default frequency, so a small store (tests, the
    first submissions) behaves like the defaults and a large one like its own counts."""
    if n <= 0:
        return 0.0
    freq = (count + 1.0) / (n + 1.0 / u_exact)
    adj = math.log2(u_exact / freq)
    return max(-settings.tf_max_down_bits, min(settings.tf_max_up_bits, adj))


def typo_of_one_name(level: int, na: str | None, nb: str | None, household: bool) -> bool:
    """True for a close name pair that is one Latin name mistyped, not two family members:
    outside Korean naming (``names.korean_naming``), and, inside a household (a shared phone
    or e-mail, or an address agreeing at any level: exact, close or partial, since one member
    may type it differently), also not one part shared with another part different
    (``names.family_naming``: "mark brown" / "mary brown" at one address are a couple).

    Why: the contact cap stands for the non-match alternative "another member of the same
    household", which needs a family pattern in the names. Outside a household, or with no
    part in common ("charlotte hylnand" / "charlote hyland"), a close Latin name is no such
    pattern, so a shared postcode and a similar address count as what they are: independent
    evidence. Such a pair's name also weighs ``LATIN_CLOSE_NAME_U``."""
    if level != CLOSE:
        return False
    a, b = na or "", nb or ""
    if household:
        return not family_naming(a, b)
    return not (korean_naming(a) or korean_naming(b))


def cap_contact(bits: dict[str, float], cap: float) -> None:
    """Scale the positive bits of the contact fields so together they add at most ``cap``.

    Why: a household shares phone, address and postcode at once; their agreements are one piece
    of evidence, not four independent ones (Fellegi–Sunter assumes independence). The cap is
    what "same household" is worth, so contact alone never outweighs a different name or
    birth date."""
    positive = sum(bits[f] for f in CONTACT_FIELDS if bits[f] > 0)
    if positive > cap:
        k = cap / positive
        for f in CONTACT_FIELDS:
            if bits[f] > 0:
                bits[f] *= k
