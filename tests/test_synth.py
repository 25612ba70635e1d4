"""The synthetic Korean generator: realistic distributions, truth, and noise that the
normalisers undo (so the matcher's benchmarks measure matching, not parsing)."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from types import GeneratorType

import pytest

from intake.normalize import (
    name_similarity,
    normalize_address,
    normalize_email,
    normalize_name,
    normalize_phone,
    record_keys,
)
from intake.synth import generate_accounts, generate_people, generate_submissions

FIELDS = {"name", "email", "phone", "address", "postal_code", "birth_date"}


@pytest.fixture(scope="module")
def people():
    return generate_people(6000, seed=5)


@pytest.fixture(scope="module")
def submissions(people):
    return generate_submissions(people, dup_rate=0.4, seed=6)


def test_deterministic_given_a_seed(people):
    assert generate_people(300, seed=5) == people[:300]
    assert generate_people(300, seed=4) != people[:300]
    a = list(generate_accounts(50, seed=1))
    assert a == list(generate_accounts(50, seed=1))
    assert generate_submissions(people[:100], seed=2) == generate_submissions(people[:100], seed=2)


def test_surnames_follow_the_census(people):
    share = Counter(p.surname for p in people)
    n = len(people)
    for surname, expected in (("김", 0.215), ("이", 0.147), ("박", 0.084), ("최", 0.047)):
        assert share[surname] / n == pytest.approx(expected, abs=0.02), surname
    assert share["정"] / n > 0.025  # Faker's bug: 0.65%
    assert any(len(p.surname) == 2 for p in generate_people(20000, seed=9))  # 남궁, 황보, ...


def test_fields_are_valid_and_parse_back(people):
    for p in people[:2000]:
        phone = normalize_phone(p.phone)
        assert phone.kind == "mobile" and phone.display == p.phone and not phone.flags
        assert normalize_email(p.email).value == p.email
        assert normalize_name(p.name).script == "hangul"
        a = normalize_address(p.address, p.postal_code)
        assert (a.sido, a.road, a.building) == (p.sido, p.road, p.building)
        assert "zip_sido_conflict" not in a.flags
        assert a.unit == (f"{p.dong}-{p.ho}" if p.dong else p.ho)


def test_naver_dominates_and_romanisation_is_conventional(people):
    domains = Counter(p.email.partition("@")[2] for p in people)
    assert domains.most_common(1)[0][0] == "naver.com"
    kims = [p.email for p in people if p.surname == "김" and "kim" in p.email or "gim" in p.email]
    assert sum("kim" in e for e in kims) > 3 * sum("gim" in e for e in kims)


def test_households_share_an_address_but_are_different_people(people):
    by_household = defaultdict(list)
    for p in people:
        by_household[p.household].append(p)
    families = [m for m in by_household.values() if len(m) > 1]
    assert len(families) > 300
    shared_phone = 0
    for members in families:
        assert len({m.address for m in members}) == 1
        assert len({m.name for m in members}) == len(members)  # nobody named like a parent
        assert all(c.birth_date > members[0].birth_date for c in members[2:])
        shared_phone += len({m.phone for m in members}) < len(members)
    assert shared_phone > 10


def test_namesakes_have_other_birth_years(people):
    by_name = defaultdict(set)
    for p in people:
        by_name[p.name].add((p.birth_date[:4], p.household))
    namesakes = [v for v in by_name.values() if len(v) > 1]
    assert len(namesakes) > 50
    assert all(len({h for _, h in v}) == len(v) for v in namesakes)  # other households


def test_phones_and_emails_unique_outside_households(people):
    owners = defaultdict(set)
    for p in people:
        owners[p.phone].add(p.household)
    assert all(len(h) == 1 for h in owners.values())


def test_submissions_carry_truth_and_noise_is_undone_by_the_normalisers(people, submissions):
    by_pid = {p.pid: p for p in people}
    assert len(submissions) > len(people) * 1.3
    names_seen = Counter()
    for s in submissions:
        assert FIELDS | {"truth_person", "truth_household"} == set(s)
        p = by_pid[s["truth_person"]]
        assert s["truth_household"] == p.household
        keys, truth = record_keys(s), record_keys(p.record())
        for field in ("k_phone", "k_birth", "k_addr", "k_unit", "k_postcode"):
            assert keys[field] in (truth[field], None), (field, s)
        if keys["k_name"] != truth["k_name"]:
            sim = name_similarity(keys["k_name"], truth["k_name"])
            names_seen["variant"] += 1
            assert sim >= 0.8, (s["name"], p.name, sim)
    assert names_seen["variant"] > 200


def test_noise_covers_the_hazards(submissions):
    text = "\n".join(str(s[f]) for s in submissions for f in FIELDS)
    for pattern in (
        r"[가-힣] [가-힣]",  # spacing
        r"[A-Z][a-z]+ [A-Z][a-z]+",  # romanised
        r"\+82 10 \d{4} \d{4}",
        r"0082-10-",
        r"@hanmail\.net",
        r"\+coupang@gmail\.com",
        r"^서울시 ",
        r"\d{3}-\d{3,4}$",  # bare 101-1203
        r"제\d+동 제\d+호",
        r"\d{4}년 \d+월 \d+일",
        r"^\(\d{5}\) ",
    ):
        assert re.search(pattern, text, re.M), pattern


def test_no_resident_registration_numbers(submissions):
    rrn = re.compile(r"\d{6}-?[1-4]\d{6}")
    assert not any(rrn.search(str(v)) for s in submissions for v in s.values())


def test_accounts_stream(people):
    rows = generate_accounts(2000, seed=7, people=people[:500])
    assert isinstance(rows, GeneratorType)
    rows = list(rows)
    assert len(rows) == 2000
    assert all("birth_date" not in r for r in rows)
    assert len({r["account_id"] for r in rows}) == 2000
    assert len({r["email"] for r in rows}) == 2000
    assert [r["truth_person"] for r in rows[:500]] == [p.pid for p in people[:500]]
    assert all(r["truth_person"] is None for r in rows[500:])
    filler_phones = {r["phone"] for r in rows[500:]}
    assert not filler_phones & {p.phone for p in people[:500]}
    for r in rows[:300]:
        assert record_keys(r)["k_addr"] is not None
    plain = next(generate_accounts(1, seed=7))
    assert set(plain) == {"name", "email", "phone", "address", "postal_code", "account_id"}
