"""Birth dates: the formats Koreans type; impossible and future dates flagged, never guessed."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from intake.normalize import normalize_birth_date

TODAY = dt.date(2026, 11, 28)


@pytest.mark.parametrize(
    "raw",
    [
        "1985-03-14", "19850314", "1985.3.14", "1985. 03. 14.", "1985/3/14", "1985/03/14",
        "1985년 3월 14일", "1985년3월14일", "1985년 03월 14일생", "1985 3 14", "１９８５．３．１４",
        " 1985-03-14 ", "1985-3-14", "14/03/1985",
    ],
)  # fmt: skip
def test_accepted_formats(raw):
    assert normalize_birth_date(raw, today=TODAY).value == "1985-03-14"


@pytest.mark.parametrize(
    ("raw", "suggestion"),
    [
        ("850314", "1985-03-14"),
        ("050101", "2005-01-01"),
        ("85.3.14", "1985-03-14"),
        ("85-03-14", "1985-03-14"),
        ("85. 03. 14.", "1985-03-14"),
    ],
)
def test_two_digit_year_is_offered_not_stored(raw, suggestion):
    d = normalize_birth_date(raw, today=TODAY)
    assert d.value is None and d.suggestion == suggestion
    assert "two_digit_year" in d.flags


def test_two_digit_year_impossible_date_has_no_suggestion():
    d = normalize_birth_date("850230", today=TODAY)
    assert d.value is None and d.suggestion is None
    assert {"two_digit_year", "impossible_date"} <= set(d.flags)


@pytest.mark.parametrize(
    ("raw", "value", "flag"),
    [
        ("14/03/1985", "1985-03-14", "day_first"),
        ("03/14/1985", "1985-03-14", "month_first"),
    ],
)
def test_accepted_with_flag(raw, value, flag):
    d = normalize_birth_date(raw, today=TODAY)
    assert d.value == value and flag in d.flags


@pytest.mark.parametrize(
    ("raw", "flag"),
    [
        ("1985-02-30", "impossible_date"),
        ("1985-13-01", "impossible_date"),
        ("19850230", "impossible_date"),
        ("2023-02-29", "impossible_date"),
        ("1899-12-31", "impossible_date"),
        ("2030-01-01", "future_date"),
        ("2026-11-29", "future_date"),
        ("03/04/1985", "ambiguous_order"),
        ("1985314", "unparsed"),
        ("모름", "unparsed"),
        ("85년생", "unparsed"),
        ("1985", "unparsed"),
    ],
)
def test_rejected_with_flag(raw, flag):
    d = normalize_birth_date(raw, today=TODAY)
    assert d.value is None
    assert flag in d.flags


def test_leap_day_and_missing():
    assert normalize_birth_date("2024.2.29", today=TODAY).value == "2024-02-29"
    assert normalize_birth_date(None).value is None
    assert normalize_birth_date("").flags == ()


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=TODAY))
def test_idempotent_on_real_dates(d):
    for raw in (d.isoformat(), d.strftime("%Y%m%d"), f"{d.year}. {d.month}. {d.day}."):
        assert normalize_birth_date(raw, today=TODAY).value == d.isoformat()
    assert normalize_birth_date(d.isoformat(), today=TODAY).value == d.isoformat()


@given(st.text(max_size=20))
def test_never_raises_and_value_is_iso(s):
    d = normalize_birth_date(s, today=TODAY)
    if d.value is not None:
        assert normalize_birth_date(d.value, today=TODAY).value == d.value
