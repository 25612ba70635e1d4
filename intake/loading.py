"""``import-accounts`` and ``import-claims``: read (``intake.imports``), normalise
(``intake.normalize.record_keys``), store (``intake.store.accounts`` / ``imports``).

Why a pipeline of batches: the file is streamed (constant memory), and each batch is committed
together with the resume point, so a killed run restarted with the same command neither loses nor
duplicates a row. Rejected rows go to ``FILE.rejects.csv`` with their line number and reason.
Which process prepares the rows, and how they are batched, is ``intake.batches``.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import Any

import sqlite_utils

from . import store
from .imports import RowMapper
from .normalize import normalize_address, record_keys
from .normalize.emails import email_key
from .normalize.names import name_key
from .normalize.phones import FAST_MOBILE
from .normalize.regions import POSTCODE_SIDO
from .store import imports as store_imports

BATCH_ROWS = 100_000  # rows per transaction, as the floor loader
KEY_FIELDS = ("name", "email", "phone", "address", "postal_code", "birth_date")


@dataclass
class ImportReport:
    """What an import did (counts only: safe to print and to audit)."""

    import_id: int
    kind: str
    file_name: str
    action: str  # 'new' | 'resume' | 'done' (already imported: nothing to do)
    loaded: int = 0
    rejected: int = 0
    skipped_lines: int = 0  # lines before the resume point
    rejects_file: str | None = None
    encoding: str | None = None
    columns: dict[str, str] = field(default_factory=dict)  # field -> header
    unmapped: list[str] = field(default_factory=list)
    replaced_imports: int = 0


def key_hasher(hash_key: str | bytes | None) -> Callable[[str | None], str | None] | None:
    """HMAC-SHA256 (hex, 128 bits) of a key value, or None when privacy mode is off."""
    if not hash_key:
        return None
    secret = hash_key.encode() if isinstance(hash_key, str) else hash_key

    def h(value: str | None) -> str | None:
        if value is None:
            return None
        return hmac.digest(secret, value.encode(), "sha256")[:16].hex()

    return h


def key_check(hash_key: str | bytes | None) -> str | None:
    """A value that identifies the HMAC key without revealing it (to refuse a wrong key)."""
    h = key_hasher(hash_key)
    return h("intake-account-key-check") if h else None


def fingerprint(path: Path) -> tuple[str, int]:
    """sha256 of the file and its newline count (the progress bar's total), in one pass."""
    digest, lines = hashlib.sha256(), 0
    with open(path, "rb") as fh:
        while chunk := fh.read(8 << 20):
            digest.update(chunk)
            lines += chunk.count(b"\n")
    return digest.hexdigest(), lines


ACCOUNT_KEY_FIELDS = ("name", "email", "phone", "postal_code")


def account_keys(record: Mapping[str, str | None]) -> dict[str, str | None]:
    """record_keys for a list row, with the address keys left to the cross-check.

    Why: parsing an address is the dearest normaliser (about half of a row's cost) and the
    cross-check needs the address keys only of the few accounts its look-ups return, so
    ``intake.match.link`` computes them there. The address is parsed here only when the row has
    no postcode column value, because the name + postcode index needs the postcode.
    """
    keys = record_keys({f: record.get(f) for f in ACCOUNT_KEY_FIELDS})
    address = record.get("address")
    if address and keys["k_postcode"] is None:
        a = normalize_address(address)
        keys["k_postcode"], keys["k_addr"], keys["k_unit"] = a.postal_code, a.key, a.unit
    return keys


def prepare_account(
    line: int,
    record: Mapping[str, str | None],
    problems: list[str],
    hasher: Callable[[str | None], str | None] | None = None,
    import_id: int = 0,
) -> tuple | str:
    """The accounts row for one input row, or the reason it is rejected."""
    if problems:
        reason = _fatal(problems, record)
        if reason:
            return reason
    keys = account_keys(record)
    account_id = record.get("account_id")
    if not (keys["k_name"] or keys["k_email"] or keys["k_phone"] or account_id):
        return "no usable name, e-mail, phone or account ID"
    flags = _flags(record, keys, problems)
    email, phone = record.get("email"), record.get("phone")
    k_email, k_phone, k_tail = keys["k_email"], keys["k_phone"], keys["k_phone_tail"]
    if hasher is not None:  # privacy mode: e-mail and phone exist only as keyed hashes
        email = phone = None
        k_email, k_phone, k_tail = hasher(k_email), hasher(k_phone), hasher(k_tail)
    return (
        import_id,
        line,
        account_id,
        record.get("name"),
        email,
        phone,
        record.get("address"),
        record.get("postal_code"),
        json.dumps(flags) if flags else None,
        keys["k_name"],
        k_email,
        k_phone,
        k_tail,
        keys["k_postcode"],
        keys["k_addr"],
        keys["k_unit"],
    )


_FAST_FIELDS = frozenset(("name", "email", "phone", "address", "postal_code", "account_id", "ref"))


def account_row_builder(
    mapper: RowMapper,
    hasher: Callable[[str | None], str | None] | None,
    import_id: int,
) -> Callable[[int, list[str], bool], tuple | str]:
    """``build(line, cells, suspect)`` -> exactly what ``prepare_account(line, *mapper(cells))``
    returns, without its dictionaries for the common row.

    Why: this runs for each of 33.7M rows, and building the record, the keys and the flags as
    dicts cost about a third of the import. The common row (as many cells as the header, no
    undecodable byte, every present value giving a key, a usable postcode) is built here
    directly from the cells; any other row takes the general path, so the output is the same
    (a test compares the two on generated rows).
    """
    cols = dict(mapper.items)
    fast = mapper.detail is None and set(cols) <= _FAST_FIELDS
    width = mapper.width if fast else -1  # -1: every row takes the general path
    idx = [cols.get(f) for f in ("name", "email", "phone", "address", "postal_code", "account_id")]
    pad = None in idx  # a missing column reads as the empty cell appended at index ``width``
    pick = itemgetter(*(mapper.width if i is None else i for i in idx))
    fullmatch = FAST_MOBILE.fullmatch
    sido = POSTCODE_SIDO

    def slow(line: int, cells: list[str]) -> tuple | str:
        record, problems = mapper(cells)
        return prepare_account(line, record, problems, hasher, import_id)

    def build(line: int, cells: list[str], suspect: bool) -> tuple | str:
        if suspect or len(cells) != width:
            return slow(line, cells)
        name, email, phone, address, postal, account_id = pick(cells + [""] if pad else cells)
        name = name.strip() or None
        email = email.strip() or None
        phone = phone.strip() or None
        postal = postal.strip() or None
        address = address.strip() or None
        if name:
            k_name = name_key(name)
            if k_name is None:
                return slow(line, cells)
        else:
            k_name = None
        if email:
            k_email = email_key(email)
            if k_email is None:
                return slow(line, cells)
        else:
            k_email = None
        if phone:
            m = fullmatch(phone)
            if m is None:
                return slow(line, cells)
            k_tail = m.group(1) + m.group(2)
            if k_tail.count(k_tail[0]) == 8:  # 010-0000-0000: a placeholder (junk)
                return slow(line, cells)
            k_phone = "+8210" + k_tail
        else:
            k_phone = k_tail = None
        if postal:
            if not (
                len(postal) == 5 and postal[:2] in sido and postal.isascii() and postal.isdigit()
            ):
                return slow(line, cells)
        elif address:
            return slow(line, cells)  # the postcode comes from parsing the address
        account_id = account_id.strip() or None
        if not (k_name or k_email or k_phone or account_id):
            return slow(line, cells)
        if hasher is not None:
            email = phone = None
            k_email, k_phone, k_tail = hasher(k_email), hasher(k_phone), hasher(k_tail)
        return (import_id, line, account_id, name, email, phone, address, postal, None,
                k_name, k_email, k_phone, k_tail, postal, None, None)  # fmt: skip

    return build


def prepare_claim(
    line: int,
    record: Mapping[str, str | None],
    problems: list[str],
    raw: dict,
    source: str,
    stamp: str | None = None,
) -> list | str:
    """The submissions row (CLAIM_COLUMNS order, ref filled in later) or the reject reason.

    ``stamp`` is the submitted_at of the row (default: now)."""
    reason = _fatal(problems, record)
    if reason:
        return reason
    keys = record_keys({f: record.get(f) for f in KEY_FIELDS})
    if not (keys["k_name"] or keys["k_email"] or keys["k_phone"]):
        return "no usable name, e-mail or phone"
    flags = _flags(record, keys, problems)
    values = {
        "ref": None,
        "source": source,
        "source_ref": record.get("ref"),
        "source_line": line,
        "submitted_at": stamp or store.now(),
        "raw": json.dumps(raw, ensure_ascii=False),
        "flags": json.dumps(flags),
        **{f: record.get(f) for f in KEY_FIELDS},
        **keys,
    }
    return [values.get(c) for c in store_imports.CLAIM_COLUMNS]


def _fatal(problems: list[str], record: Mapping[str, str | None]) -> str | None:
    for p in problems:
        if p.startswith("too_many_cells:"):
            got, want = p.split(":", 1)[1].split(">")
            return f"{got} cells but the header has {want} (unquoted delimiter inside a value?)"
    return None


def _flags(record: Mapping[str, str | None], keys: Mapping[str, Any], problems: list) -> list:
    get = record.get
    if (
        not problems
        and (keys["k_name"] or not get("name"))
        and (keys["k_email"] or not get("email"))
        and (keys["k_phone"] or not get("phone"))
        and (keys["k_postcode"] or not get("postal_code"))
        and (keys["k_birth"] or not get("birth_date"))
    ):
        return []  # the common case: nothing to flag
    flags = [p for p in problems if p in ("short_row", "encoding")]
    for f, k in (("name", "k_name"), ("email", "k_email"), ("phone", "k_phone")):
        if get(f) and not keys[k]:
            flags.append(f"{f}_invalid")  # kept raw, flagged for review
    if get("postal_code") and not keys["k_postcode"]:
        flags.append("postal_code_invalid")
    if get("birth_date") and not keys["k_birth"]:
        flags.append("birth_date_invalid")
    return flags


# --- worker side --------------------------------------------------------------------------------

_REJECTS_IO = {"encoding": "utf-8-sig", "errors": "surrogateescape", "newline": ""}


class Rejects:
    """``FILE.rejects.csv`` (UTF-8 with BOM for Excel): line, reason, then the original cells."""

    def __init__(self, source: Path, header: list[str], *, resume_after: int | None) -> None:
        self.path = source.with_name(source.name + ".rejects.csv")
        self.header = header
        self.count = 0  # rejects written by this run
        self._fh = None
        if resume_after is None:
            self.path.unlink(missing_ok=True)
        elif self.path.exists():  # keep only what the committed part of the killed run wrote
            with open(self.path, **_REJECTS_IO) as fh:
                rows = list(csv.reader(fh))
            kept = [r for r in rows[1:] if r and r[0].isdigit() and int(r[0]) <= resume_after]
            with open(self.path, "w", **_REJECTS_IO) as fh:
                csv.writer(fh).writerows([["line", "reason", *header], *kept])

    def add(self, line: int, reason: str, cells: list[str]) -> None:
        if self._fh is None:
            new = not self.path.exists()
            # utf-8-sig writes the BOM only at position 0, so appending is safe
            self._fh = open(self.path, "a", **_REJECTS_IO)  # noqa: SIM115 - closed in close()
            self._writer = csv.writer(self._fh)
            if new:
                self._writer.writerow(["line", "reason", *self.header])
        self._writer.writerow([line, reason, *cells])
        self.count += 1

    def flush(self) -> None:
        if self._fh:
            self._fh.flush()

    def close(self) -> None:
        if self._fh:
            self._fh.close()
            self._fh = None


def progress_bar(total: int | None, initial: int, desc: str, enabled: bool):
    """tqdm with rows/s and ETA (total = the file's line count), or a no-op."""
    if not enabled:
        return None
    from tqdm import tqdm

    return tqdm(
        total=total, initial=initial, desc=desc, unit=" rows", unit_scale=True, smoothing=0.1
    )


def connect_for_load(db: sqlite_utils.Database | str | Path) -> sqlite_utils.Database:
    """An open database (paths are opened and migrated)."""
    if isinstance(db, str | Path):
        return store.connect(db)
    return db
