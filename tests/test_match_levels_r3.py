"""Comparison levels and household rules added in quality round 3 (free-text addresses, close
Latin names in one household); the vectorised path must agree with the scalar one."""

from __future__ import annotations

import numpy as np
import pytest

from intake.match.compare import CLOSE, FAR, LEVELS, PARTIAL, compare_values
from intake.match.explain import decode as decode_explanation
from intake.match.frame import RECORD_COLUMNS, KeyFrame
from intake.match.score import Model
from intake.match.settings import MatchSettings
from intake.match.vcompare import levels_for
from intake.match.vscore import score_pairs

S = MatchSettings()

ADDRESS_CASES = [
    # one locality part replaced: the same house in the same street
    ("363 banks street manresa malvern east act", "363 banks street manresa rosehill act", PARTIAL),
    # a building name added, the suburb dropped
    ("90 david street long jetty nsw", "90 david street southern cross long jetty nsw", PARTIAL),
    ("62 matina street sun city resort ascot park wa", "62 matina street newocmb wa", PARTIAL),
    # a split / merged word in the street name
    ("55 fiveas hstreet retirement village nsw", "55 fiveasah street londonderry nsw", PARTIAL),
    # neighbours: another house number in the same street
    ("12 banks street manresa malvern east act", "14 banks street manresa rosehill act", FAR),
    # the same number in another street
    ("363 banks street manresa act", "363 smith road rosehill act", FAR),
    # no house number on one side: the same street, nothing contradicts it
    ("banks street manresa malvern east act", "363 banks street manresa rosehill act", PARTIAL),
    ("banks street manresa malvern east act", "363 smith road rosehill act", FAR),
    # Korean building keys: unchanged by the free-text rule (a one-character difference of
    # the whole key stays 'close', as before; another road is far)
    ("road:강남구|테헤란로|142", "road:강남구|테헤란로|124", CLOSE),
    ("road:강남구|테헤란로|142#101-1203", "road:강남구|테헤란로|1420#101-1203", CLOSE),
    ("lot:강남구|역삼동|737", "lot:강남구|역삼동|738", CLOSE),
    ("road:강남구|테헤란로|142", "road:강남구|봉은사로|142", FAR),
    ("raw:강남구|테헤란로아파트", "raw:강남구|선릉로아파트", FAR),
    # the app's key of an address the Korean parser cannot read (raw:, spaces removed)
    ("raw:|62matinastreetsuncityresortascotparkwa", "raw:|62matinastreetnewocmbwa", PARTIAL),
    ("raw:|62matinastreetsuncityresortascotparkwa", "raw:|64matinastreetnewocmbwa", FAR),
    # ... but never a Korean one, even with a leading number
    ("raw:강남구|12테헤란빌딩", "raw:강남구|12선릉로상가주택", FAR),
    ("raw:|12abcdeXX아파트", "raw:|12abcdeYY빌라주택", FAR),
    # another unit in the same free-text house: the units differ, far
    ("363 banks street manresa act#1-101", "363 banks street rosehill act#1-102", FAR),
]


@pytest.mark.parametrize(("a", "b", "level"), ADDRESS_CASES)
def test_address_levels(a, b, level):
    assert compare_values("address", a, b, S) == level
    assert compare_values("address", b, a, S) == level


@pytest.mark.parametrize("number", ["1", "12", "142", "2048", "지하 12", "12-3"])
def test_korean_neighbours_never_partial(number):
    """Korean keys have no spaces, so no house number: same road, another building -> never
    'partial', whatever the number."""
    for other in ("1", "13", "140", "142-1", "2049", "9"):
        for kind, road in (("road", "테헤란로"), ("lot", "역삼동"), ("raw", "테헤란로아파트")):
            a = f"{kind}:강남구|{road}|{number.replace(' ', '')}"
            b = f"{kind}:강남구|{road}|{other}"
            assert compare_values("address", a, b, S) != PARTIAL
            assert compare_values("address", a + "#101-1203", b + "#101-1203", S) != PARTIAL


def test_vectorised_address_levels_equal_scalar():
    """Every pair of the table above and of free-text / Korean variants, both paths."""
    values = sorted({v for a, b, _ in ADDRESS_CASES for v in (a, b)})
    values += [
        "363 banks street act",
        "363 banksstreet manresa act",
        "7 oceanpark towers dines place garran vic",
        "7 dines xplace ocean park towers garran vic",
        "road:강남구|테헤란로|142#101-1203",
        "road:강남구|테헤란로|142#102-501",
    ]
    values = sorted(set(values))
    pairs = [(x, y) for i, x in enumerate(values) for y in values[i + 1 :]]
    got = levels_for("address", [p[0] for p in pairs], [p[1] for p in pairs], S)
    want = [compare_values("address", x, y, S) for x, y in pairs]
    assert got.tolist() == want
    assert PARTIAL in want  # the free-text rule is exercised


def test_partial_address_weighs_between_close_and_far():
    bits = Model().level_bits["address"]
    assert bits[FAR] < 0 < bits[PARTIAL] < bits[CLOSE]


def rec(**kw):
    base = dict.fromkeys(RECORD_COLUMNS[1:])
    base.update(kw)
    return base


HOME = dict(k_addr="road:강남구|테헤란로|142", k_unit="101-1203", k_postcode="06236")


@pytest.mark.parametrize(
    ("na", "nb", "household"),
    [
        # a shared part and another one a letter apart: a couple or siblings may be named so
        ("joel ryan", "joel ryamn", True),
        ("mark brown", "mary brown", True),
        ("charlotte hylnand", "charlote hyland", False),  # no part in common: a typo
        ("김민준", "김민쥰", True),  # 돌림자: siblings one syllable apart
        ("kim minjun", "kim minjoon", True),  # romanised Korean names
        ("minjun kim", "minjoon kim", True),
    ],
)
def test_household_close_name_only_under_family_naming(na, nb, household):
    model = Model(n=1000)
    scored = model.score(rec(**HOME, k_name=na), rec(**HOME, k_name=nb))
    assert scored.levels["name"] == "close"
    bits = next(e["bits"] for e in scored.explanation if e["field"] == "name")
    assert (bits < model.level_bits["name"][CLOSE] - 1e-3) is household


def test_vectorised_household_close_rule_and_partial_address_equal_scalar():
    home = ("06236", "road:x|1", "1-1")
    latin = ("3108", "25 madsen place leisure living vlge clarinda qld", None)
    rows = [
        (1, "joel ryan", None, None, "1990-03-14", *home),
        (2, "joel ryamn", None, None, None, *home),
        (3, "kim minjun", None, None, "1990-03-14", *home),
        (4, "kim minjoon", None, None, "1962-11-30", *home),
        (5, "김민준", None, None, "1990-03-14", *home),
        (6, "김민쥰", None, None, "2015-07-01", *home),
        (7, "charlotte hyland", None, None, "1982-04-10", *latin),
        (8, "charlote hyland", None, None, "1934-09-09", *latin),
        (9, "charlotte hyland", None, None, None, "3108", "25 madsen place invermay qld", None),
        (10, "amber neumann", None, None, None, "3108", "27 madsen place invermay qld", None),
        (11, "mark brown", None, None, "1970-03-14", *latin),
        (12, "mary brown", None, None, "1972-11-30", *latin),
        (13, "mary brown", None, None, "1972-11-30", "3108", "25 madsen place invermay", None),
    ]
    frame = KeyFrame.from_rows(rows)
    model = Model(n=1000)
    left, right = np.triu_indices(len(rows), 1)
    scored = score_pairs(model, frame, left, right, tf=False)
    seen = set()
    for k, (i, j) in enumerate(zip(left, right, strict=True)):
        ra = dict(zip(RECORD_COLUMNS, rows[i], strict=True))
        expect = model.score(ra, dict(zip(RECORD_COLUMNS, rows[j], strict=True)))
        got = decode_explanation(scored.explanation(k))
        assert [(e["field"], e["level"]) for e in got] == [
            (e["field"], e["level"]) for e in expect.explanation
        ]
        assert [e["bits"] for e in got] == pytest.approx([e["bits"] for e in expect.explanation])
        seen |= {(e["field"], e["level"]) for e in got}
    assert ("address", "partial") in seen
    assert {lv for _, lv in seen} <= set(LEVELS) | {"prior"}


def test_app_keys_of_latin_addresses_compare_partial():
    """The normaliser's key of a Latin address (what the app stores) gets the same level."""
    from intake.normalize.addresses import address_keys

    a = address_keys("62 Matina Street, Sun City Resort, Ascot Park WA")[0]
    b = address_keys("62 Matina St Newcomb WA")[0]
    c = address_keys("64 Matina Street Newcomb WA")[0]
    assert compare_values("address", a, b, S) == PARTIAL
    assert compare_values("address", b, c, S) != PARTIAL


LATIN_HOME = dict(k_addr="25 madsen place leisure living vlge clarinda qld", k_postcode="3108")


@pytest.mark.parametrize(
    ("na", "nb", "capped"),
    [
        ("charlotte hylnand", "charlote hyland", False),  # one Latin name, mistyped
        ("kim minjun", "kim minjoon", True),  # romanised Korean: a sibling is possible
        ("김민준", "김민쥰", True),  # 돌림자
        ("charlotte hyland", "joel ryan", True),  # another name: a household member
        ("charlotte hyland", "charlotte hyland", True),  # exact names keep the cap
        ("mark brown", "mary brown", True),  # a couple at one address
    ],
)
def test_contact_cap_lifted_only_for_a_mistyped_latin_name(na, nb, capped):
    """The cap stands for "another member of the household"; a Latin name one typo away
    (no Korean naming) is no family pattern, so address + postcode count in full."""
    model = Model(n=1000)
    scored = model.score(rec(**LATIN_HOME, k_name=na), rec(**LATIN_HOME, k_name=nb))
    contact = sum(e["bits"] for e in scored.explanation if e["field"] in ("address", "postal_code"))
    full = model.level_bits["address"][0] + model.level_bits["postal_code"][0]
    if capped:
        assert contact == pytest.approx(model.contact_cap, abs=2e-3)
    else:
        assert contact == pytest.approx(full, abs=2e-3)
        assert contact > model.contact_cap + 1


def test_mistyped_latin_name_other_birth_date_same_house_goes_to_review_or_link():
    """FEBRL's replaced birth date: a mistyped name at one address and postcode is no longer
    pushed below review by the household cap."""
    model = Model(n=5000)
    a = rec(k_name="charlotte hylnand", k_birth="1982-04-10", **LATIN_HOME)
    b = rec(k_name="charlote hyland", k_birth="1934-09-09", **LATIN_HOME)
    b["k_addr"] = "25 madsen place leisure lvikng vlge clarinda qld"
    assert model.score(a, b).probability >= MatchSettings().upper


@pytest.mark.parametrize(
    ("na", "nb", "latin"),
    [
        ("charlotte hylnand", "charlote hyland", True),
        ("joel ryan", "joel ryamn", True),
        ("kim minjun", "kim minjoon", False),
        ("김민준", "김민쥰", False),
    ],
)
def test_close_latin_name_weighs_as_a_rare_typo(na, nb, latin):
    """Outside Korean naming a close name is one mistyped full name (u 1e-4, not 1e-3)."""
    model = Model(n=1000)
    scored = model.score(rec(k_name=na), rec(k_name=nb))
    assert scored.levels["name"] == "close"
    bits = next(e["bits"] for e in scored.explanation if e["field"] == "name")
    want = model.latin_close_bits if latin else model.level_bits["name"][CLOSE]
    assert bits == pytest.approx(want, abs=1e-3)
    assert model.latin_close_bits > model.level_bits["name"][CLOSE] + 3


@pytest.mark.parametrize(("na", "nb"), [("mark brown", "mary brown"), ("john smith", "joan smith")])
@pytest.mark.parametrize(
    "other_address",
    [
        "25 madsen place leisure living vlge clarinda qld",  # the same full address
        "25 madsen place leisure livng vlge clarinda qld",  # mistyped: close
        "25 madsen place clarinda qld",  # a part left out: partial
    ],
)
def test_latin_couple_at_one_address_never_auto_linked(na, nb, other_address):
    """Two members of a Western household whose given names are one letter apart, at one
    address (however typed) with their own birth dates, stay apart."""
    for n in (1000, 100_000, 1_000_000):
        model = Model(n=n)
        a = rec(k_name=na, k_birth="1970-03-14", **LATIN_HOME)
        b = rec(k_name=nb, k_birth="1972-11-30", **LATIN_HOME)
        b["k_addr"] = other_address
        assert model.score(a, b).probability < MatchSettings().upper
