"""Fast streaming of synthetic affected-account rows (33.7M rows in minutes, not hours).

Why separate: the account list must be generated at >200k rows/s, so rows are built from
precomputed pools with a handful of random draws each; phones come from a bijection of the row
number (unique without a set), e-mails carry the row number (unique without a set).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import TYPE_CHECKING

from .synth_data import ROADS, SIDO_SPELLINGS
from .synth_noise import address_variant, email_alias, romanised_name

if TYPE_CHECKING:
    from .synth import Person

MIN_BITS, MAX_BITS = 12, 17  # pools of 4k..131k entries, sized to the number of rows
_PHONE_MUL = 73_939_133  # odd, not a multiple of 5: i -> i*M mod 10^8 is a bijection


def _pools(seed: int, bits: int) -> tuple[list, list, list, list]:
    from .normalize.romanize import rr
    from .synth import DOMAIN_CUM, DOMAINS, ROAD_CUM, _Gen, email_surname

    g = _Gen(seed)
    rng = g.rng
    size = 1 << bits
    names = []
    for _ in range(size):
        sex = "M" if rng.random() < 0.5 else "F"
        sur, giv = g.surname(), g.given(sex)
        s, r = email_surname(sur, rng), rr(giv)
        locals_ = (f"{r}{s}", f"{s}{r}", f"{s}.{r}", f"{r}.{s}", f"{s}_{r}", f"{r}")
        domain = rng.choices(DOMAINS, cum_weights=DOMAIN_CUM)[0]
        names.append((sur + giv, rng.choice(locals_), "@" + domain))
    buildings = []
    for sido, sigungu, road, post0, _ in rng.choices(ROADS, cum_weights=ROAD_CUM, k=size):
        spelled = sido if rng.random() < 0.7 else rng.choice(SIDO_SPELLINGS.get(sido, (sido,)))
        number = rng.randrange(1, 400)
        head = " ".join(x for x in (spelled, sigungu, road, str(number)) if x)
        buildings.append((head, f"{int(post0) + number % 40:05d}"))
    units = []
    for _ in range(size):
        r = rng.random()
        if r < 0.65:
            units.append(
                f", {rng.randrange(101, 116)}동 {rng.randrange(1, 26)}{rng.randrange(1, 5):02d}호"
            )
        elif r < 0.8:
            units.append(f" {rng.randrange(1, 6)}0{rng.randrange(1, 5)}호")
        else:
            units.append("")
    four = [f"{k:04d}" for k in range(10_000)]
    return names, buildings, units, four


def account_rows(
    n: int, *, seed: int = 0, people: list[Person] | None = None
) -> Iterator[dict[str, str | None]]:
    """Yield ``n`` rows; see ``intake.synth.generate_accounts``."""
    rng = random.Random(seed ^ 0x5EED)
    truth = people is not None
    taken_phones: set[str] = set()
    taken_emails: set[str] = set()
    i = 0
    for p in people or ():
        if i >= n:
            return
        row = _person_account(p, i, rng)
        if row["email"] in taken_emails:  # a login e-mail belongs to one account only
            local, _, domain = p.email.partition("@")
            row["email"] = f"{local}.{i}@{domain}"
        taken_phones.add(p.phone)
        taken_emails.update(e for e in (p.email, row["email"]) if e)
        yield row
        i += 1
    b = min(max((max(n - i, 1) // 8).bit_length(), MIN_BITS), MAX_BITS)
    names, buildings, units, four = _pools(seed, b)
    mask = (1 << b) - 1
    getrandbits = rng.getrandbits
    while i < n:
        bits = getrandbits(3 * b)
        name, local, domain = names[bits & mask]
        head, postal = buildings[(bits >> b) & mask]
        x = (i * _PHONE_MUL + 12_345_679) % 100_000_000
        phone = "010-" + four[x // 10_000] + "-" + four[x % 10_000]
        email = local + str(i) + domain
        if taken_phones and (phone in taken_phones or email in taken_emails):
            phone, email = None, local + "." + str(i) + domain  # never reuse a known person's
        row = {
            "name": name,
            "email": email,
            "phone": phone,
            "address": head + units[bits >> (2 * b)],
            "postal_code": postal,
            "account_id": f"A{i:010d}",
        }
        if truth:
            row["truth_person"] = None
        yield row
        i += 1


def _person_account(p: Person, i: int, rng: random.Random) -> dict[str, str | None]:
    """A known person's Coupang account, spelled as Coupang might hold it."""
    r = rng.random()
    name = p.name
    if r < 0.03:
        name = romanised_name(p.surname, p.given, rng)
    elif r < 0.06:
        name = f"{p.surname} {p.given}"
    r = rng.random()
    email = p.email
    if r < 0.1:
        email = email_alias(p.email, rng)
    elif r < 0.2:  # an older mailbox the claimant no longer uses
        email = f"{p.email.partition('@')[0]}{rng.randrange(10, 99)}@{p.email.partition('@')[2]}"
    phone = p.phone if rng.random() < 0.95 else None
    address = address_variant(p, rng, alias=rng.random() < 0.3, unit=rng.random() < 0.3)
    return {
        "name": name,
        "email": email,
        "phone": phone,
        "address": address,
        "postal_code": p.postal_code,
        "account_id": f"A{i:010d}",
        "truth_person": p.pid,
    }
