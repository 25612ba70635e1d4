"""Addresses and postcodes: korean.md §3.4 examples, 시도 traps, unit spellings, fast path."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from intake.normalize import address_keys, normalize_address, normalize_postal_code
from intake.normalize import addresses as addresses_mod
from intake.normalize.addresses import _parse


def test_research_example_road_with_unit_ref_and_postcode():
    a = normalize_address("서울 강남구 테헤란로 142, 101동 1203호 (역삼동, 래미안아파트) [06236]")
    assert (a.sido, a.sigungu, a.road, a.building, a.unit) == (
        "서울특별시",
        "강남구",
        "테헤란로",
        "142",
        "101-1203",
    )
    assert (a.postal_code, a.ref, a.kind) == ("06236", "역삼동, 래미안아파트", "road")
    assert a.key == "road:강남구|테헤란로|142"
    assert a.value == "서울특별시 강남구 테헤란로 142, 101동 1203호 (역삼동, 래미안아파트)"


def test_research_example_lot_form_with_bare_unit():
    a = normalize_address("서울시 강남구 역삼동 736-1 래미안 101-1203")
    assert (a.sido, a.kind, a.road, a.building, a.unit) == (
        "서울특별시",
        "lot",
        "역삼동",
        "736-1",
        "101-1203",
    )


def test_research_example_office_floor():
    a = normalize_address("경기 성남시 분당구 판교역로 235 에이치스퀘어 N동 7층 [13494]")
    assert (a.sido, a.sigungu, a.road, a.building, a.unit, a.postal_code) == (
        "경기도",
        "성남시 분당구",
        "판교역로",
        "235",
        "N-7F",
        "13494",
    )


def test_renamed_province_and_zip_conflict():
    a = normalize_address("전라북도 전주시 완산구 효자로 225 [54968]")
    assert a.sido == "전북특별자치도" and "old_province_name" in a.flags
    assert "zip_sido_conflict" not in a.flags
    b = normalize_address("부산광역시 해운대구 센텀중앙로 79, 제101동 제2301호", "06236")
    assert b.unit == "101-2301" and "zip_sido_conflict" in b.flags
    assert normalize_address("강원도 춘천시 중앙로 1").sido == "강원특별자치도"


@pytest.mark.parametrize(
    ("raw", "sido", "sigungu"),
    [
        ("서울특별시 중구 세종대로 110", "서울특별시", "중구"),
        ("서울시 중구 세종대로 110", "서울특별시", "중구"),
        ("서울 중구 세종대로 110", "서울특별시", "중구"),
        ("광주시 오포읍 오포로 123", "경기도", "광주시"),  # 광주시 alone is 경기도 광주시
        ("경기 광주시 오포로 123", "경기도", "광주시"),
        ("광주시 북구 용봉로 77", "광주광역시", "북구"),  # ... unless a 광역시 구 follows
        ("광주 광산구 하남대로 1", "광주광역시", "광산구"),
        ("광주광역시 서구 상무대로 1", "광주광역시", "서구"),
        ("제주시 연동 123-4", "제주특별자치도", "제주시"),  # 제주시 is a city in 제주도
        ("제주 제주시 연동 123-4", "제주특별자치도", "제주시"),
        ("수원시 영통구 광교로 145", "경기도", "수원시 영통구"),
        ("세종시 한누리대로 2130", "세종특별자치시", None),
        ("전북 전주시 완산구 효자로 225", "전북특별자치도", "전주시 완산구"),
    ],
)
def test_sido_aliases_and_traps(raw, sido, sigungu):
    a = normalize_address(raw)
    assert (a.sido, a.sigungu) == (sido, sigungu)


def test_gu_without_sido_is_left_ambiguous_unless_postcode_says():
    assert normalize_address("중구 세종대로 110").sido is None
    assert "no_sido" in normalize_address("중구 세종대로 110").flags
    a = normalize_address("중구 세종대로 110", "04524")
    assert a.sido == "서울특별시" and "sido_from_postcode" in a.flags


@pytest.mark.parametrize(
    "detail",
    [
        "101동 1203호", "101동1203호", "101 동 1203 호", "제101동 제1203호", "101-1203",
        "101 - 1203", "101-1203호", "래미안 101동 1203호", "101동, 1203호",
    ],
)  # fmt: skip
def test_unit_spellings_give_one_key(detail):
    a = normalize_address(f"서울특별시 강남구 테헤란로 142, {detail}")
    assert a.unit == "101-1203"
    assert a.key == "road:강남구|테헤란로|142"


@pytest.mark.parametrize(
    ("detail", "unit"),
    [("1203호", "1203"), ("B동 302호", "B-302"), ("지하1층", "B1F"), ("3층", "3F"), ("", None)],
)
def test_other_units(detail, unit):
    assert normalize_address(f"서울 강남구 테헤란로 142 {detail}").unit == unit


def test_road_forms():
    assert normalize_address("서울 영등포구 국회대로54길 10").road == "국회대로54길"
    assert normalize_address("서울 강남구 테헤란로142").building == "142"
    assert normalize_address("서울 강남구 테헤란로 지하 142").building == "지하142"
    assert normalize_address("경기 양평군 양평읍 양근로 123").road == "양근로"
    assert normalize_address("서울 중구 세종대로 110-2").building == "110-2"
    a = normalize_address("충남 공주시 유구읍 석남리 산 12")
    assert (a.kind, a.road, a.building) == ("lot", "석남리", "산12")


def test_postcode_extraction():
    assert normalize_address("(06236) 서울 강남구 테헤란로 142").postal_code == "06236"
    assert normalize_address("서울 강남구 테헤란로 142 06236").postal_code == "06236"
    assert normalize_address("우편번호 06236 서울 강남구 테헤란로 142").postal_code == "06236"
    a = normalize_address("서울 강남구 테헤란로 142 [06236]", "06237")
    assert a.postal_code == "06237" and "postcode_mismatch" in a.flags


@pytest.mark.parametrize("raw", ["없음", "-", "x", "모름"])
def test_junk_address(raw):
    a = normalize_address(raw)
    assert a.value is None and a.key is None


def test_unparsed_still_gets_a_raw_key():
    a = normalize_address("서울 강남구 래미안아파트")
    assert "unparsed" in a.flags and a.key == "raw:강남구|래미안아파트"


@pytest.mark.parametrize(
    ("raw", "value", "flag"),
    [
        ("06236", "06236", None),
        ("(06236)", "06236", None),
        ("우편번호 06236", "06236", None),
        ("6236", "06236", "zero_padded"),
        (6236, "06236", "zero_padded"),
        ("6236.0", "06236", "zero_padded"),
        ("０６２３６", "06236", None),
        ("135-080", None, "old_six_digit"),
        ("00123", None, "invalid_prefix"),
        ("99999", None, "invalid_prefix"),
        ("abc", None, "invalid"),
        ("1234567", None, "invalid"),
    ],
)
def test_postcodes(raw, value, flag):
    p = normalize_postal_code(raw)
    assert p.value == value
    if flag:
        assert flag in p.flags
    if value:
        assert p.sido is not None


SIDO = [
    "서울",
    "서울시",
    "서울특별시",
    "부산",
    "경기",
    "경기도",
    "강원도",
    "전라북도",
    "광주",
    "대구광역시",
]
SGG = ["강남구", "중구", "성남시 분당구", "수원시", "해운대구", "양평군", "광주시", "북구", ""]
ROADS = ["테헤란로", "세종대로", "판교역로", "국회대로54길", "중앙로", "효자로", "종로"]


def test_fast_path_equals_the_full_parser():
    rng = random.Random(11)
    for _ in range(3000):
        d, h = rng.randrange(1, 999), rng.randrange(1, 3000)
        unit = rng.choice(["", f", {d}동 {h}호", f" {d}동 {h}호", f" {h}호", f", {h}호",
                           f", 제{d}동 제{h}호", f" {d} 동 {h} 호", f" {d}동{h}호", f" {d}-{h}",
                           f" {d}-{h}호", f" {d} - {h}", f", {d}동, {h}호"])  # fmt: skip
        post = rng.choice(["", "", "(06236) ", " [06236]", "[06236] ", " (06236)", " 06236"])
        bun = rng.choice(
            [str(rng.randrange(1, 999)), f"{rng.randrange(1, 99)}-{rng.randrange(1, 9)}"]
        )
        sgg = rng.choice(SGG)
        raw = f"{rng.choice(SIDO)} {sgg + ' ' if sgg else ''}{rng.choice(ROADS)} {bun}{unit}"
        raw = post + raw if post.endswith(" ") else raw + post
        slow = _parse.__wrapped__(raw, None)
        assert address_keys(raw) == (slow.key, slow.unit, slow.postal_code), raw


@given(st.text(max_size=60))
def test_idempotent_and_never_raises(s):
    a = normalize_address(s)
    if a.value is not None:
        again = normalize_address(a.value)
        assert (again.value, again.key, again.unit, again.sido) == (a.value, a.key, a.unit, a.sido)


@given(st.builds(lambda a, b, c, d: f"{a} {b} {c} {d}", st.sampled_from(SIDO), st.sampled_from(SGG),
                 st.sampled_from(ROADS), st.integers(1, 999)))  # fmt: skip
def test_idempotent_on_addresses(raw):
    a = normalize_address(raw)
    assert normalize_address(a.value).value == a.value
    assert normalize_address(a.value).key == a.key


@given(
    st.from_regex(addresses_mod._FAST, fullmatch=True).map(
        lambda s: s.replace(s.split(" ", 1)[0], "서울", 1) if " " in s else s
    )
)
def test_any_fast_path_address_agrees_with_the_full_parser(raw):
    slow = _parse.__wrapped__(raw, None)
    assert address_keys(raw) == (slow.key, slow.unit, slow.postal_code)


@given(st.one_of(st.text(max_size=12), st.integers(-10, 10**6), st.from_regex(r"\d{4,6}")))
def test_postcode_idempotent_and_never_raises(s):
    p = normalize_postal_code(s)
    if p.value is not None:
        again = normalize_postal_code(p.value)
        assert (again.value, again.sido) == (p.value, p.sido)
