"""Per-field comparison levels: exact / close / far / missing.

Why levels: Fellegi–Sunter weighs each field by how often true duplicates and random pairs land
on each level; the review screen shows the level so a paralegal can see *why* a pair scored.
Each field compares one string value derived from a record's ``k_*`` key columns, so the same
comparator serves a Python pair (``Model.score``) and the vectorised batch (unique value pairs).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from rapidfuzz.distance import OSA, Indel, Levenshtein

from .names import name_similarity, same_parts_with_typos
from .settings import MatchSettings

LEVELS = ("exact", "close", "partial", "far", "missing")
EXACT, CLOSE, PARTIAL, FAR, MISSING = range(5)
"""'partial' is used by names and free-text addresses only. Names: Latin names sharing a whole
token (the family name, most often) but otherwise different. Addresses: a free-text (Latin)
address with the same house number and street but another part added, left out or replaced
(``free_text_partial``). Every other field uses exact / close / far / missing."""

FIELDS = ("name", "email", "phone", "birth_date", "postal_code", "address")
"""Compared fields, in the vocabulary's names (the explanation uses them)."""

CONTACT_FIELDS = ("email", "phone", "postal_code", "address")
"""Fields that move together within a household; their positive evidence is capped jointly."""

KEY_COLUMNS = {
    "name": "k_name",
    "email": "k_email",
    "phone": "k_phone",
    "birth_date": "k_birth",
    "postal_code": "k_postcode",
    "address": "k_addr",
}


def address_value(key: str | None, unit: str | None) -> str | None:
    """The address as compared: building key + '#unit' (None without a building key).

    Why one function: the scalar comparator, the batch frame and the cross-check all split this
    string again on '#', so they must build it the same way."""
    if not key:
        return None
    return f"{key}#{unit}" if unit else key


def field_value(field: str, record: Mapping[str, Any]) -> str | None:
    """The one string a field compares (None when missing). Address: ``address_value``."""
    if field == "address":
        return address_value(record.get(KEY_COLUMNS[field]), record.get("k_unit"))
    return record.get(KEY_COLUMNS[field]) or None


def _split_addr(value: str) -> tuple[str, str | None]:
    building, _, unit = value.partition("#")
    return building, unit or None


def _name(a: str, b: str, s: MatchSettings) -> int:
    if name_similarity(a, b) >= s.name_close or same_parts_with_typos(a, b):
        return CLOSE
    if (" " in a and " " in b) or ((" " in a or " " in b) and a.isascii() and b.isascii()):
        # A shared token (one typo allowed in tokens of 4+ letters): the family name, usually.
        # One side may be a single token: the other name part was left out ("jasmyn seehusn" /
        # "jasmy"); that is the same partial agreement, not a different name (Latin names
        # only: a Hangul key has no spaces, so its single token is the whole name).
        for ta in a.split():
            for tb in b.split():
                if ta == tb and len(ta) > 1:
                    return PARTIAL
                if len(ta) >= 4 and len(tb) >= 4 and OSA.distance(ta, tb, score_cutoff=1) <= 1:
                    return PARTIAL
    return FAR


def _email(a: str, b: str, s: MatchSettings) -> int:
    if a.partition("@")[0] == b.partition("@")[0]:
        return CLOSE  # same mailbox name at another provider
    return CLOSE if Levenshtein.normalized_similarity(a, b) >= s.email_close else FAR


def _phone(a: str, b: str, s: MatchSettings) -> int:
    # The last 7 digits survive the 01X -> 010 migration; one mistyped digit is a typo.
    if a[-7:] == b[-7:] or Levenshtein.distance(a, b, score_cutoff=1) <= 1:
        return CLOSE
    return FAR


def _birth(a: str, b: str, s: MatchSettings) -> int:
    if OSA.distance(a, b, score_cutoff=1) <= 1:
        return CLOSE  # one digit mistyped or two swapped
    if len(a) == len(b) == 10 and a[:4] == b[:4] and a[5:7] == b[8:10] and a[8:10] == b[5:7]:
        return CLOSE  # day and month swapped
    return FAR


def _postcode(a: str, b: str, s: MatchSettings) -> int:
    return CLOSE if OSA.distance(a, b, score_cutoff=1) <= 1 else FAR


def _address(a: str, b: str, s: MatchSettings) -> int:
    ba, ua = _split_addr(a)
    bb, ub = _split_addr(b)
    if ba == bb:
        return CLOSE  # same building, another (or an unknown) unit
    if ua and ub and ua != ub:
        return FAR
    cut = s.address_close
    if Levenshtein.normalized_similarity(ba, bb) >= cut:
        return CLOSE
    # same words in another order or spacing ("terewahcircuit" / "terewah circuit")
    if Levenshtein.normalized_similarity(ba.replace(" ", ""), bb.replace(" ", "")) >= cut:
        return CLOSE
    ta, tb = ba.split(), bb.split()
    if (
        len(ta) > 1
        and len(tb) > 1
        and Indel.normalized_similarity(" ".join(sorted(ta)), " ".join(sorted(tb))) >= cut
    ):
        return CLOSE
    if free_text_partial(ba, bb):
        return PARTIAL
    return FAR


STREET_PREFIX = 5
"""Letters of the street name (after the house number, spaces removed) that two free-text
addresses must share to be 'partial': enough to name one street, short enough to survive a
typo or a split/merged word further on ("fiveas hstreet" / "fiveasah street")."""

_HOUSE_STREET = re.compile(rf"(\d{{0,6}})([a-z]{{{STREET_PREFIX}}})")


def house_street(building: str) -> tuple[str, str] | None:
    """(house number or '', first letters of the street) of a free-text Latin address, else
    None.

    Free text is an ASCII address the Korean parser could not read: a bare key with words
    ("363 banks street manresa act", imported or benchmark keys) or the parser's ``raw:`` key
    with no region ("raw:|363banksstreetmanresaact"). Korean building keys (``road:``/``lot:``,
    or a ``raw:`` key with Hangul) give None: their building number is compared as part of the
    whole key, so neighbours in one road never get 'partial'."""
    if building.startswith(("road:", "lot:")) or not building.isascii():
        return None
    if building.startswith("raw:"):
        building = building.partition("|")[2]
    m = _HOUSE_STREET.match(building.replace(" ", "").casefold())
    return (m[1], m[2]) if m else None


def free_text_partial(a: str, b: str) -> bool:
    """True when two free-text addresses share the street and the house number, or one of
    them has no house number.

    Why: people (and FEBRL's corruption) add, drop or replace a locality part, a building name
    or the suburb ("363 banks street manresa malvern east act" / "363 banks street manresa
    rosehill act"), or leave the number out; the whole-string similarity then falls below
    'close', yet it is the same house or nothing contradicts it. Neighbours (another number)
    stay 'far'."""
    ka, kb = house_street(a), house_street(b)
    if ka is None or kb is None or ka[1] != kb[1]:
        return False
    return ka[0] == kb[0] or not ka[0] or not kb[0]


COMPARATORS: dict[str, Callable[[str, str, MatchSettings], int]] = {
    "name": _name,
    "email": _email,
    "phone": _phone,
    "birth_date": _birth,
    "postal_code": _postcode,
    "address": _address,
}


def compare_values(field: str, a: str | None, b: str | None, settings: MatchSettings) -> int:
    """Level index (EXACT, CLOSE, PARTIAL, FAR, MISSING) of two field values; symmetric."""
    if a is None or b is None:
        return MISSING
    if a == b:
        return EXACT
    # Order the arguments so every comparator is symmetric by construction.
    return COMPARATORS[field](*((a, b) if a < b else (b, a)), settings)
