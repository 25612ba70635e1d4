"""The batch match reads each key column packed into one string (``store.matches.packed_keys``)
and builds its frame from those (``KeyFrame.from_packed``): the same codes, uniques and
results as reading rows, whatever the values, and the rows' path when a column does not
unpack."""

from __future__ import annotations

import random
import sqlite3

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from match_helpers import write_claims_csv

from intake import store
from intake.importing import import_claims
from intake.match import frame as frame_mod
from intake.match.compare import address_value
from intake.match.frame import KeyFrame, join_address, unpack
from intake.match.pipeline import run_match
from intake.store import matches as store_matches

SEP = store_matches.PACK_SEPARATOR
KEYS = ("k_name", "k_email", "k_phone", "k_birth", "k_postcode", "k_addr", "k_unit")

_VALUE = st.one_of(
    st.none(),
    st.just(""),
    st.text(max_size=12),  # any text: NUL inside or at the end, '#', emoji
    st.sampled_from(["김민준", "김민준a", "kim minjun", "010-1234", "+821012345678", "a\0b"]),
)


def _packed(rows: list[tuple]) -> tuple[str, dict[str, bytes]]:
    """What ``packed_keys`` returns for these rows (missing as empty, joined by 0xFF)."""
    ids = ",".join(str(r[0]) for r in rows)
    columns = {
        key: bytes([SEP]).join((r[k + 1] or "").encode() for r in rows)
        for k, key in enumerate(KEYS)
    }
    return ids, columns


def _assert_same_frame(got: KeyFrame, expect: KeyFrame) -> None:
    assert got.ids.tolist() == expect.ids.tolist()
    assert got.codes.keys() == expect.codes.keys()
    for column, codes in expect.codes.items():
        assert got.codes[column].tolist() == codes.tolist(), column
        assert got.uniques[column] == expect.uniques[column], column
    assert got.hangul == expect.hangul


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(*[_VALUE] * len(KEYS)), min_size=1, max_size=40))
def test_packed_frame_equals_the_row_frame(values):
    rows = [(i * 3 + 1, *v) for i, v in enumerate(values)]
    got = KeyFrame.from_packed(*_packed(rows), SEP)
    if any(v and v.endswith("\0") for r in rows for v in r[1:]):
        assert got is None  # a fixed-width array would drop the NUL: read the rows instead
    else:
        _assert_same_frame(got, KeyFrame.from_rows(rows))


def test_packed_rows_out_of_id_order_are_put_in_id_order():
    rows = [(i, f"name{i % 7}", f"u{i}@x.kr", None, "1990-01-0" + str(i % 9), "", "road:a", "")
            for i in range(1, 60)]  # fmt: skip
    shuffled = rows[:]
    random.Random(4).shuffle(shuffled)
    _assert_same_frame(KeyFrame.from_packed(*_packed(shuffled), SEP), KeyFrame.from_rows(rows))


def test_unpack_refuses_what_it_cannot_hold_whole(monkeypatch):
    data = bytes([SEP]).join([b"abc", b"", "김".encode()])
    arr, lengths = unpack(data, 3, SEP)
    assert arr.tolist() == [b"abc", b"", "김".encode()] and lengths.tolist() == [3, 0, 3]
    assert unpack(data, 2, SEP) is None and unpack(data, 4, SEP) is None  # wrong count
    assert unpack(b"a\0" + bytes([SEP]) + b"a", 2, SEP) is None  # a trailing NUL
    assert unpack(b"a\0b" + bytes([SEP]) + b"a", 2, SEP)[0].tolist() == [b"a\0b", b"a"]
    monkeypatch.setattr(frame_mod, "BYTES_MAX_ARRAY", 8)
    assert unpack(data, 3, SEP) is None  # 3 × 3 bytes > 8


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(_VALUE, _VALUE), min_size=1, max_size=30))
def test_join_address_equals_address_value(pairs):
    pairs = [(a, u) for a, u in pairs if not (a or "").endswith("\0")]
    pairs = [(a, u) for a, u in pairs if not (u or "").endswith("\0")] or [("k", "u")]
    cols = [[(p[k] or "").encode() for p in pairs] for k in (0, 1)]
    lens = [np.asarray([len(v) for v in c], np.int64) for c in cols]
    arrs = [np.array(c, dtype=f"S{max(1, max(map(len, c)))}") for c in cols]
    joined, lengths = join_address(arrs[0], lens[0], arrs[1], lens[1])
    expect = [(address_value(a, u) or "").encode() for a, u in pairs]
    assert joined.tolist() == expect
    assert lengths.tolist() == [len(v) for v in expect]


# -- the store's packed read and the batch match ----------------------------------------------


@pytest.fixture(scope="module")
def claims_csv(tmp_path_factory):
    return write_claims_csv(tmp_path_factory.mktemp("claims") / "claims.csv", 250, seed=11)


def test_store_packed_keys_build_the_frame_the_rows_build(tmp_path, claims_csv):
    db = store.connect(tmp_path / "s.db")
    import_claims(db, claims_csv, workers=0)
    db.execute("UPDATE submissions SET k_email = NULL WHERE id % 5 = 0")  # missing as NULL
    db.execute("UPDATE submissions SET k_unit = '' WHERE id % 7 = 0")  # and as empty text
    db.conn.commit()
    packed = store_matches.packed_keys(db)
    ids = packed[0].split(",")
    assert len(ids) == db.execute("SELECT count(*) FROM submissions").fetchone()[0] > 300
    rows, meta = store_matches.key_rows(db)
    assert store_matches.meta_rows(db) == meta
    _assert_same_frame(KeyFrame.from_packed(*packed, SEP), KeyFrame.from_rows(rows))


def _submission_ids(db) -> list[tuple]:
    return db.execute("SELECT id FROM submissions").fetchall()


def _persons(db) -> list[list[str]]:
    groups: dict[str, list[str]] = {}
    for ref, person in db.execute(
        "SELECT source_ref, person_id FROM submissions_with_matches ORDER BY source_ref"
    ):
        groups.setdefault(person, []).append(ref)
    return sorted(groups.values())


def test_batch_match_reads_packed_and_falls_back_to_rows(tmp_path, claims_csv, monkeypatch):
    calls = []
    real_from_rows = KeyFrame.from_rows.__func__
    monkeypatch.setattr(
        KeyFrame,
        "from_rows",
        classmethod(lambda cls, rows: calls.append(1) or real_from_rows(cls, rows)),
    )
    packed = store.connect(tmp_path / "packed.db")
    import_claims(packed, claims_csv, workers=0)
    reading = []
    real_from_packed = KeyFrame.from_packed.__func__

    def from_packed(cls, *args):
        reading.append(packed.conn.in_transaction)
        return real_from_packed(cls, *args)

    monkeypatch.setattr(KeyFrame, "from_packed", classmethod(from_packed))
    report = run_match(packed, full=True)
    assert calls == [] and report.auto_links > 0  # the frame came from the packed columns
    # the read transaction ended before the frame is built: a snapshot held longer keeps
    # SQLite from checkpointing the WAL past it while the index builds write
    assert reading == [False] and report.submissions == len(_submission_ids(packed))
    # the batch's writes get the big page cache the row read used to set
    cache = packed.execute("PRAGMA cache_size").fetchone()[0]
    assert cache == -store_matches.BATCH_CACHE_KIB

    rows = store.connect(tmp_path / "rows.db")
    import_claims(rows, claims_csv, workers=0)
    rows.conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, 1000)  # a column too long to pack
    assert store_matches.packed_keys(rows) is None
    assert run_match(rows, full=True).auto_links == report.auto_links
    assert calls == [1]
    assert _persons(rows) == _persons(packed)


def test_read_snapshot_keeps_later_claims_out_of_the_second_read(tmp_path, claims_csv):
    db = store.connect(tmp_path / "snap.db")
    import_claims(db, claims_csv, workers=0)
    other = store.connect(tmp_path / "snap.db")
    with store_matches.read_snapshot(db):
        ids, _ = store_matches.packed_keys(db)
        other.execute(
            "INSERT INTO submissions (ref, source, submitted_at, name)"
            " VALUES ('X-1', 'web', 'now', 'n')"
        )
        other.conn.commit()
        assert len(store_matches.meta_rows(db)) == len(ids.split(","))
    assert len(store_matches.meta_rows(db)) == len(ids.split(",")) + 1
