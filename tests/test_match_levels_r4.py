"""Matcher quality round 4: the free-text house + street blocking rule, and its boundaries."""

from __future__ import annotations

import numpy as np

from intake.match.blocking import RULES, candidate_pairs
from intake.match.frame import KeyFrame
from intake.match.settings import MatchSettings

S = MatchSettings()
HOUSE_STREET = next(r for r in RULES if r.name == "house_street")


def _frame(rows: list[tuple]) -> KeyFrame:
    """rows: (name, birth, postcode, address) -> a frame in RECORD_COLUMNS order."""
    return KeyFrame.from_rows(
        (i + 1, name, None, None, birth, postcode, addr, None)
        for i, (name, birth, postcode, addr) in enumerate(rows)
    )


def _pairs(frame: KeyFrame, rule_name: str) -> set[tuple[int, int]]:
    cands = candidate_pairs(frame, S)
    r = [x.name for x in cands.rules].index(rule_name)
    hit = ((cands.proposed >> r) & 1).astype(bool)
    return set(zip(cands.left[hit].tolist(), cands.right[hit].tolist(), strict=True))


def test_typo_name_at_same_house_and_street_is_proposed():
    """A mistyped name (no shared name block), another birth date and postcode typo, and a
    locality part replaced: only the house number + street still agree."""
    frame = _frame(
        [
            ("amberneumann", "19610304", "2615", "363 banks street manresa malvern east act"),
            ("amebrneumann", "19610403", "2651", "363 banks street manresa rosehill act"),
        ]
    )
    assert (0, 1) in _pairs(frame, "house_street")


def test_no_house_number_pairs_only_with_other_numberless_addresses():
    """Same street, one side without a number: the key differs ('' vs '363'), so the rule does
    not propose it (the comparison may still say 'partial' if another rule proposes the pair)."""
    frame = _frame(
        [
            ("amberneumann", "19610304", "2615", "banks street manresa act"),
            ("amebrneumann", "19610403", "2651", "363 banks street manresa rosehill act"),
            ("jonsmith", "19700101", "2000", "banks street malvern east act"),
        ]
    )
    assert _pairs(frame, "house_street") == {(0, 2)}


def test_neighbours_and_other_streets_are_not_proposed():
    frame = _frame(
        [
            ("amberneumann", "19610304", "2615", "363 banks street manresa act"),
            ("amebrneumann", "19610403", "2651", "365 banks street manresa act"),
            ("amberneuman", "19610304", "2615", "363 smith road manresa act"),
        ]
    )
    assert _pairs(frame, "house_street") == set()


def test_korean_addresses_get_no_house_street_key_and_no_pairs():
    """Every Korean building key (road:, lot:, raw: with Hangul) has no house_street, so the
    rule adds nothing (and costs nothing) on Korean data, even for a crowded building."""
    addrs = [
        "road:강남구|테헤란로|142",
        "road:강남구|테헤란로|142#101-1203",
        "lot:강남구|역삼동|737",
        "raw:강남구|12테헤란빌딩",
        "raw:|12abcde아파트",
    ]
    rows = [(f"김민준{i}", "19900101", "06236", addrs[i % len(addrs)]) for i in range(40)]
    frame = _frame(rows)
    assert (frame.codes["house_street"] == -1).all()
    assert frame.uniques["house_street"] == []
    assert _pairs(frame, "house_street") == set()


def test_crowded_street_block_is_left_to_other_rules():
    """A house+street shared by more than BROAD_MAX_BLOCK records (a block of flats) proposes
    nothing: strangers in a window are no candidates, and nothing is quadratic."""
    rows = [
        (f"person{chr(97 + i % 26)}{i}", f"19{50 + i}0101", "2600", "7 dines place garran act")
        for i in range(30)
    ]
    frame = _frame(rows)
    assert _pairs(frame, "house_street") == set()
    assert HOUSE_STREET.max_block is not None and HOUSE_STREET.max_block < 30


def test_house_street_codes_match_the_compare_helper():
    frame = _frame(
        [
            ("a", None, None, "363 banks street manresa act#1-101"),
            ("b", None, None, "raw:|363banksstreetrosehillact"),
            ("c", None, None, "road:강남구|테헤란로|142"),
            ("d", None, None, None),
        ]
    )
    codes = frame.codes["house_street"]
    assert codes[0] == codes[1] >= 0
    assert np.array_equal(codes[2:], [-1, -1])
    assert frame.uniques["house_street"] == ["363|banks"]
