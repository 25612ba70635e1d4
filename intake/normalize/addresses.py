"""Korean addresses: 시도 aliases, road (도로명) or lot (지번) form, apartment 동/호 unit, postcode.

Why: ``서울특별시``/``서울시``/``서울`` and ``101동 1203호``/``101-1203`` must agree, but road and
lot forms of one building cannot be matched offline, so the address is a *supporting* signal:
``key`` identifies the building (``road:강남구|테헤란로|142``) and ``unit`` the flat (``101-1203``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .junk import is_junk
from .postcodes import normalize_postal_code
from .regions import CITY_SIDO, GWANGJU_GU, OLD_SIDO_NAMES, POSTCODE_SIDO, SIDO_ALIASES
from .text import clean_text


@dataclass(frozen=True, slots=True)
class AddressNorm:
    """A parsed address; every part is None when it could not be found."""

    value: str | None
    sido: str | None = None
    sigungu: str | None = None
    road: str | None = None
    building: str | None = None
    unit: str | None = None
    key: str | None = None
    postal_code: str | None = None
    kind: str | None = None  # 'road' | 'lot' | None
    ref: str | None = None  # trailing (법정동, 건물명) reference, for review only
    flags: tuple[str, ...] = ()


_POST_LEAD = re.compile(r"^(?:우편번호\s*:?\s*)?[\[(]?\s*(\d{5})\s*[\])]?\s*[,]?\s*")
_POST_TAIL = re.compile(r"\s*[,]?\s*(?:우편번호\s*:?\s*)?[\[(]\s*(\d{5})\s*[\])]\s*$|\s+(\d{5})$")
_REF_TAIL = re.compile(r"\s*\(([^()]*)\)\s*$")
_SIGUNGU = re.compile(
    r"([가-힣]{1,5}시)(?:\s+([가-힣]{1,5}[구]))?(?=\s|,|$)|([가-힣]{1,5}[군구])(?=\s|,|$)"
)
_ROAD = re.compile(
    r"(?:^|\s)(?P<road>[가-힣A-Za-z0-9.·]+(?:대로|로|길))\s*(?P<bun>(?:지하\s*)?\d{1,4}(?:-\d{1,4})?)"
    r"(?![\d동호층])"
)
_LOT = re.compile(
    r"(?:^|\s)(?P<dong>[가-힣][가-힣0-9]*(?:동|리|가))\s*(?P<san>산\s*)?"
    r"(?P<bun>\d{1,4}(?:-\d{1,4})?)\s*(?:번지)?(?![\d동호층])"
)
_DONG_HO = re.compile(
    r"(?:제\s*)?(?P<dong>[0-9]{1,4}|[A-Za-z]|[가-하])\s*동\s*,?\s*(?:제\s*)?(?P<ho>[0-9]{1,5})\s*호"
)
_BARE = re.compile(r"(?:^|[\s,])(?P<dong>\d{1,4})\s*-\s*(?P<ho>\d{2,5})\s*(?:호)?\s*$")
_HO = re.compile(r"(?:^|[\s,])(?:제\s*)?(?P<ho>[A-Za-z]?\d{1,5})\s*호")
_FLOOR = re.compile(
    r"(?:(?P<dong>[0-9]{1,4}|[A-Za-z])\s*동\s*)?(?P<floor>(?:지하\s*)?\d{1,3})\s*층"
)
_MISSING = AddressNorm(None)
_LEAD_CHARS = frozenset("0123456789([우")
_TAIL_CHARS = frozenset("0123456789)]")


def normalize_address(s: str | None, postal_code: str | None = None) -> AddressNorm:
    """Parse an address as typed (road or lot form); ``postal_code`` cross-checks the 시도."""
    if s is None:
        return _MISSING
    if not isinstance(s, str):
        s = str(s)
    if not s.strip():
        return _MISSING
    if postal_code is not None and not isinstance(postal_code, str):
        postal_code = str(postal_code)
    return _parse(s, postal_code)


# The most common spelling, '<시도> <시군구> <도로명> <건물번호>[, <N>동 <M>호]', recognised in
# one step for record_keys; it gives exactly the slow parser's key/unit (tests check that).
_FAST = re.compile(
    r"(?:\((?P<lead>\d{5})\) )?(?P<sido>\S+) "
    r"(?:(?P<sgg>[가-힣]{1,5}시(?: [가-힣]{1,5}구)?|[가-힣]{1,5}[군구]) )?"
    r"(?P<road>[가-힣]{1,12}(?:대로|로|길)) (?P<bun>\d{1,4}(?:-\d{1,4})?)"
    r"(?:,? (?:제)?(?P<dong>\d{1,4}) ?동 ?(?:제)?(?P<ho>\d{1,5}) ?호"
    r"|,? (?P<ho1>\d{1,5})호| (?P<bd>\d{1,4})-(?P<bh>\d{2,5}))?"
    r"(?: \[(?P<tail>\d{5})\])?",
    re.ASCII,
)


@lru_cache(maxsize=1 << 17)
def address_keys(s: str) -> tuple[str | None, str | None, str | None]:
    """(key, unit, postal_code) of an address: the parts record_keys stores, fast.

    Cached: household members and repeat filings share an address (about half the addresses
    of the benchmark's claims are repeats), and the result is a tuple of strings."""
    m = _FAST.fullmatch(s)
    if m is not None:
        sido = SIDO_ALIASES.get(m["sido"])
        lead, tail = m["lead"], m["tail"]
        if sido is not None and not (lead and tail):
            sigungu = m["sgg"]
            region = sigungu.rpartition(" ")[2] if sigungu else sido
            key = f"road:{region}|{m['road']}|{m['bun']}"
            if m["ho"]:
                unit = f"{int(m['dong'])}-{int(m['ho'])}"
            elif m["ho1"]:
                unit = str(int(m["ho1"]))
            elif m["bh"]:
                unit = f"{int(m['bd'])}-{int(m['bh'])}"
            else:
                unit = None
            return key, unit, lead or tail
    a = normalize_address(s)
    return a.key, a.unit, a.postal_code


@lru_cache(maxsize=1 << 16)
def _parse(raw: str, postal_code: str | None) -> AddressNorm:
    text = clean_text(raw)
    if len(text) < 12 and is_junk("address", text.strip(" ,")):
        return AddressNorm(None, flags=("junk",))
    flags: list[str] = []
    post = None
    m = _POST_LEAD.match(text) if text[:1] in _LEAD_CHARS else None
    if m is None and text[-1:] in _TAIL_CHARS:
        start = max(0, len(text) - 24)  # only the end can hold a trailing postcode
        m = _POST_TAIL.search(text, start)
    if m is not None:
        post = next(g for g in m.groups() if g)
        text = (text[: m.start()] + " " + text[m.end() :]).strip(" ,")
        flags.append("postcode_in_text")
    if postal_code is not None:
        given = normalize_postal_code(postal_code).value
        if given is not None:
            if post is not None and post != given:
                flags.append("postcode_mismatch")
            post = given
    ref = None
    m = _REF_TAIL.search(text) if text.endswith(")") else None
    if m is not None and not re.fullmatch(r"\s*\d+\s*", m.group(1)):
        ref = m.group(1).strip() or None
        text = text[: m.start()].rstrip(" ,")
    sido, rest = _sido(text, flags)
    m = _SIGUNGU.match(rest)
    sigungu = None
    if m is not None:
        sigungu = " ".join(g for g in m.groups() if g)
        if sido is None:
            sido = _infer_sido(m, flags)
        rest_after = rest[m.end() :].lstrip(" ,")
    else:
        rest_after = rest
    zip_sido = POSTCODE_SIDO.get(post[:2]) if post else None
    if sido is None and zip_sido is not None:
        sido = zip_sido
        flags.append("sido_from_postcode")
    elif sido is not None and zip_sido is not None and zip_sido != sido:
        flags.append("zip_sido_conflict")
    if sido is None:
        flags.append("no_sido")
    region = (sigungu.split()[-1] if sigungu else None) or sido or ""
    kind = road = building = key = None
    detail = rest_after
    m = _ROAD.search(rest_after)
    if m is not None:
        kind, road = "road", m.group("road")
        building = m.group("bun").replace(" ", "")
        key = f"road:{region}|{road}|{building}"
        detail = rest_after[m.end() :]
    else:
        m = _LOT.search(rest_after)
        if m is not None:
            kind, road = "lot", m.group("dong")
            building = ("산" if m.group("san") else "") + m.group("bun")
            key = f"lot:{region}|{road}|{building}"
            detail = rest_after[m.end() :]
        else:
            flags.append("unparsed")
            compact = re.sub(r"[\s,.\-()]+", "", rest_after)
            key = f"raw:{region}|{compact}" if compact else None
    unit = _unit(detail)
    value = " ".join(p for p in (sido, rest.strip(" ,"), f"({ref})" if ref else "") if p)
    return AddressNorm(
        value or None, sido, sigungu, road, building, unit, key, post, kind, ref, tuple(flags)
    )


def _sido(text: str, flags: list[str]) -> tuple[str | None, str]:
    head, _, tail = text.partition(" ")
    head = head.rstrip(",")
    if head == "광주시" or head == "광주":
        nxt = tail.split(" ", 1)[0].rstrip(",")
        if nxt in GWANGJU_GU:
            return "광주광역시", tail
        if head == "광주시":  # 경기도 광주시: keep 광주시 as the 시군구
            flags.append("sido_inferred")
            return "경기도", text
    canon = SIDO_ALIASES.get(head)
    if canon is not None:
        if head in OLD_SIDO_NAMES:
            flags.append("old_province_name")
        return canon, tail
    for full in ("서울특별시", "세종특별자치시", "제주특별자치도", "경기도"):  # '서울특별시강남구'
        if text.startswith(full) and len(text) > len(full):
            return full, text[len(full) :].lstrip()
    return None, text


def _infer_sido(m: re.Match[str], flags: list[str]) -> str | None:
    city = m.group(1)
    if city and city in CITY_SIDO:
        flags.append("sido_inferred")
        return CITY_SIDO[city]
    return None


def _num(s: str) -> str:
    return str(int(s)) if s.isdigit() else s.upper()


def _unit(detail: str) -> str | None:
    if not detail:
        return None
    ho = detail.find("호")
    if ho >= 0:
        dong = detail.rfind("동", 0, ho)
        if dong >= 0:
            m = _DONG_HO.search(detail, max(0, dong - 8))
            if m is not None:
                return f"{_num(m.group('dong'))}-{_num(m.group('ho'))}"
    if detail[-1:].isdigit() or ho >= 0:
        m = _BARE.search(detail, max(0, len(detail) - 16))
        if m is not None:
            return f"{_num(m.group('dong'))}-{_num(m.group('ho'))}"
    if ho >= 0:
        m = _HO.search(detail, max(0, ho - 10))
        if m is not None:
            return _num(m.group("ho"))
    m = _FLOOR.search(detail) if "층" in detail else None
    if m is not None:
        floor = m.group("floor").replace(" ", "").replace("지하", "B")
        return f"{_num(m.group('dong'))}-{floor}F" if m.group("dong") else f"{floor}F"
    return None
