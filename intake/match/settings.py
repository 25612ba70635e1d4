"""Matcher settings: band thresholds, comparison cut-offs, blocking caps.

Why one dataclass: the CLI, the web form and the review screens must score with the same numbers,
and a run records them so it can be reproduced.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields


@dataclass(frozen=True)
class MatchSettings:
    """Thresholds and knobs of the matcher. Probabilities are match probabilities in [0, 1]."""

    upper: float = 0.95  # >= upper: auto-link (same person)
    lower: float = 0.50  # < lower: distinct; between: human review
    name_close: float = 0.85  # name similarity (jamo / romanised skeleton) counted as 'close'
    email_close: float = 0.90  # e-mail key similarity counted as 'close' (typo)
    address_close: float = 0.85  # building-key similarity counted as 'close'
    household_size: float = 3.0  # e-mail+phone+address+postcode together are worth at most
    # "same household": log2(n / household_size) bits, i.e. -prior - log2(household_size);
    # 0 = the data have no households: no cap, no family patterns (family members WILL merge)
    household_detect: bool = True  # a batch run that finds no households in the data (see
    # match.households) scores as with household_size 0; False keeps the household rules on
    prior_floor_n: int = 1000  # the prior assumes at least this many records
    prior: str = "estimated"  # 'estimated' from the data (match.prior) or 'fixed' (1 / n)
    tf_max_down_bits: float = 12.0  # term frequency may lower an exact agreement this much
    tf_max_up_bits: float = 4.0  # ... and raise a rare one this much
    block_cap: int = 200  # blocks larger than this are compared in a sliding window only
    block_window: int = 30  # window size inside oversized blocks
    incremental_limit: int = 200  # candidates fetched per blocking rule for one new submission

    @classmethod
    def from_config(cls, config: Mapping[str, object]) -> MatchSettings:
        """Read MATCH_UPPER / MATCH_LOWER (and any MATCH_<FIELD>) from the app configuration."""
        values = {}
        for f in fields(cls):
            key = "MATCH_" + f.name.upper()
            if key in config and config[key] is not None:
                kind = type(getattr(cls, f.name))
                try:
                    values[f.name] = _parse(kind, config[key])
                except (TypeError, ValueError):
                    what = {int: "a whole number", float: "a number", bool: "true or false"}.get(
                        kind, kind.__name__
                    )
                    raise ValueError(f"{key} must be {what}, not {config[key]!r}") from None
        settings = cls(**values)
        if not 0.0 <= settings.lower <= settings.upper <= 1.0:
            raise ValueError("MATCH_LOWER must be <= MATCH_UPPER, both between 0 and 1")
        if settings.household_size < 0:
            raise ValueError("MATCH_HOUSEHOLD_SIZE must be >= 0 (0: the data have no households)")
        if settings.prior not in ("estimated", "fixed"):
            raise ValueError("MATCH_PRIOR must be 'estimated' or 'fixed'")
        return settings

    @property
    def households(self) -> bool:
        """False when the operator declared the data free of households (household_size 0)."""
        return self.household_size > 0

    def band(self, probability: float) -> str:
        """'link' (auto), 'review' (human) or 'distinct' for a match probability."""
        if probability >= self.upper:
            return "link"
        if probability >= self.lower:
            return "review"
        return "distinct"

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def _parse(kind: type, value: object) -> object:
    """A setting's value as its field's type; for a bool, the words people write in a config
    file or an environment variable ("false", "no", "0"), not Python's truthiness."""
    if kind is bool and isinstance(value, str):
        words = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}
        word = value.strip().lower()
        if word not in words:
            raise ValueError(value)
        return words[word]
    return kind(value)
