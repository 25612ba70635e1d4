"""Placeholder values people type to get past a required field (없음, 010-0000-0000, test@test.com).

Why: a placeholder shared by many rows would otherwise look like strong evidence that those rows
are one person. Junk is treated as missing by every normaliser and flagged 'junk'.
"""

from __future__ import annotations

import re

from .text import clean_text

JUNK_WORDS = {
    # Korean "none / don't know / no" answers
    "없음",
    "없다",
    "없어요",
    "없습니다",
    "무",
    "모름",
    "몰라요",
    "해당없음",
    "해당 없음",
    "미정",
    "비공개",
    "생략",
    "기타",
    "모르겠음",
    "없슴",
    "ㅇ",
    "ㄴ",
    "ㅁ",
    "ㅇㅇ",
    "ㄴㄴ",
    "ㅁㅁ",
    "ㅎㅎ",
    "ㅋㅋ",
    "ㅋㅋㅋ",
    "테스트",
    "시험",
    "test",
    "testing",
    "none",
    "null",
    "nil",
    "na",
    "n/a",
    "n.a.",
    "nan",
    "no",
    "nothing",
    "unknown",
    "x",
    "xx",
    "xxx",
    "-",
    "--",
    "---",
    ".",
    "..",
    "...",
    "?",
    "??",
    "0",
    "00",
    "000",
    "asdf",
    "qwer",
    "qwerty",
    "abc",
    "aaa",
    "sample",
    "dummy",
    "temp",
    "tbd",
    "없음없음",
}
NAME_JUNK_WORDS = _NAME_WORDS = {
    "이름",
    "성명",
    "고객",
    "익명",
    "무명",
    "본인",
    "name",
    "anonymous",
}
JUNK_EMAIL_LOCALS = {
    "test",
    "tester",
    "testing",
    "none",
    "no",
    "noemail",
    "nomail",
    "noreply",
    "no-reply",
    "null",
    "abc",
    "aaa",
    "asdf",
    "qwer",
    "qwerty",
    "sample",
    "dummy",
    "example",
    "email",
    "mail",
    "a",
    "aa",
    "x",
    "xx",
    "xxx",
    "1234",
    "123",
    "111",
    "0000",
    "없음",
}
JUNK_EMAIL_DOMAINS = {
    "test.com",
    "test.co.kr",
    "test.net",
    "example.com",
    "example.org",
    "example.net",
    "example.co.kr",
    "aaa.com",
    "abc.com",
    "asdf.com",
    "none.com",
    "no.com",
    "email.com",
    "mail.com",
    "a.com",
    "x.com",
    "xxx.com",
    "noemail.com",
    "nomail.com",
}
_REPEAT = re.compile(r"^(.)\1*$")


def is_junk(field: str, value: str | None) -> bool:
    """True when ``value`` is a placeholder for ``field`` (name, email, phone, address, ...)."""
    s = clean_text(value)
    if not s:
        return False
    low = s.casefold()
    if low in JUNK_WORDS:
        return True
    if field == "name":
        return low in _NAME_WORDS or bool(_REPEAT.match(low.replace(" ", ""))) and len(s) > 1
    if field == "email":
        if "@" not in low:
            return False
        local, _, domain = low.rpartition("@")
        return (
            (local in JUNK_EMAIL_LOCALS and domain in JUNK_EMAIL_DOMAINS)
            or domain in JUNK_EMAIL_DOMAINS
            and bool(_REPEAT.match(local))
            or domain.startswith("example.")
            or (local in JUNK_EMAIL_LOCALS and local == domain.split(".")[0])
        )
    if field == "phone":
        digits = "".join(ch for ch in s if ch.isdigit())
        if not digits:
            return False
        if bool(_REPEAT.match(digits)):
            return True
        # 010-0000-0000, 010-1111-1111, 02-000-0000: the subscriber part is one repeated digit
        national = digits[2:] if digits.startswith("82") else digits
        national = national.lstrip("0")
        tail = national[-8:] if national.startswith("10") else national[-7:]
        return len(tail) >= 7 and bool(_REPEAT.match(tail))
    if field == "address":
        return len(s) < 3 and not any("가" <= ch <= "힣" for ch in s) or low in _NAME_WORDS
    return False
