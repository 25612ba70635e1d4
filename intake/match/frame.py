"""Columnar view of many records: one integer code per field value, for vectorised matching.

Why: a million records cannot be compared pair by pair in Python. Factorising each key column
once turns blocking into sorting integers and exact agreement into ``codes_l == codes_r``; only
the unique *pairs of different values* go through the string comparators.
Codes are assigned in sorted value order (so sorting by code sorts by value); -1 means missing.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from itertools import repeat

import numpy as np

from ..pools import ForkPool
from .compare import FIELDS, KEY_COLUMNS, address_value, house_street
from .names import block_forms, hangul_forms

RECORD_COLUMNS = (
    "id", "k_name", "k_email", "k_phone", "k_birth", "k_postcode", "k_addr", "k_unit",
)  # fmt: skip
"""Columns a frame is built from, in this order (pipeline and store read exactly these)."""


Factorized = tuple[np.ndarray, list[str]]
"""A column's codes (int32, -1 missing) and its sorted unique values."""


def factorize(values: Sequence[str | None]) -> Factorized:
    """Codes (int32, -1 for missing/empty) and the sorted unique values.

    A set, a sort of the distinct strings and one ``dict.get`` per value, all C loops; columns
    of mostly distinct values (e-mails, phones) are sorted as UTF-8 bytes by numpy instead."""
    if len(values) >= BYTES_MIN_VALUES and _mostly_distinct(values):
        done = _factorize_bytes(values)
        if done is not None:
            return done
    uniques = sorted(set(values) - _MISSING)
    pos = dict(zip(uniques, range(len(uniques)), strict=True))
    codes = np.fromiter(map(pos.get, values, repeat(-1)), dtype=np.int32, count=len(values))
    return codes, uniques


_MISSING = {None, ""}

BYTES_MIN_VALUES = 50_000
BYTES_MAX_ARRAY = 256 * 2**20  # the fixed-width byte array may take at most this much memory
_SAMPLE = 20_000


def _mostly_distinct(values: Sequence[str | None]) -> bool:
    """Whether most of the first values are distinct (the sort then dominates the set)."""
    sample = values[:_SAMPLE]
    return len(set(sample)) > len(sample) * 0.4


def _factorize_bytes(values: Sequence[str | None]) -> Factorized | None:
    """``factorize`` through one numpy sort of the values as UTF-8 bytes, or None when the
    values do not fit (a value ending in NUL, which fixed-width bytes drop, an unencodable
    string, or an array over ``BYTES_MAX_ARRAY``).

    Why: at a million e-mails, Python's sort of 700k distinct strings and a dict of them took
    ~4 s; numpy sorts the bytes in ~1 s. UTF-8 bytes sort in code point order, as ``sorted``
    sorts ``str``, so the codes are the same (a test compares both). A NUL inside a value
    sorts as in ``str`` (the padding is NUL too, and only a trailing one is lost), so only
    trailing NULs are looked for, in numpy (joining every value to search them cost ~0.2 s
    a column at a million)."""
    try:
        enc = [v.encode() if v else b"" for v in values]
    except UnicodeEncodeError:
        return None
    lengths = np.fromiter(map(len, enc), dtype=np.int64, count=len(enc))
    width = int(lengths.max()) if len(enc) else 0
    if width * len(enc) > BYTES_MAX_ARRAY:
        return None
    arr = np.array(enc, dtype=f"S{max(width, 1)}")
    del enc
    if not _kept_whole(arr, lengths):
        return None
    return factorize_fixed(arr)


def _kept_whole(arr: np.ndarray, lengths: np.ndarray) -> bool:
    """Whether every value kept its length in the fixed-width array (which drops a trailing
    NUL: "a\0" would equal "a")."""
    return np.array_equal(np.char.str_len(arr), lengths)


def factorize_fixed(arr: np.ndarray) -> Factorized:
    """``factorize`` of UTF-8 values in a fixed-width byte array (empty: missing) that kept
    every value whole (``_kept_whole``)."""
    keys = _digit_keys(arr)
    if keys is None:
        keys, order = arr, _byte_order(arr)
    else:
        order = np.argsort(keys)
    ordered = keys[order]
    change = np.empty(len(ordered), dtype=bool)
    change[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=change[1:])
    codes = np.empty(len(ordered), dtype=np.int32)
    codes[order] = np.cumsum(change, dtype=np.int32) - 1
    uniq = arr[order[change]]
    if len(uniq) and uniq[0] == b"":  # missing values sort first: code -1
        codes -= 1
        uniq = uniq[1:]
    return codes, _decoded(uniq.tolist())


def _decoded(values: list[bytes]) -> list[str]:
    """UTF-8 values as ``str``: one decode of them all joined by NUL, split again, unless a
    value holds a NUL (~2× faster than a ``decode`` call per value)."""
    text = b"\0".join(values).decode()
    if text.count("\0") == len(values) - 1:
        return text.split("\0")
    return [v.decode() for v in values]


def unpack(data: bytes, count: int, separator: int) -> tuple[np.ndarray, np.ndarray] | None:
    """``count`` values joined by the byte ``separator`` as a fixed-width byte array and each
    value's length; None if they do not split into ``count``, a value ends in NUL or the
    array would take more than ``BYTES_MAX_ARRAY``. Why: the batch read hands each key column
    over as one such string (``store.matches.packed_keys``): no Python object per value."""
    buf = np.frombuffer(data, dtype=np.uint8)
    bounds = np.flatnonzero(buf == separator)
    if len(bounds) != count - 1 or count == 0:
        return None
    starts = np.empty(count, dtype=np.int64)
    starts[0] = 0
    starts[1:] = bounds + 1
    lengths = np.empty(count, dtype=np.int64)
    lengths[:-1] = bounds
    lengths[-1] = len(buf)
    lengths -= starts
    width = max(int(lengths.max()), 1)
    if width * count > BYTES_MAX_ARRAY:
        return None
    spare = width * count  # one byte past the slots: where the separators go
    out = np.zeros(spare + 1, dtype=np.uint8)
    # each byte goes to its row's slot (row * width) at its offset in the value; a row's
    # separator follows its value (the last row has none)
    target = np.repeat(np.arange(count, dtype=np.int64) * width - starts, lengths + 1)
    target = target[: len(buf)]
    target += np.arange(len(buf), dtype=np.int64)
    target[bounds] = spare
    out[target] = buf
    arr = out[:spare].view(f"S{width}")
    return (arr, lengths) if _kept_whole(arr, lengths) else None


def join_address(
    addr: np.ndarray, addr_len: np.ndarray, unit: np.ndarray, unit_len: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """``compare.address_value`` over fixed-width byte columns: key + b'#' + unit, the key
    alone without a unit, empty without a key; and the lengths."""
    joined = np.where(unit_len > 0, np.char.add(np.char.add(addr, b"#"), unit), addr)
    joined[addr_len == 0] = b""
    lengths = np.where(unit_len > 0, addr_len + 1 + unit_len, addr_len)
    lengths[addr_len == 0] = 0
    return joined, lengths


_DIGIT_ALPHABET = b"+-0123456789"  # ascending bytes
_DIGIT_BASE = len(_DIGIT_ALPHABET) + 1
_DIGIT_RANK = np.full(256, -1, dtype=np.int8)
_DIGIT_RANK[0] = 0  # the padding (and a NUL inside a value): below every other byte
_DIGIT_RANK[np.frombuffer(_DIGIT_ALPHABET, np.uint8)] = np.arange(1, _DIGIT_BASE)
_DIGIT_MAX_WIDTH = 17  # 13**17 < 2**63


def _digit_keys(arr: np.ndarray) -> np.ndarray | None:
    """One int64 per value of a fixed-width byte array, in the same order and equal exactly
    when the values are, when every byte is a digit, '+', '-' or padding (phone keys and their
    tails, postcodes, birth dates); else None. Why: numpy sorts int64 several times faster
    than byte strings (~0.9 s for a million phone keys), and the ranks keep the byte order
    (0 < '+' < '-' < '0' … '9')."""
    width = arr.dtype.itemsize
    if width > _DIGIT_MAX_WIDTH or not len(arr):
        return None
    ranks = _DIGIT_RANK[arr.view(np.uint8).reshape(len(arr), width)]
    if (ranks < 0).any():
        return None
    keys = np.zeros(len(arr), dtype=np.int64)
    for column in ranks.T:  # Horner's rule: the first byte weighs most
        keys *= _DIGIT_BASE
        keys += column
    return keys


def _byte_order(arr: np.ndarray) -> np.ndarray:
    """``np.argsort`` of a fixed-width byte array, up to the order of equal values.

    Why: numpy compares byte strings a byte at a time (~1.3 s for a million 48-byte address
    keys). Read as big-endian 8-byte words, the values sort as integers: first by their
    first word, then only the runs that tie on it by the other words (~0.7 s)."""
    count, width = len(arr), arr.dtype.itemsize
    n_words = -(-width // 8)
    padded = np.zeros((count, n_words * 8), dtype=np.uint8)
    padded[:, :width] = arr.view(np.uint8).reshape(count, width)
    words = padded.view(">u8").astype(np.uint64)
    del padded
    order = np.argsort(words[:, 0])
    if n_words == 1 or count < 2:
        return order
    first = words[order, 0]
    same = first[1:] == first[:-1]
    tied = np.zeros(count, dtype=bool)  # the sorted positions inside a run of one first word
    tied[1:] = same
    tied[:-1] |= same
    pos = np.flatnonzero(tied)
    rows = order[pos]
    # lexsort: the last key sorts first; the runs keep their places, as ``first`` is sorted
    keys = [words[rows, k] for k in range(n_words - 1, 0, -1)] + [first[pos]]
    order[pos] = rows[np.lexsort(keys)]
    return order


def _house_street_key(address: str) -> str | None:
    """'number|street' of a free-text address (blocking key), None for Korean keys."""
    hs = house_street(address.partition("#")[0])
    return f"{hs[0]}|{hs[1]}" if hs else None


def derive(codes: np.ndarray, uniques: list[str], fn) -> tuple[np.ndarray, list[str]]:
    """Codes of fn(value) for a factorised column: computed once per unique value."""
    derived = [fn(v) for v in uniques]
    sub, subuniq = factorize(derived)
    out = np.full(len(codes), -1, dtype=np.int32)
    ok = codes >= 0
    out[ok] = sub[codes[ok]]
    return out, subuniq


def derive_list(codes: np.ndarray, derived: list[str | None]) -> tuple[np.ndarray, list[str]]:
    """``derive`` with the derived value of each unique already computed."""
    sub, subuniq = factorize(derived)
    out = np.full(len(codes), -1, dtype=np.int32)
    ok = codes >= 0
    out[ok] = sub[codes[ok]]
    return out, subuniq


PARALLEL_MIN_NAMES = 5_000
_NAMES: list[str] = []


def _forms_of(names: Sequence[str]) -> tuple[list, list]:
    return [block_forms(v) for v in names], [hangul_forms(v) for v in names]


def _forms_job(lo: int, hi: int) -> tuple[list, list]:
    return _forms_of(_NAMES[lo:hi])


class _NameForms:
    """Blocking and Hangul forms of the unique names: for many names, a forked worker computes
    them all while the parent factorises the other columns (the name forms are the frame's
    one Python-heavy step, ~3 s at 1M names against ~8 s of factorising, so the parent no
    longer takes a half of them: it would only wait for them)."""

    def __init__(self, names: list[str]) -> None:
        global _NAMES
        self.names, self.pool, self.pending = names, None, None
        if len(names) >= PARALLEL_MIN_NAMES and "fork" in multiprocessing.get_all_start_methods():
            _NAMES = names  # inherited by the fork, never pickled
            try:
                self.pool = ForkPool(1)
                self.pending = self.pool.apply_async(_forms_job, (0, len(names)))
            finally:
                _NAMES = []

    def result(self) -> tuple[list, list]:
        if self.pool is None:
            return _forms_of(self.names)
        try:
            forms = self.pending.get()
        except BaseException:
            self.pool.stop()
            raise
        self.pool.finish()
        return forms


@dataclass
class KeyFrame:
    """Codes for the compared fields (``FIELDS``) and for the extra blocking columns."""

    ids: np.ndarray
    codes: dict[str, np.ndarray] = field(default_factory=dict)
    uniques: dict[str, list[str]] = field(default_factory=dict)
    hangul: list[tuple[str, str] | None] | None = None
    """``names.hangul_forms`` of each unique name (aligned with ``uniques['name']``), computed
    with the blocking forms so the comparison does not derive them again; None: not built."""

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def from_rows(cls, rows: Iterable[Sequence]) -> KeyFrame:
        """Build from tuples in ``RECORD_COLUMNS`` order."""
        cols = list(zip(*rows, strict=True)) or [()] * len(RECORD_COLUMNS)
        ids, k_name, k_email, k_phone, k_birth, k_postcode, k_addr, k_unit = cols
        base = {
            "name": k_name,
            "email": k_email,
            "phone": k_phone,
            "birth_date": k_birth,
            "postal_code": k_postcode,
            "address": list(map(address_value, k_addr, k_unit)),
        }
        columns = {f: partial(factorize, values) for f, values in base.items()}
        return cls._build(np.asarray(ids, dtype=np.int64), columns)

    @classmethod
    def from_packed(cls, ids: str, columns: Mapping[str, bytes], separator: int) -> KeyFrame | None:
        """Build from ``store.matches.packed_keys``: the ids comma-separated, each ``k_*``
        column's values joined by ``separator``. None when a column does not unpack (see
        ``unpack``): build ``from_rows`` then. Codes and uniques equal ``from_rows``'s."""
        id_array = np.fromstring(ids, dtype=np.int64, sep=",") if ids else np.empty(0, np.int64)
        fixed = {}
        for column, data in columns.items():
            got = unpack(data, len(id_array), separator)
            if got is None:
                return None
            fixed[column] = got
        if np.any(id_array[1:] <= id_array[:-1]):  # rows in another order than by id
            order = np.argsort(id_array, kind="stable")
            id_array = id_array[order]
            fixed = {c: (arr[order], lengths[order]) for c, (arr, lengths) in fixed.items()}
        address, _ = join_address(*fixed.pop("k_addr"), *fixed.pop("k_unit"))
        arrays = {f: fixed[KEY_COLUMNS[f]][0] for f in FIELDS if f != "address"}
        arrays["address"] = address
        del fixed
        return cls._build(id_array, {f: partial(factorize_fixed, a) for f, a in arrays.items()})

    @classmethod
    def _build(cls, ids: np.ndarray, columns: Mapping[str, Callable[[], Factorized]]) -> KeyFrame:
        """The frame from a factorising call per field (``FIELDS``): the derived blocking
        columns, and the name forms in a worker while the other fields are factorised."""
        frame = cls(ids)
        frame.codes["name"], frame.uniques["name"] = columns["name"]()
        forms = _NameForms(frame.uniques["name"])  # starts a worker for big frames
        for name, factorized in columns.items():
            if name != "name":
                frame.codes[name], frame.uniques[name] = factorized()
        # blocking-only columns, derived per unique value (no per-row Python)
        derived = {
            "birth_year": ("birth_date", lambda v: v[:4]),
            "phone_tail": ("phone", lambda v: v[-7:]),
            "building": ("address", lambda v: v.partition("#")[0]),
            "unit": ("address", lambda v: v.partition("#")[2] or None),
            # free-text (Latin) house number + street letters; None for every Korean key
            "house_street": ("address", _house_street_key),
        }
        for name, (src, fn) in derived.items():
            frame.codes[name], frame.uniques[name] = derive(
                frame.codes[src], frame.uniques[src], fn
            )
        blocks, frame.hangul = forms.result()
        for k, name in enumerate(("name_block", "initials")):
            frame.codes[name], frame.uniques[name] = derive_list(
                frame.codes["name"], [b[k] for b in blocks]
            )
        return frame

    def counts(self, column: str) -> np.ndarray:
        """How many records carry each code of ``column`` (term frequencies)."""
        codes = self.codes[column]
        return np.bincount(codes[codes >= 0], minlength=len(self.uniques[column]))

    def tf_mapping(self) -> dict[str, dict[str, int]]:
        """field -> value -> count, for a scalar ``Model`` consistent with this frame."""
        out = {}
        for f in FIELDS:
            counts = self.counts(f)
            out[f] = dict(zip(self.uniques[f], counts.tolist(), strict=True))
        return out
