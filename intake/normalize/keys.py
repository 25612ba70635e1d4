"""The matcher's key columns for one record, computed once at insert/import time.

Why one function: submissions and the 33.7M affected accounts must get byte-identical keys, and
this runs for every row, so each field takes its fast path when the spelling is a common one.
"""

from __future__ import annotations

from collections.abc import Mapping

from .addresses import normalize_address
from .dates import normalize_birth_date
from .emails import normalize_email
from .names import normalize_name
from .phones import normalize_phone
from .postcodes import normalize_postal_code

KEY_COLUMNS = (
    "k_name", "k_email", "k_phone", "k_phone_tail", "k_birth", "k_postcode", "k_addr", "k_unit",
)  # fmt: skip


def record_keys(record: Mapping[str, str | None]) -> dict[str, str | None]:
    """k_name, k_email, k_phone, k_phone_tail, k_birth, k_postcode, k_addr, k_unit of a record.

    Never raises on text: unusable or junk values give None keys.
    """
    get = record.get
    if not all(isinstance(v, str) for v in record.values() if v is not None):
        record = {k: (v if v is None or isinstance(v, str) else str(v)) for k, v in record.items()}
        get = record.get
    name = get("name")
    k_name = normalize_name(name).key if name else None
    email = get("email")
    k_email = normalize_email(email).key if email else None
    phone = get("phone")
    if phone:
        p = normalize_phone(phone)
        k_phone, k_tail = p.value, p.tail
    else:
        k_phone = k_tail = None
    birth = get("birth_date")
    k_birth = normalize_birth_date(birth).value if birth else None
    postal = get("postal_code")
    k_postcode = normalize_postal_code(postal).value if postal else None
    address = get("address")
    if address:
        a = normalize_address(address)
        k_addr, k_unit = a.key, a.unit
        if k_postcode is None:
            k_postcode = a.postal_code
    else:
        k_addr = k_unit = None
    return {
        "k_name": k_name,
        "k_email": k_email,
        "k_phone": k_phone,
        "k_phone_tail": k_tail,
        "k_birth": k_birth,
        "k_postcode": k_postcode,
        "k_addr": k_addr,
        "k_unit": k_unit,
    }
