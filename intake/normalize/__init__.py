"""Korean-aware normalisers: one canonical value, a matching key and stable flags per field.

Pure Python on phonenumbers, email-validator and rapidfuzz; never imports Flask. Every normaliser
is idempotent: normalising its own ``value`` gives the same ``value``.
"""

from __future__ import annotations

from .addresses import AddressNorm, address_keys, normalize_address
from .dates import DateNorm, normalize_birth_date
from .emails import EmailNorm, mailbox_key, normalize_email
from .junk import is_junk
from .keys import KEY_COLUMNS, key_values, record_keys
from .names import NameNorm, normalize_name
from .phones import PhoneNorm, normalize_phone
from .postcodes import PostcodeNorm, normalize_postal_code
from .similarity import NameForms, name_forms, name_similarity
from .text import clean_text, to_jamo

__all__ = [
    "KEY_COLUMNS",
    "AddressNorm",
    "DateNorm",
    "EmailNorm",
    "NameForms",
    "NameNorm",
    "PhoneNorm",
    "PostcodeNorm",
    "clean_text",
    "address_keys",
    "is_junk",
    "key_values",
    "mailbox_key",
    "normalize_address",
    "normalize_birth_date",
    "normalize_email",
    "normalize_name",
    "normalize_phone",
    "name_forms",
    "name_similarity",
    "normalize_postal_code",
    "record_keys",
    "to_jamo",
]
