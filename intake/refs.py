"""Claim references: ``CL-XXXX-XXXX`` in Crockford base32, random (never sequential), so a
reference reveals nothing about how many people filed or when."""

from __future__ import annotations

import base64
import os
import re

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_TO_CROCKFORD = bytes.maketrans(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", CROCKFORD.encode("ascii"))
CLAIM_REF = re.compile(r"^CL-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$")
_DECODE = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})


def new_claim_ref() -> str:
    """A fresh random reference (40 bits; the caller retries on the rare UNIQUE collision)."""
    return new_claim_refs(1)[0]


def new_claim_refs(n: int) -> list[str]:
    """n fresh random references, drawn in bulk.

    Why in bulk: a bulk import needs one per row, and one ``os.urandom`` read (the source
    ``secrets`` uses) for all of them is far cheaper than a read per character. Base32 turns
    each 5 random bytes (40 bits) into 8 Crockford characters, so every reference is uniform
    over the 2^40 values."""
    text = base64.b32encode(os.urandom(5 * n)).translate(_TO_CROCKFORD).decode("ascii")
    return [f"CL-{text[k : k + 4]}-{text[k + 4 : k + 8]}" for k in range(0, 8 * n, 8)]


def parse_claim_ref(text: str) -> str | None:
    """Canonical reference from what a person typed (case, spaces, O/0 and I/L/1 confusions)."""
    compact = re.sub(r"[\s\-]", "", text.upper())
    compact = compact.removeprefix("CL").translate(_DECODE)
    if len(compact) != 8:
        return None
    ref = f"CL-{compact[:4]}-{compact[4:]}"
    return ref if CLAIM_REF.match(ref) else None
