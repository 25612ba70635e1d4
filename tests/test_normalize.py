"""Text hygiene, junk detection, record_keys, and the no-Flask guarantee of the matcher."""

from __future__ import annotations

import subprocess
import sys
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from intake.normalize import KEY_COLUMNS, clean_text, is_junk, record_keys


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        (None, ""),
        ("", ""),
        ("  김  민준 ", "김 민준"),
        ("김\u3000민준", "김 민준"),
        ("김\u200b민준", "김민준"),
        ("\ufeff김민준", "김민준"),
        ("ＫＩＭ　０１０", "KIM 010"),
        ("kim\tminjun\n", "kim minjun"),
        ("\u1100\u1175\u11b7", "김"),  # NFD (macOS) -> NFC
        ("ㄱ", "ㄱ"),  # compatibility jamo survive: no NFKC
        ("010–1234—5678", "010-1234-5678"),
        ("a\x00b", "ab"),
        (12345, "12345"),
    ],
)
def test_clean_text(raw, clean):
    assert clean_text(raw) == clean


def test_clean_text_never_uses_nfkc_on_jamo():
    assert clean_text("ㄱㅏ") == "ㄱㅏ"
    assert unicodedata.normalize("NFKC", "ㄱ") != "ㄱ"  # why we do not use NFKC


@given(st.text())
def test_clean_text_idempotent(s):
    once = clean_text(s)
    assert clean_text(once) == once


@pytest.mark.parametrize(
    ("field", "value", "junk"),
    [
        ("name", "없음", True),
        ("name", "홍길동", False),
        ("name", "김민준", False),
        ("email", "test@test.com", True),
        ("email", "kim@naver.com", False),
        ("phone", "010-0000-0000", True),
        ("phone", "010-1234-5678", False),
        ("phone", "02-000-0000", True),
        ("address", "없음", True),
        ("address", "서울 강남구 테헤란로 142", False),
        ("birth_date", "모름", True),
        ("name", "", False),
    ],
)
def test_is_junk(field, value, junk):
    assert is_junk(field, value) is junk


FULL = {
    "name": "김 민준",
    "email": "Kim.Minjun@hanmail.net",
    "phone": "+82 10-1234-5678",
    "address": "서울 강남구 테헤란로 142, 101동 1203호 (역삼동) [06236]",
    "postal_code": None,
    "birth_date": "1985. 3. 14.",
}


def test_record_keys_full_record():
    assert record_keys(FULL) == {
        "k_name": "김민준",
        "k_email": "kim.minjun@daum.net",
        "k_phone": "+821012345678",
        "k_phone_tail": "12345678",
        "k_birth": "1985-03-14",
        "k_postcode": "06236",
        "k_addr": "road:강남구|테헤란로|142",
        "k_unit": "101-1203",
    }


def test_record_keys_duplicate_spellings_agree():
    other = {
        "name": "김민준",
        "email": "kim.minjun@daum.net",
        "phone": "01012345678",
        "address": "서울특별시 강남구 테헤란로 142 101-1203",
        "postal_code": "6236",
        "birth_date": "19850314",
    }
    assert record_keys(other) == record_keys(FULL)


def test_record_keys_exact_columns_and_empty_record():
    assert tuple(record_keys({})) == KEY_COLUMNS
    assert set(record_keys({}).values()) == {None}
    assert record_keys({"name": "없음", "phone": "010-0000-0000", "email": "test@test.com"}) == {
        k: None for k in KEY_COLUMNS
    }


def test_record_keys_accepts_spreadsheet_types():
    keys = record_keys({"postal_code": 6236, "phone": 1012345678, "name": "Kim Minjun"})
    assert keys["k_postcode"] == "06236"
    assert keys["k_phone"] == "+821012345678"
    assert keys["k_name"] == "kim minjun"


field_values = st.one_of(st.none(), st.text(max_size=40), st.integers(), st.floats())


@given(st.fixed_dictionaries({f: field_values for f in FULL}))
def test_record_keys_never_raises(record):
    keys = record_keys(record)
    assert tuple(keys) == KEY_COLUMNS
    assert all(v is None or isinstance(v, str) for v in keys.values())


def test_matcher_and_normalisers_do_not_import_flask():
    code = "import sys, intake.normalize, intake.match; print('flask' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    # If this fails, find the module-level 'import flask' on the import path (for example in
    # intake/__init__.py: import Flask inside create_app instead).
    assert out.stdout.strip() == "False", "importing the matcher pulled in Flask"
