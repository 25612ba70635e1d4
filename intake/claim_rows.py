"""The stored ``submissions`` row of one imported claim, built fast for the common row.

Why a module of its own: ``import-claims`` runs this once per input row, and the general path
(``loading.prepare_claim``: a record dict, a keys dict, a values dict, ``json.dumps`` twice and
a timestamp per row) cost more than the normalisers themselves. :func:`claim_row_builder`
builds the common row straight from the cells and falls back to the general path for any other
row, so the stored values are the same (a test compares the two on generated rows).
"""

from __future__ import annotations

from collections.abc import Callable
from json.encoder import encode_basestring  # the C string encoder json.dumps itself uses

from .imports import RowMapper
from .loading import prepare_claim
from .normalize.keys import key_values

_CLAIM_FIELDS = ("name", "email", "phone", "address", "postal_code", "birth_date", "ref")


def raw_encoder(header: list[str]) -> Callable[[list[str]], str] | None:
    """``encode(cells)`` == ``json.dumps(dict(zip(header, cells)), ensure_ascii=False)`` for a
    row with one cell per header, or None when the header repeats a name (the dict would drop
    a cell, so those rows take the general path)."""
    if len(set(header)) != len(header):
        return None
    if not header:
        return None
    prefixes = [f"{', ' if i else '{'}{encode_basestring(h)}: " for i, h in enumerate(header)]
    template = "".join(p.replace("%", "%%") + "%s" for p in prefixes) + "}"

    def encode(cells: list[str]) -> str:
        return template % tuple(map(encode_basestring, cells))

    return encode


def claim_row_builder(
    mapper: RowMapper, header: list[str], source: str, import_id: int
) -> Callable[[int, list[str], bool, str, str], tuple | str]:
    """``build(line, cells, suspect, ref, stamp)`` -> the submissions row (CLAIM_COLUMNS order)
    that ``loading.prepare_claim`` gives for the row, with ref, import_id and submitted_at
    filled in, or the reject reason (a str).

    The common row (as many cells as the header, no undecodable byte, no split address column,
    every present name/e-mail/phone/postcode/birth date giving a key) is built here; any other
    row takes the general path."""
    cols = dict(mapper.items)
    encode = raw_encoder(header)
    fast = mapper.detail is None and encode is not None
    width = mapper.width if fast else -1  # -1: every row takes the general path
    idx = [cols.get(f) for f in _CLAIM_FIELDS]
    pad = None in idx  # a missing column reads as the empty cell appended at index ``width``
    idx = [width if i is None else i for i in idx]
    i_name, i_email, i_phone, i_address, i_postal, i_birth, i_ref = idx

    def slow(line: int, cells: list[str], ref: str, stamp: str) -> tuple | str:
        record, problems = mapper(cells)
        raw = dict(zip(header, cells, strict=False))
        row = prepare_claim(line, record, problems, raw, source, stamp)
        if isinstance(row, str):
            return row
        row[0], row[3] = ref, import_id
        return tuple(row)

    def build(line: int, cells: list[str], suspect: bool, ref: str, stamp: str) -> tuple | str:
        if suspect or len(cells) != width:
            return slow(line, cells, ref, stamp)
        c = [*cells, ""] if pad else cells
        name = c[i_name].strip() or None
        email = c[i_email].strip() or None
        phone = c[i_phone].strip() or None
        address = c[i_address].strip() or None
        postal = c[i_postal].strip() or None
        birth = c[i_birth].strip() or None
        keys = key_values(name, email, phone, address, postal, birth)
        k_name, k_email, k_phone, _, k_birth, k_postcode, _, _ = keys
        if (
            not (k_name or k_email or k_phone)  # a reject: the general path says why
            or (name and not k_name)
            or (email and not k_email)
            or (phone and not k_phone)
            or (postal and not k_postcode)
            or (birth and not k_birth)
        ):  # a flagged row
            return slow(line, cells, ref, stamp)
        return (ref, source, c[i_ref].strip() or None, import_id, line, stamp,
                name, email, phone, address, postal, birth, encode(cells), "[]", *keys)  # fmt: skip

    return build
