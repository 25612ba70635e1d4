"""Controlled noise for duplicate submissions: the ways one claimant re-types the same data.

Each operation mirrors a hazard in korean.md §3: spacing, one-jamo typos, romanised names,
두음 surnames, phone spellings, hanmail/daum and Gmail aliases, a new e-mail, 시도 aliases,
동/호 spellings, postcode inside the address, birth date formats, and missing fields.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from .normalize.romanize import DUEUM, SURNAME_SPELLINGS, rr
from .normalize.text import compose, decompose, is_syllable
from .synth_data import FINAL_SLIPS, SIDO_SPELLINGS, VOWEL_SLIPS

if TYPE_CHECKING:
    from .synth import Person

Record = dict[str, str | None]
DUEUM_BOTH = {**DUEUM, **{v: k for k, v in DUEUM.items()}}


def one_jamo_typo(name: str, rng: random.Random) -> str:
    """Change one vowel or final consonant of one syllable after the first (김민준 -> 김민쥰)."""
    positions = [i for i in range(1, len(name)) if is_syllable(name[i])]
    rng.shuffle(positions)
    for i in positions:
        cho, jung, jong = decompose(name[i])
        options = []
        if jung in VOWEL_SLIPS:
            options.append((cho, VOWEL_SLIPS[jung], jong))
        if jong in FINAL_SLIPS:
            options.append((cho, jung, FINAL_SLIPS[jong]))
        if options:
            return name[:i] + compose(*rng.choice(options)) + name[i + 1 :]
    return name


def _given_latin(given: str, rng: random.Random, hyphen: bool) -> str:
    parts = [rr(ch) for ch in given]
    out = []
    for part in parts:
        if "eo" in part and rng.random() < 0.4:
            part = part.replace("yeo", "you" if part.endswith("ng") else "yu").replace("eo", "u")
        elif part.endswith("un") and rng.random() < 0.25:
            part = part[:-2] + "oon"
        out.append(part)
    return ("-" if hyphen else "").join(out)


def romanised_name(surname: str, given: str, rng: random.Random) -> str:
    """A passport-style spelling: 'Minjun Kim', 'KIM MIN-JUN', 'Kim Min Jun', ..."""
    spellings = SURNAME_SPELLINGS.get(surname) or (rr(surname),)
    sur = spellings[0] if rng.random() < 0.85 or len(spellings) == 1 else rng.choice(spellings[1:4])
    sur = sur.capitalize()
    style = rng.randrange(6)
    giv = _given_latin(given, rng, hyphen=style in (1, 5)).capitalize()
    if style == 0:
        return f"{giv} {sur}"
    if style == 1:
        return f"{sur} {giv}".upper()
    if style == 2:
        return f"{sur} {giv}"
    if style == 3:
        return f"{giv} {sur}".upper()
    if style == 4:
        return f"{sur} " + " ".join(rr(ch).capitalize() for ch in given)
    return f"{sur} {giv}"


def phone_spelling(phone: str, rng: random.Random) -> str:
    """Another way to type a 010-XXXX-XXXX number."""
    a, b = phone[4:8], phone[9:13]
    return rng.choice(
        (
            f"010{a}{b}", f"010 {a} {b}", f"+82 10 {a} {b}", f"+82-10-{a}-{b}",
            f"0082-10-{a}-{b}", f"+82 010 {a} {b}", f"010.{a}.{b}", f"010-{a}-{b}(본인)",
            f"８２１０{a}{b}".translate(str.maketrans("0123456789", "０１２３４５６７８９")),
        )
    )  # fmt: skip


def email_alias(email: str, rng: random.Random) -> str:
    """The same mailbox spelled another way (hanmail/daum, Gmail dots or +tag, capitals)."""
    local, _, domain = email.partition("@")
    if domain == "hanmail.net":
        return f"{local}@daum.net"
    if domain == "daum.net":
        return f"{local}@hanmail.net"
    if domain == "gmail.com" and len(local) > 2:
        if rng.random() < 0.5:
            i = rng.randrange(1, len(local))
            if local[i - 1] != "." and local[i] != ".":
                return f"{local[:i]}.{local[i:]}@gmail.com"
        return f"{local}+coupang@gmail.com"
    return f"{local.capitalize()}@{domain.upper() if rng.random() < 0.3 else domain}"


def address_variant(p: Person, rng: random.Random, *, alias: bool, unit: bool) -> str:
    """The person's address with another 시도 spelling and/or another 동/호 spelling."""
    sido = rng.choice(SIDO_SPELLINGS.get(p.sido, (p.sido,))) if alias else p.sido
    head = " ".join(x for x in (sido, p.sigungu, p.road, p.building) if x)
    if p.dong:
        if unit:
            forms = (f" {p.dong}-{p.ho}", f", 제{p.dong}동 제{p.ho}호", f" {p.dong}동{p.ho}호",
                     f" {p.dong} 동 {p.ho} 호", f", {p.dong}동 {p.ho}호")  # fmt: skip
            return head + rng.choice(forms)
        return f"{head}, {p.dong}동 {p.ho}호"
    if p.ho:
        return f"{head} {p.ho}호" if unit else f"{head}, {p.ho}호"
    return head


def birth_spelling(iso: str, rng: random.Random) -> str:
    """Another way to type a birth date."""
    y, m, d = iso.split("-")
    mi, di = int(m), int(d)
    return rng.choice(
        (
            f"{y}{m}{d}",
            f"{y}.{mi}.{di}",
            f"{y}. {m}. {d}.",
            f"{y}/{mi}/{di}",
            f"{y}년 {mi}월 {di}일",
        )
    )


_OPS = (
    ("name_spacing", 8), ("name_typo", 6), ("name_roman", 8), ("name_dueum", 3),
    ("phone_format", 14), ("phone_missing", 2), ("email_alias", 6), ("email_new", 8),
    ("email_missing", 3), ("addr_alias", 10), ("addr_unit", 10), ("addr_postcode", 5),
    ("addr_missing", 2), ("birth_format", 12), ("birth_missing", 2),
)  # fmt: skip
_NAMES = [n for n, _ in _OPS]
_WEIGHTS = [w for _, w in _OPS]


def noisy_record(p: Person, rng: random.Random, ops: int | None = None) -> Record:
    """The person's record re-typed with ``ops`` noise operations (1-3 when None)."""
    rec = p.record()
    count = rng.choice((1, 1, 1, 2, 2, 3)) if ops is None else ops
    chosen: set[str] = set()
    while len(chosen) < count:
        chosen.add(rng.choices(_NAMES, weights=_WEIGHTS)[0])
    alias, unit = "addr_alias" in chosen, "addr_unit" in chosen
    for op in sorted(chosen):
        if op == "name_spacing":
            rec["name"] = f"{p.surname} {p.given}"
        elif op == "name_typo":
            rec["name"] = p.surname + one_jamo_typo(p.name, rng)[len(p.surname) :]
        elif op == "name_roman":
            rec["name"] = romanised_name(p.surname, p.given, rng)
        elif op == "name_dueum":
            swapped = DUEUM_BOTH.get(p.surname)
            rec["name"] = (swapped + p.given) if swapped else f"{p.surname} {p.given}"
        elif op == "phone_format":
            rec["phone"] = phone_spelling(p.phone, rng)
        elif op == "email_alias":
            rec["email"] = email_alias(p.email, rng)
        elif op == "email_new":
            local = rr(p.given) + str(rng.randrange(100, 99999))
            rec["email"] = f"{local}@{rng.choice(('naver.com', 'gmail.com', 'kakao.com'))}"
        elif op in ("addr_alias", "addr_unit"):
            rec["address"] = address_variant(p, rng, alias=alias, unit=unit)
        elif op == "addr_postcode":
            addr = rec["address"] or p.address
            rec["address"] = (
                f"({p.postal_code}) {addr}" if rng.random() < 0.5 else f"{addr} [{p.postal_code}]"
            )
            rec["postal_code"] = None
        elif op == "birth_format":
            rec["birth_date"] = birth_spelling(p.birth_date, rng)
        elif op.endswith("_missing"):
            field = {"phone": "phone", "email": "email", "addr": "address", "birth": "birth_date"}
            rec[field[op.split("_")[0]]] = None
    return rec
