"""``import-accounts`` and ``import-claims``: read (``intake.imports``), normalise
(``intake.normalize.record_keys``), store (``intake.store.accounts`` / ``imports``).

Why a pipeline of batches: the file is streamed (constant memory), and each batch is committed
together with the resume point, so a killed run restarted with the same command neither loses nor
duplicates a row. Rejected rows go to ``FILE.rejects.csv`` with their line number and reason.
Rows can be normalised in worker processes (``workers=N``); by default in-process.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import json
import multiprocessing
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlite_utils

from . import store
from .imports import Table
from .normalize import normalize_address, record_keys
from .store import imports as store_imports

BATCH_ROWS = 100_000  # rows per transaction, as the floor loader
CHUNK_ROWS = 5_000  # rows per worker task
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


def prepare_claim(
    line: int, record: Mapping[str, str | None], problems: list[str], raw: dict, source: str
) -> list | str:
    """The submissions row (CLAIM_COLUMNS order, ref filled in later) or the reject reason."""
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
        "submitted_at": store.now(),
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

_WORKER: dict[str, Any] = {}


def _init_worker(
    kind: str, hash_key: Any, import_id: int, header: list, source: str, mapper: Any
) -> None:
    _WORKER.update(
        kind=kind,
        hasher=key_hasher(hash_key),
        import_id=import_id,
        header=header,
        source=source,
        mapper=mapper,
    )


def _prepare_chunk(chunk: list[tuple[int, list]]) -> list[tuple[int, Any, list]]:
    """(line, row or reject reason, cells of rejected rows) for a chunk of raw input rows."""
    out = []
    w = _WORKER
    mapper = w["mapper"]
    for line, cells in chunk:
        record, problems = mapper(cells)
        if w["kind"] == "accounts":
            row = prepare_account(line, record, problems, w["hasher"], w["import_id"])
        else:
            raw = dict(zip(w["header"], cells, strict=False))
            row = prepare_claim(line, record, problems, raw, w["source"])
        out.append((line, row, cells if isinstance(row, str) else None))
    return out


def _chunks(rows: Iterator, size: int) -> Iterator[list]:
    chunk = []
    for item in rows:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def prepared_rows(
    table: Table,
    *,
    start_after: int,
    init_args: tuple,
    workers: int | None,
) -> Iterator[tuple[int, Any, list | None]]:
    """Normalised rows in file order, from worker processes when the file is large."""
    chunks = _chunks(table.cells(start_after=start_after), CHUNK_ROWS)
    init_args = (*init_args, table.mapper())
    if workers is None:
        # In-process by default: measured on this 2-core box, worker processes only pay off when
        # the cores are otherwise idle (the main process still parses, pickles and inserts).
        workers = 0
    if workers <= 0:
        _init_worker(*init_args)
        for chunk in chunks:
            yield from _prepare_chunk(chunk)
        return
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(workers, initializer=_init_worker, initargs=init_args) as pool:
        pending: deque = deque()  # bounded: memory stays constant however big the file
        for chunk in chunks:
            pending.append(pool.apply_async(_prepare_chunk, (chunk,)))
            if len(pending) >= 2 * workers:
                yield from pending.popleft().get()
        while pending:
            yield from pending.popleft().get()


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
