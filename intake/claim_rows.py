"""The stored ``submissions`` row of one imported claim, built fast for the common row.

Why a module of its own: ``import-claims`` runs this once per input row, and the general path
(``loading.prepare_claim``: a record dict, a keys dict, a values dict, ``json.dumps`` twice and
a timestamp per row) cost more than the normalisers themselves. :func:`claim_row_builder`
builds the common row straight from the cells and falls back to the general path for any other
row, so the stored values are the same (a test compares the two on generated rows).
"""

from __future__ import annotations

import codecs
import csv
import io
import marshal
import os
import re
from collections import deque
from collections.abc import Callable, Generator, Iterator
from json.encoder import encode_basestring  # the C string encoder json.dumps itself uses
from pathlib import Path
from typing import Any

from .imports import RowMapper, Table
from .loading import prepare_claim
from .normalize.keys import key_values
from .pools import AHEAD_PER_WORKER, fork_pool
from .refs import new_claim_refs
from .store import now
from .store.imports import PackedClaims, pack_claims

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


def _replace_bad_bytes(cell: str) -> str:
    """A raw cell with its undecodable bytes as U+FFFD, as ``RowMapper`` treats the values."""
    if _SURROGATE.search(cell) is None:
        return cell
    return cell.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


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
        if "encoding" in problems:  # undecodable bytes: SQLite cannot store lone surrogates
            cells = [_replace_bad_bytes(c) for c in cells]
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


# -- rows built from byte ranges of the file, in worker processes --------------------------------
#
# Why: with the rows built in workers, the main process still parsed the whole CSV and pickled
# every cell to the workers (~1 µs per cell on each side), and at a million rows it waited on
# them anyway. Here the main process only cuts the file into ~1 MB ranges that end at a line
# feed; each worker reads, decodes and parses its range itself. A range is parsed as if it
# started a record; a range whose parse ends inside a quoted cell (a line feed inside quotes, so
# the cut was not a record boundary) is parsed again joined with the next range, and everything
# read after it speculatively is dropped. Records, line numbers and rows are those of one
# continuous parse of the file.

RANGE_BYTES = 1 << 20
RANGE_ENCODINGS = {"utf-8": "utf-8", "utf-8-sig": "utf-8", "cp949": "cp949", "euc_kr": "euc_kr"}
"""Encodings whose multi-byte sequences never contain the bytes of CR or LF (so a cut after a
line feed never splits a character), with the encoding of every range after the first."""

_SURROGATE = re.compile("[\udc80-\udcff]")
_RANGE: dict[str, Any] = {}
Range = tuple[int, int, int]  # byte start, byte end, lines before start


def range_batches(
    table: Table, *, start_after: int, init_args: tuple, workers: int | None, batch_rows: int,
    lines: int | None = None,
) -> Iterator[tuple[list, list, int, int]] | None:  # fmt: skip
    """The batches of ``batches.claim_batches`` (same rows, rejects, line numbers), parsed in
    ``workers`` processes from byte ranges; None when this path does not apply (XLSX, one
    process, an encoding not in RANGE_ENCODINGS): the caller then uses ``claim_batches``."""
    enc = codecs.lookup(table.encoding or "utf-8").name
    from .batches import use_claim_workers  # batches imports this module

    if table.format == "xlsx" or enc not in RANGE_ENCODINGS:
        return None
    if not use_claim_workers(workers, lines):
        return None
    _, _, import_id, header, source = init_args
    init = (str(table.path), enc, "\t" if table.format == "tsv" else ",", start_after,
            table.mapper(), header, source, import_id)  # fmt: skip
    return _batches(_parsed(table.path, init, workers or 2), start_after, batch_rows)


def _batches(results: Generator, start_after: int, batch_rows: int) -> Iterator:
    rows = PackedClaims()
    rejects: list = []
    last, n = start_after, 0
    try:
        for chunk_rows, chunk_rejects, chunk_last, chunk_n in results:
            rows += chunk_rows
            rejects += chunk_rejects
            last = max(last, chunk_last)
            n += chunk_n
            if len(rows) >= batch_rows:
                yield rows, rejects, last, n
                rows, rejects, n = PackedClaims(), [], 0
        yield rows, rejects, last, n
    finally:
        results.close()  # ends the pool whatever happened to the caller


def file_ranges(path: Path, size: int) -> Iterator[Range]:
    """(start, end, lines before start) of consecutive byte ranges of about ``size`` bytes, each
    ending after a line feed (the last one at the end of the file). Lines are counted as the csv
    reader counts them: CR, LF and CRLF each end one."""
    with open(path, "rb") as fh:
        total = os.fstat(fh.fileno()).st_size
        start, before = 0, 0
        while start < total:
            data = os.pread(fh.fileno(), size, start)
            cut = data.rfind(b"\n") + 1
            while cut == 0 and start + len(data) < total:  # a line longer than ``size``
                data += os.pread(fh.fileno(), size, start + len(data))
                cut = data.rfind(b"\n") + 1
            data = data[:cut] if cut else data
            yield start, start + len(data), before
            before += data.count(b"\n") + data.count(b"\r") - data.count(b"\r\n")
            start += len(data)


def _parsed(path: Path, init: tuple, workers: int) -> Iterator[tuple]:
    """Each range's (PackedClaims, rejects, last line, lines) in file order, parsed in a forked
    pool that keeps ``AHEAD_PER_WORKER`` ranges per worker in flight."""
    ranges = file_ranges(path, RANGE_BYTES)
    ahead = AHEAD_PER_WORKER * workers
    with fork_pool(workers, _init_range, init) as pool:
        pending: deque = deque()  # (range, async result), at most ``ahead``

        def refill() -> None:
            while len(pending) < ahead and (rng := next(ranges, None)) is not None:
                pending.append((rng, pool.apply_async(_range_chunk, (rng,))))

        refill()
        while pending:
            rng, result = pending.popleft()
            *out, clean = marshal.loads(result.get())
            while not clean:
                # The cut was inside a quoted cell: parse the range again joined with the next
                # one, whose own parse started inside quotes and is dropped. The ranges after
                # it stand: they start where the joined parse ends between records (else the
                # join goes on).
                nxt = pending.popleft()[0] if pending else next(ranges, None)
                if nxt is None:
                    break  # the file ends inside quotes: as one continuous parse reads it
                rng = (rng[0], nxt[1], rng[2])
                *out, clean = marshal.loads(pool.apply_async(_range_chunk, (rng,)).get())
            packed, count, *rest = out
            yield (PackedClaims([packed] if count else [], count), *rest)
            refill()


def _init_range(path, enc, delimiter, start_after, mapper, header, source, import_id) -> None:
    _RANGE.update(
        fd=os.open(path, os.O_RDONLY), enc=enc, delimiter=delimiter, start_after=start_after,
        build=claim_row_builder(mapper, header, source, import_id),
    )  # fmt: skip


def _range_chunk(rng: Range) -> bytes:
    """marshal of (packed rows, rows, rejects, last line, lines, clean) of one byte range (the
    rows as ``store.imports.pack_claims`` packs them, None without rows); ``clean``: the parse
    ended between records (else the range must be joined with the next one)."""
    start, end, before = rng
    data = os.pread(_RANGE["fd"], end - start, start)
    enc = _RANGE["enc"] if start == 0 else RANGE_ENCODINGS[_RANGE["enc"]]
    text = data.decode(enc, "surrogateescape")
    suspect = _SURROGATE.search(text) is not None
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_RANGE["delimiter"])
    if start == 0:
        next(reader, None)  # the header
    start_after, build = _RANGE["start_after"], _RANGE["build"]
    stamp = now()  # one submitted_at per range: the same second for every row in practice
    items, cells = [], None
    end_line = reader.line_num
    for cells in reader:
        line, end_line = before + end_line + 1, reader.line_num
        # blank lines and all-empty rows (Excel's formatted-but-empty rows) are not rows
        if line <= start_after or not cells:
            continue
        first = cells[0]
        if (first and not first.isspace()) or any(c and not c.isspace() for c in cells):
            items.append((line, cells))
    # inside quotes at the end, the parse keeps the range's last line feed in the last cell
    clean = not (cells and cells[-1][-1:] in ("\n", "\r"))
    rows: list = []
    rejects: list = []
    for (line, cells_), ref in zip(items, new_claim_refs(len(items)), strict=True):
        row = build(line, cells_, suspect, ref, stamp)
        if row.__class__ is tuple:
            rows.append(row)
        else:
            rejects.append((line, row, cells_))
    last = items[-1][0] if items else 0
    packed = pack_claims(rows) if rows else None
    return marshal.dumps((packed, len(rows), rejects, last, len(items), clean))
