"""The matcher's key columns for one record, computed once at insert/import time.

Why one function: submissions and the 33.7M affected accounts must get byte-identical keys, and
this runs for every row, so each field takes its fast path when the spelling is a common one.
"""

from __future__ import annotations

from collections.abc import Mapping

from .addresses import address_keys
from .dates import birth_key
from .emails import email_key
from .names import name_key
from .phones import FAST_MOBILE, normalize_phone
from .postcodes import POSTCODE_SIDO, normalize_postal_code

KEY_COLUMNS = (
    "k_name", "k_email", "k_phone", "k_phone_tail", "k_birth", "k_postcode", "k_addr", "k_unit",
)  # fmt: skip


def record_keys(record: Mapping[str, str | None]) -> dict[str, str | None]:
    """k_name, k_email, k_phone, k_phone_tail, k_birth, k_postcode, k_addr, k_unit of a record.

    Never raises on text: unusable or junk values give None keys.
    """
    get = record.get
    return dict(
        zip(
            KEY_COLUMNS,
            key_values(
                get("name"), get("email"), get("phone"), get("address"),
                get("postal_code"), get("birth_date"),
            ),
            strict=True,
        )
    )  # fmt: skip


def key_values(
    name: str | None,
    email: str | None,
    phone: str | None,
    address: str | None,
    postal: str | None,
    birth: str | None,
) -> tuple[str | None, ...]:
    """The KEY_COLUMNS values of :func:`record_keys`, as a tuple in that order.

    Why: the bulk import builds a row tuple per input row; taking the six values as arguments
    and giving a tuple back saves the two dictionaries per row (``record_keys`` wraps this, so
    the keys are the same by construction)."""
    k_name = name_key(name if isinstance(name, str) else str(name)) if name else None
    k_email = email_key(email if isinstance(email, str) else str(email)) if email else None
    if phone:
        m = FAST_MOBILE.fullmatch(phone) if isinstance(phone, str) else None
        if m is not None and len(set(tail := m.group(1) + m.group(2))) > 1:
            k_phone, k_tail = "+8210" + tail, tail
        else:
            p = normalize_phone(phone)
            k_phone, k_tail = p.value, p.tail
    else:
        k_phone = k_tail = None
    k_birth = birth_key(birth if isinstance(birth, str) else str(birth)) if birth else None
    if not postal:
        k_postcode = None
    elif (
        isinstance(postal, str)
        and len(postal) == 5
        and postal[:2] in POSTCODE_SIDO
        and postal.isascii()
        and postal.isdigit()
    ):
        k_postcode = postal
    else:
        k_postcode = normalize_postal_code(postal).value
    if address:
        k_addr, k_unit, post = address_keys(address if isinstance(address, str) else str(address))
        if k_postcode is None:
            k_postcode = post
    else:
        k_addr = k_unit = None
    return k_name, k_email, k_phone, k_tail, k_birth, k_postcode, k_addr, k_unit
