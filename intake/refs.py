"""Claim references: ``CL-XXXX-XXXX`` in Crockford base32, random (never sequential), so a
reference reveals nothing about how many people filed or when."""

from __future__ import annotations

import re
import secrets

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CLAIM_REF = re.compile(r"^CL-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$")
_DECODE = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})


def new_claim_ref() -> str:
    """A fresh random reference (40 bits; the caller retries on the rare UNIQUE collision)."""
    chars = "".join(secrets.choice(CROCKFORD) for _ in range(8))
    return f"CL-{chars[:4]}-{chars[4:]}"


def parse_claim_ref(text: str) -> str | None:
    """Canonical reference from what a person typed (case, spaces, O/0 and I/L/1 confusions)."""
    compact = re.sub(r"[\s\-]", "", text.upper())
    compact = compact.removeprefix("CL").translate(_DECODE)
    if len(compact) != 8:
        return None
    ref = f"CL-{compact[:4]}-{compact[4:]}"
    return ref if CLAIM_REF.match(ref) else None
