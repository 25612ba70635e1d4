"""Schema and migrations on real SQLite files."""

from __future__ import annotations

import sqlite3

import pytest

from intake import store
from intake.store import schema


def test_new_database_is_wal_and_at_current_version(tmp_path):
    db = store.connect(tmp_path / "a.db")
    assert store.schema_version(db) == store.SCHEMA_VERSION
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert {"submissions", "accounts", "pairs", "decisions", "users", "audit"} <= set(
        db.table_names()
    )


def test_migrate_is_idempotent(tmp_path):
    db = store.connect(tmp_path / "a.db")
    assert store.migrate(db) == (store.SCHEMA_VERSION, store.SCHEMA_VERSION)


def test_refuses_a_newer_database(tmp_path):
    path = tmp_path / "future.db"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {store.SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(RuntimeError, match="newer"):
        store.connect(path)


def test_statements_split_keeps_triggers_and_comments():
    script = "CREATE TABLE t (a TEXT); -- note; with semicolon\nCREATE INDEX i ON t(a);"
    assert len(store._statements(script)) == 2


def test_older_database_migrates_forward_without_loss(tmp_path, monkeypatch):
    """A DB made by the first release keeps its rows when later migrations are applied."""
    path = tmp_path / "old.db"
    monkeypatch.setattr(store, "SCHEMA_VERSION", 1)
    old = store.connect(path)
    old["submissions"].insert(
        {"ref": "CL-AAAA-BBBB", "source": "web", "submitted_at": store.now(), "name": "김민준"}
    )
    old.conn.close()
    monkeypatch.setattr(
        schema, "MIGRATIONS", [*schema.MIGRATIONS, "ALTER TABLE submissions ADD COLUMN extra TEXT;"]
    )
    monkeypatch.setattr(store, "MIGRATIONS", schema.MIGRATIONS)
    monkeypatch.setattr(store, "SCHEMA_VERSION", len(schema.MIGRATIONS))
    new = store.connect(path)
    assert store.schema_version(new) == len(schema.MIGRATIONS)
    row = new.execute("SELECT name, extra FROM submissions").fetchone()
    assert row == ("김민준", None)


def test_pragmas_are_set_for_the_block_and_put_back_after_an_error(tmp_path):
    conn = store.connect(tmp_path / "a.db").conn

    def read() -> tuple:
        return tuple(conn.execute(f"PRAGMA {p}").fetchone()[0] for p in ("cache_size", "threads"))

    before = read()
    with pytest.raises(RuntimeError), store.pragmas(conn, cache_size=-4096, threads=2):
        assert read() == (-4096, 2)
        raise RuntimeError("the bulk job failed")
    assert read() == before != (-4096, 2)


def test_v9_moves_persons_and_stamps_to_match_results(tmp_path):
    """A V8 store's person ids and match stamps survive the move to their own table; the
    wide table loses both columns, a killed import's statements for their dropped indexes
    are forgotten, and the view gives every submission with its two columns back."""
    path = tmp_path / "v8.db"
    conn = sqlite3.connect(path, isolation_level=None)
    for script in schema.MIGRATIONS[:8]:
        conn.executescript(script)
    conn.execute("PRAGMA user_version = 8")
    rows = [
        ("CL-AAAA-0001", "P-AAAA0001", "2026-11-01T00:00:00+00:00"),
        ("CL-AAAA-0002", "P-AAAA0001", "2026-11-01T00:00:00+00:00"),
        ("CL-AAAA-0003", "P-AAAA0003", None),  # reclustered, not yet matched itself
        ("CL-AAAA-0004", None, None),  # never matched
    ]
    conn.executemany(
        "INSERT INTO submissions (ref, source, submitted_at, person_id, matched_at)"
        " VALUES (?, 'web', '2026-11-01T00:00:00+00:00', ?, ?)",
        rows,
    )
    conn.execute(
        "INSERT INTO deferred_indexes SELECT name, sql FROM sqlite_master"
        " WHERE name = 'submissions_person'"
    )
    conn.execute("DROP INDEX submissions_person")
    conn.close()
    db = store.connect(path)
    assert store.schema_version(db) == 9
    got = db.execute(
        "SELECT ref, person_id, matched_at FROM submissions_with_matches ORDER BY id"
    ).fetchall()
    assert got == rows
    assert db.execute("SELECT count(*) FROM match_results").fetchone()[0] == 3
    columns = {c.name for c in db["submissions"].columns}
    assert not {"person_id", "matched_at"} & columns
    assert db.execute("SELECT count(*) FROM deferred_indexes").fetchone()[0] == 0
    plan = db.execute(
        "EXPLAIN QUERY PLAN SELECT id FROM submissions_with_matches WHERE person_id = 'P-X'"
    ).fetchall()
    assert "match_results_person" in str(plan)
