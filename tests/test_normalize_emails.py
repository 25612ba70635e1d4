"""E-mail normaliser: mailbox keys, typo domains, IME mode, junk; fast path == email_validator."""

from __future__ import annotations

import random
import string

import pytest
from email_validator import EmailNotValidError, validate_email
from hypothesis import given
from hypothesis import strategies as st

from intake.normalize import emails as emails_mod
from intake.normalize import mailbox_key, normalize_email


@pytest.mark.parametrize(
    ("raw", "value", "key"),
    [
        ("Kim@Naver.com", "kim@naver.com", "kim@naver.com"),
        ("  kim@naver.com  ", "kim@naver.com", "kim@naver.com"),
        ("kim @ naver.com", "kim@naver.com", "kim@naver.com"),
        ("ｋｉｍ＠ｎａｖｅｒ．ｃｏｍ", "kim@naver.com", "kim@naver.com"),
        ("hong@hanmail.net", "hong@hanmail.net", "hong@daum.net"),
        ("hong@daum.net", "hong@daum.net", "hong@daum.net"),
        ("K.i.m+coupang@Gmail.com", "k.i.m+coupang@gmail.com", "kim@gmail.com"),
        ("kim@googlemail.com", "kim@googlemail.com", "kim@gmail.com"),
        ("kim.min+x@naver.com", "kim.min+x@naver.com", "kim.min+x@naver.com"),
        ("mailto:kim@nate.com", "kim@nate.com", "kim@nate.com"),
        ("<kim@kakao.com>", "kim@kakao.com", "kim@kakao.com"),
    ],
)
def test_values_and_mailbox_keys(raw, value, key):
    e = normalize_email(raw)
    assert (e.value, e.key) == (value, key)
    assert e.suggestion is None


@pytest.mark.parametrize(
    ("raw", "suggestion"),
    [
        ("kim@naver.con", "kim@naver.com"),
        ("kim@naver.co", "kim@naver.com"),
        ("kim@navar.com", "kim@naver.com"),
        ("kim@nave.com", "kim@naver.com"),
        ("kim@gmail.co", "kim@gmail.com"),
        ("kim@gmial.com", "kim@gmail.com"),
        ("kim@gamil.com", "kim@gmail.com"),
        ("kim@hanmail.com", "kim@hanmail.net"),
        ("kim@daum.com", "kim@daum.net"),
        ("kim@nate.net", "kim@nate.com"),
        ("kim@naver", "kim@naver.com"),
    ],
)
def test_typo_domains_are_suggested_and_keyed_on_the_fix(raw, suggestion):
    e = normalize_email(raw)
    assert e.suggestion == suggestion
    assert "typo_domain" in e.flags
    assert e.key == mailbox_key(suggestion)


def test_ime_mode_email_is_converted_for_review():
    e = normalize_email("ㅏㅑㅡ@ㅜㅁㅍㄷㄱ.채ㅡ")
    assert e.value is None
    assert e.suggestion == "kim@naver.com" and e.key == "kim@naver.com"
    assert "ime_converted" in e.flags
    e = normalize_email("홍길동@naver.com")
    assert e.value is None and e.suggestion == "ghdrlfehd@naver.com"
    assert {"non_ascii_local", "ime_converted"} <= set(e.flags)


@pytest.mark.parametrize(
    ("raw", "flag"),
    [
        ("test@test.com", "junk"),
        ("없음", "junk"),
        ("none@none.com", "junk"),
        ("aaa@aaa.com", "junk"),
        ("kim@example.com", "junk"),
        ("a..b@naver.com", "invalid"),
        (".kim@naver.com", "invalid"),
        ("kim@", "invalid"),
        ("@naver.com", "invalid"),
        ("kim naver.com", "invalid"),
        ("kim@localhost", "invalid"),
        ("kim@naver.test", "invalid"),
        ("kim@@naver.com", "invalid"),
    ],
)
def test_bad_values(raw, flag):
    e = normalize_email(raw)
    assert e.value is None and e.key is None
    assert flag in e.flags


def _validator(address: str) -> str | None:
    try:
        return validate_email(address, check_deliverability=False, allow_smtputf8=False).normalized
    except EmailNotValidError:
        return None


def test_fast_path_agrees_with_email_validator():
    rng = random.Random(3)
    alphabet = string.ascii_lowercase + string.digits + "._+-"
    domains = ["naver.com", "gmail.com", "daum.net", "a-b.co.kr", "x.y.z.org", "-bad.com"]
    domains += ["bad-.com", "naver.c", "naver.test", "n.localhost", "123.com", "naver..com"]
    for _ in range(5000):
        local = "".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 12)))
        address = f"{local}@{rng.choice(domains)}"
        if address.partition("@")[0] in emails_mod.JUNK_EMAIL_LOCALS:
            continue
        expected = _validator(address)
        got = normalize_email(address)
        assert (got.value is not None) == (expected is not None), address
        if expected is not None:
            assert got.value == expected.lower()


@given(st.text(max_size=40))
def test_idempotent_and_never_raises(s):
    e = normalize_email(s)
    if e.value is not None:
        again = normalize_email(e.value)
        assert (again.value, again.key) == (e.value, e.key)
    if e.key is not None:
        assert normalize_email(e.key).key == e.key


@given(
    st.from_regex(r"[a-z][a-z0-9]{2,8}(\.[a-z0-9]{1,4})?@(naver\.com|gmail\.com)", fullmatch=True)
)
def test_case_and_spaces_do_not_change_the_key(address):
    assert normalize_email(f"  {address.upper()} ").key == normalize_email(address).key


def test_address_inside_a_display_name():
    assert normalize_email("Kim Minjun <Kim@Naver.com>").value == "kim@naver.com"
