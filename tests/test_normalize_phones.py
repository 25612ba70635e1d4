"""Phone normaliser: korean.md §3.2 table, flags, and the fast path agreeing with phonenumbers."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from intake.normalize import normalize_phone, record_keys
from intake.normalize import phones as phones_mod

E164 = "+821012345678"


@pytest.mark.parametrize(
    "raw",
    [
        "010-1234-5678",
        "01012345678",
        "010 1234 5678",
        "010.1234.5678",
        "+82 10-1234-5678",
        "+82 10 1234 5678",
        "+82-010-1234-5678",
        "+821012345678",
        "821012345678",
        "82-10-1234-5678",
        "0082-10-1234-5678",
        "0082 10 1234 5678",
        "00182 10 1234 5678",
        "00700 82 10 1234 5678",
        "８２１０１２３４５６７８",
        "０１０－１２３４－５６７８",
        "010-1234-5678(본인)",
        "휴대폰: 010-1234-5678",
        "(010)1234-5678",
        "+82 (0)10 1234 5678",
        " 010-1234-5678 ",
        "010\u200b1234\u200b5678",
    ],
)
def test_spellings_of_one_mobile_give_one_e164(raw):
    p = normalize_phone(raw)
    assert p.value == E164
    assert p.display == "010-1234-5678"
    assert p.tail == "12345678"
    assert p.kind == "mobile"
    assert "invalid" not in p.flags


@pytest.mark.parametrize(
    ("raw", "value", "flag", "kind"),
    [
        ("010-1234-567", "+82101234567", "short_010", "mobile"),
        ("011-234-5678", "+82112345678", "legacy_01x", "mobile"),
        ("016-234-5678", "+82162345678", "legacy_01x", "mobile"),
        ("019-9123-4567", "+821991234567", "legacy_01x", "mobile"),
        ("0505-123-4567", "+825051234567", "safe_050", "safe"),
        ("070-1234-5678", "+827012345678", "voip_070", "voip"),
        ("02-123-4567", "+8221234567", "landline", "landline"),
        ("031-123-4567", "+82311234567", "landline", "landline"),
        ("1577-7011", "+8215777011", "business_number", "business"),
        ("080-123-4567", "+82801234567", "toll_free", "toll_free"),
        ("+1 650 253 0000", "+16502530000", "foreign", "landline"),
        ("010-1234-5678(본인)", E164, "annotation_removed", "mobile"),
    ],
)
def test_flags(raw, value, flag, kind):
    p = normalize_phone(raw)
    assert (p.value, p.kind) == (value, kind)
    assert flag in p.flags


@pytest.mark.parametrize(
    ("raw", "flag"),
    [
        ("010-0000-0000", "junk"),
        ("010-1111-1111", "junk"),
        ("01000000000", "junk"),
        ("없음", "junk"),
        ("000-0000-0000", "junk"),
        ("abc", "junk"),
        ("12345", "invalid"),
        ("010-12-34", "invalid"),
        ("전화 없어요 ㅠ", "invalid"),
        ("+82 99 1234", "invalid"),
    ],
)
def test_bad_values_have_no_value(raw, flag):
    p = normalize_phone(raw)
    assert p.value is None and p.tail is None
    assert flag in p.flags


@pytest.mark.parametrize("raw", [None, "", "   "])
def test_missing_is_none_without_flags(raw):
    assert normalize_phone(raw).value is None
    assert normalize_phone(raw).flags == ()


def _spellings(a: str, b: str) -> list[str]:
    return [
        f"010{a}{b}", f"010-{a}-{b}", f"010 {a} {b}", f"010.{a}.{b}", f"+82 10 {a} {b}",
        f"+82-10-{a}-{b}", f"+82 010 {a} {b}", f"+8210{a}{b}", f"8210{a}{b}", f"82-10-{a}-{b}",
        f"0082-10-{a}-{b}", f"0082 10 {a} {b}", f"+82-010-{a}-{b}", f"010-{a}{b}", f"010{a}-{b}",
    ]  # fmt: skip


def test_fast_path_equals_phonenumbers_on_many_generated_spellings():
    rng = random.Random(7)
    checked = 0
    for _ in range(400):
        a, b = f"{rng.randrange(10**4):04d}", f"{rng.randrange(10**4):04d}"
        if len(set(a + b)) == 1:
            continue
        for raw in _spellings(a, b):
            fast = normalize_phone(raw)
            assert phones_mod.FAST_MOBILE.fullmatch(raw), raw
            slow = phones_mod._slow(raw + " ")  # the trailing space defeats the fast path
            assert (fast.value, fast.display, fast.tail, fast.kind) == (
                slow.value,
                slow.display,
                slow.tail,
                slow.kind,
            ), raw
            assert record_keys({"phone": raw})["k_phone"] == slow.value
            checked += 1
    assert checked > 5000


digits8 = st.text(alphabet="0123456789", min_size=8, max_size=8).filter(lambda d: len(set(d)) > 1)


@given(digits8, st.sampled_from(range(15)))
def test_all_spellings_of_one_number_give_one_e164(d, i):
    a, b = d[:4], d[4:]
    assert normalize_phone(_spellings(a, b)[i]).value == f"+8210{a}{b}"


@given(st.text(max_size=30))
def test_idempotent_and_never_raises(s):
    p = normalize_phone(s)
    if p.value is not None:
        again = normalize_phone(p.value)
        assert again.value == p.value
        assert normalize_phone(p.display).value == p.value


@given(st.from_regex(phones_mod.FAST_MOBILE, fullmatch=True))
def test_any_fast_path_spelling_agrees_with_phonenumbers(raw):
    fast, slow = normalize_phone(raw), phones_mod._slow(raw + " ")
    if fast.value is None:  # 010-0000-0000 style placeholders
        assert "junk" in fast.flags and slow.value is None
    else:
        assert (fast.value, fast.display, fast.tail) == (slow.value, slow.display, slow.tail)


@pytest.mark.parametrize(
    "raw", ["010-1234-5678, 02-123-4567", "010-1234-5678 / 010-9999-8888", "010-1234-5678 또는 집"]
)
def test_first_of_several_numbers_is_kept(raw):
    p = normalize_phone(raw)
    assert p.value == E164


def test_several_numbers_flagged():
    assert "multiple_numbers" in normalize_phone("010-1234-5678, 02-123-4567").flags
    assert normalize_phone("010/1234/5678").value == E164
