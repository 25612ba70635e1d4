"""Round 6 of the claims import's speed work: rows built in workers travel as packed SQLite.

A range worker packs its rows into a serialized in-memory database
(``store.imports.pack_claims``) and the writer copies them into ``submissions`` with one
``INSERT ... SELECT`` (``commit_claims`` with :class:`PackedClaims`). These tests check that the
stored rows are those that binding the same tuples stores, that nothing is left attached to the
connection after an error, and that a killed or colliding import still ends with every line
stored once."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from test_import_claims_r4 import ROWS, _inline_pool, _stored, _text

from intake import store
from intake.importing import import_claims
from intake.refs import CLAIM_REF
from intake.refs import new_claim_refs as claim_refs
from intake.store.imports import CLAIM_COLUMNS, PackedClaims, commit_claims, pack_claims
from intake.store.submissions import insert_submission

ODD_ROWS = [
    ("CL-0000-0001", "import:x", None, 1, 2, "2026-01-01T00:00:00+00:00", "김민준", None,
     "010\x001234", "서울 강남구 테헤란로 142", "06236", "1985-03-14", '{"a": "😀"}', "[]",
     "김민준", None, "+821012345678", "12345678", "1985-03-14", "06236", "x", ""),
    ("CL-0000-0002", "import:x", "7", 1, 3, "2026-01-01T00:00:00+00:00", "", "a@b.c", "12",
     "\ufffd", None, "0", "{}", '["flag"]', None, "a@b.c", None, None, None, None, None, None),
]  # fmt: skip


def _rows_with_types(db) -> list[tuple]:
    cols = ", ".join(f"{c}, typeof({c})" for c in CLAIM_COLUMNS)
    return db.execute(f"SELECT {cols} FROM submissions ORDER BY id").fetchall()


def _attached(db) -> set[str]:
    """Attached databases besides the main one and SQLite's own temp schema (which any
    temp table or schema change, e.g. a migration's DROP COLUMN, brings into the list)."""
    return {r[1] for r in db.execute("PRAGMA database_list")} - {"temp"}


def _new_store(path: Path):
    db = store.connect(path)
    db.execute("INSERT INTO imports (id, kind, file_name, fingerprint, started_at)"
               " VALUES (1, 'claims', 'x', 'y', 'z')")  # fmt: skip
    return db


def test_packed_rows_store_what_bound_rows_store(tmp_path):
    """Text with NUL, emoji and U+FFFD, empty strings, integers and NULLs keep their value and
    storage class; ids follow the packed order across parts."""
    bound, packed = _new_store(tmp_path / "a.db"), _new_store(tmp_path / "b.db")
    kw = dict(new_ref=lambda: "CL-ZZZZ-ZZZZ", last_line=3, loaded=2, rejected=0)
    commit_claims(bound, 1, list(ODD_ROWS), **kw)
    rows = PackedClaims([pack_claims(ODD_ROWS[:1])], 1)
    rows += PackedClaims([pack_claims(ODD_ROWS[1:])], 1)
    assert len(rows) == 2
    commit_claims(packed, 1, rows, **kw)
    assert _rows_with_types(bound) == _rows_with_types(packed)
    assert _attached(packed) == {"main"}  # the staging databases are detached again


def test_range_workers_send_packed_rows(tmp_path, monkeypatch):
    seen = []
    real = commit_claims
    monkeypatch.setattr(
        "intake.importing.store_imports.commit_claims",
        lambda db, i, rows, **kw: seen.append(rows) or real(db, i, rows, **kw),
    )
    monkeypatch.setattr("intake.claim_rows.fork_pool", _inline_pool)
    path = tmp_path / "c.csv"
    path.write_bytes(_text(ROWS * 6).encode("utf-8"))
    rep = import_claims(store.connect(tmp_path / "s.db"), path, workers=2, batch_rows=7)
    assert rep.loaded > 7
    assert all(isinstance(rows, PackedClaims) for rows in seen)
    assert sum(map(len, seen)) == rep.loaded


def test_a_failed_packed_commit_detaches_and_the_import_resumes(tmp_path, monkeypatch):
    """An error inside the transaction (here: the 2nd commit) rolls back that batch and leaves
    no staging database attached; the resume then stores every line once, as one run does."""
    monkeypatch.setattr("intake.claim_rows.RANGE_BYTES", 200)
    path = tmp_path / "c.csv"
    path.write_bytes(_text(ROWS * 40).encode("utf-8"))
    from intake.store import imports as store_imports

    real, calls = store_imports.deferred_indexes, {"n": 0}

    def failing(db_, incoming, **kw):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt("killed")
        return real(db_, incoming, **kw)

    db = store.connect(tmp_path / "s.db")
    monkeypatch.setattr(store_imports, "deferred_indexes", failing)
    with pytest.raises(KeyboardInterrupt):
        import_claims(db, path, workers=2, batch_rows=50)
    monkeypatch.setattr(store_imports, "deferred_indexes", real)
    assert _attached(db) == {"main"}
    partial = db.execute("SELECT count(*) FROM submissions").fetchone()[0]
    rep = import_claims(db, path, workers=2, batch_rows=50)
    assert rep.action == "resume" and 0 < partial < rep.loaded
    (tmp_path / "one").mkdir()
    other = tmp_path / "one" / "c.csv"
    other.write_bytes(path.read_bytes())
    whole = import_claims(store.connect(tmp_path / "one.db"), other, workers=0)
    assert (rep.loaded, rep.rejected) == (whole.loaded, whole.rejected)
    assert _stored(db) == _stored(store.connect(tmp_path / "one.db"))
    assert _attached(db) == {"main"}


def test_a_leftover_staging_database_is_replaced(tmp_path):
    """A staging database left attached (an interrupt between ATTACH and the cleanup) does not
    make the next commit on the connection fail."""
    db = _new_store(tmp_path / "s.db")
    db.execute("ATTACH ':memory:' AS intake_import_stage")
    rows = PackedClaims([pack_claims(ODD_ROWS)], 2)
    commit_claims(db, 1, rows, new_ref=lambda: "CL-ZZZZ-ZZZZ", last_line=3, loaded=2, rejected=0)
    assert db.execute("SELECT count(*) FROM submissions").fetchone()[0] == 2
    assert _attached(db) == {"main"}


def test_a_claim_ref_collision_in_packed_rows_redoes_only_that_row(tmp_path, monkeypatch):
    db = store.connect(tmp_path / "s.db")
    _, taken = insert_submission(db, {"name": "김민준"})

    def colliding(n):  # the stored ref, twice, then fresh ones
        return [taken, taken, *claim_refs(n)][:n]

    monkeypatch.setattr("intake.claim_rows.new_claim_refs", colliding)
    monkeypatch.setattr("intake.claim_rows.fork_pool", _inline_pool)
    path = tmp_path / "c.csv"
    path.write_bytes(_text(ROWS * 6).encode("utf-8"))
    rep = import_claims(db, path, workers=2)
    refs = [r[0] for r in db.execute("SELECT ref FROM submissions")]
    assert len(refs) == len(set(refs)) == rep.loaded + 1
    assert all(CLAIM_REF.match(r) for r in refs)
    lines = db.execute("SELECT count(DISTINCT source_line) FROM submissions WHERE import_id = ?",
                       [rep.import_id])  # fmt: skip
    assert lines.fetchone()[0] == rep.loaded
    assert _attached(db) == {"main"}


def test_a_packed_chunk_is_a_database_of_its_rows():
    data = pack_claims(ODD_ROWS)
    conn = sqlite3.connect(":memory:")
    conn.deserialize(data)
    assert conn.execute("SELECT * FROM claims ORDER BY rowid").fetchall() == ODD_ROWS
