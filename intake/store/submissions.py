"""Submissions: insert a claim, read it back by id or reference, confirm its e-mail.

The only module that writes new rows into ``submissions``. JSON columns (``raw``, ``flags``,
``harms``, ``consents``) are encoded here and decoded by the readers, so callers work with
Python values throughout.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import sqlite_utils

from ..refs import new_claim_ref
from . import now, pragmas

JSON_COLUMNS = {"raw": {}, "flags": [], "harms": [], "consents": {}}
KEY_FIELDS = ("name", "email", "phone", "address", "postal_code", "birth_date")
_REF_ATTEMPTS = 8


def _columns(db: sqlite_utils.Database) -> set[str]:
    return {row[1] for row in db.execute("PRAGMA table_info(submissions)")}


def _encode(record: Mapping[str, Any]) -> dict[str, Any]:
    row = dict(record)
    for column, empty in JSON_COLUMNS.items():
        value = row.get(column, empty)
        if not isinstance(value, str):
            row[column] = json.dumps(
                value if value is not None else empty, ensure_ascii=False, sort_keys=True
            )
    return row


def decode(row: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """A stored row with its JSON columns turned back into lists and dicts."""
    if row is None:
        return None
    out = dict(row)
    for column, empty in JSON_COLUMNS.items():
        if column in out:
            text = out[column]
            out[column] = json.loads(text) if text else type(empty)()
    return out


def insert_submission(db: sqlite_utils.Database, record: Mapping[str, Any]) -> tuple[int, str]:
    """Store one claim and return (id, claim ref); the ref is random and retried on collision.

    ``record`` uses the schema's column names. ``submitted_at`` defaults to now, ``source`` to
    ``'web'``, and the matcher keys ``k_*`` are computed here from the vocabulary fields so no
    caller can forget them.
    """
    from ..normalize import record_keys  # H1's normalisers; imported here to keep start-up light

    columns = _columns(db)
    unknown = set(record) - columns
    if unknown:
        raise ValueError(f"unknown submission columns: {sorted(unknown)}")
    row = _encode(record)
    row.setdefault("source", "web")
    row.setdefault("submitted_at", now())
    keys = record_keys({field: record.get(field) for field in KEY_FIELDS})
    row.update({k: v for k, v in keys.items() if k in columns})
    row.pop("id", None)
    for _attempt in range(_REF_ATTEMPTS):
        row["ref"] = new_claim_ref()
        names = list(row)
        sql = (
            f"INSERT INTO submissions ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)})"
        )
        try:
            cursor = db.execute(sql, [row[name] for name in names])
        except sqlite3.IntegrityError as exc:
            if "submissions.ref" in str(exc):
                continue  # 40-bit random ref collided: draw another
            raise
        return cursor.lastrowid, row["ref"]
    raise RuntimeError("could not allocate a unique claim reference")


def get_submission(db: sqlite_utils.Database, submission_id: int) -> dict[str, Any] | None:
    """One submission by id (JSON columns decoded), or None."""
    rows = db.execute("SELECT * FROM submissions_with_matches WHERE id = ?", [submission_id])
    return decode(_first(rows))


def get_by_ref(db: sqlite_utils.Database, ref: str) -> dict[str, Any] | None:
    """One submission by its claim reference (canonical ``CL-XXXX-XXXX``), or None."""
    rows = db.execute("SELECT * FROM submissions_with_matches WHERE ref = ?", [ref])
    return decode(_first(rows))


def mark_email_confirmed(db: sqlite_utils.Database, submission_id: int) -> bool:
    """Record that the claimant proved they own the e-mail address (first time only).

    Returns True when the submission exists (confirmed now or earlier), False otherwise.
    """
    db.execute(
        "UPDATE submissions SET email_confirmed_at = ? WHERE id = ? AND email_confirmed_at IS NULL",
        [now(), submission_id],
    )
    found = db.execute("SELECT 1 FROM submissions WHERE id = ?", [submission_id]).fetchone()
    return found is not None


def _first(cursor: sqlite3.Cursor) -> dict[str, Any] | None:
    row = cursor.fetchone()
    if row is None:
        return None
    return dict(zip([d[0] for d in cursor.description], row, strict=True))


def secondary_indexes(
    db: sqlite_utils.Database, table: str = "submissions"
) -> list[tuple[str, str]]:
    """(name, CREATE sql) of the indexes of ``table`` a bulk load may drop and rebuild: every
    explicit non-UNIQUE index (UNIQUE ones enforce constraints the inserts rely on)."""
    rows = db.conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ?"
        " AND sql IS NOT NULL ORDER BY name",
        [table],
    ).fetchall()
    return [(n, s) for n, s in rows if not s.upper().startswith("CREATE UNIQUE")]


@contextmanager
def deferred_indexes(db: sqlite_utils.Database, incoming: int) -> Iterator[bool]:
    """Inside an open transaction: drop the secondary submissions indexes when ``incoming`` new
    rows are at least as many as the stored ones, and rebuild them on exit.

    Why: each insert into a table with ~15 indexes updates ~15 B-trees at random places;
    building an index once from the finished table is a sort, 3-4x cheaper overall. DDL is
    transactional in SQLite, so a crash or rollback leaves the indexes as they were. Small
    batches into a big store keep the indexes (a rebuild costs the whole table). Yields whether
    the indexes were dropped."""
    conn = db.conn
    # max(id) is O(log n) (rows are never deleted): the incremental path calls this per submit
    stored = conn.execute("SELECT coalesce(max(id), 0) FROM submissions").fetchone()[0]
    dropped = secondary_indexes(db) if incoming and incoming >= stored else []
    for name, _ in dropped:
        conn.execute(f'DROP INDEX "{name}"')
    yield bool(dropped)
    for _, sql in dropped:
        conn.execute(sql)


SORT_CACHE_KIB = 8 * 1024  # page cache while building indexes: the size of each sorted run
SORT_THREADS = 2  # SQLite sorter threads while building indexes


@contextmanager
def index_build_pragmas(
    conn: sqlite3.Connection, sorter_threads: int = SORT_THREADS
) -> Iterator[None]:
    """A small page cache and a second sorter thread while CREATE INDEX statements run.

    Why: SQLite's sorter sorts runs of ``cache_size`` bytes; with one big cache an index build
    is one single-threaded in-memory sort. With 8 MB runs and ``PRAGMA threads=2`` a helper
    thread sorts and merges runs while the table is scanned: a million-row key index took
    1.5-2.3 s instead of 2.7-3.5 s (docs/benchmarks/matcher.md, round 4). The pages the build
    writes are new, so the small cache costs nothing there; both settings are put back.
    ``sorter_threads`` 0: no helper thread (builds beside other work, ``index_builds``)."""
    threads = min(sorter_threads, os.cpu_count() or 1)
    with pragmas(conn, cache_size=-SORT_CACHE_KIB, threads=threads):
        yield


def suspend_indexes(db: sqlite_utils.Database, incoming: int) -> bool:
    """Before a bulk import (outside a transaction): drop the secondary submissions indexes for
    the whole import when ``incoming`` rows are at least as many as the stored ones, and keep
    their CREATE statements in ``deferred_indexes``; :func:`restore_indexes` builds them again.

    Why not per transaction (``deferred_indexes``): an import commits every 100k rows, so from
    the third batch on the batch is smaller than the table and every row updated ~13 B-trees
    at random places (at a million rows most of the load time). Recording the statements in the
    same transaction as the drop means a killed import loses no index: its resume (or the next
    import) rebuilds them. Returns whether indexes were dropped."""
    conn = db.conn
    stored = conn.execute("SELECT coalesce(max(id), 0) FROM submissions").fetchone()[0]
    if not incoming or incoming < stored:
        return False
    conn.execute("BEGIN IMMEDIATE")
    try:
        dropped = secondary_indexes(db)
        conn.executemany(
            "INSERT OR REPLACE INTO deferred_indexes (name, sql) VALUES (?, ?)", dropped
        )
        for name, _ in dropped:
            conn.execute(f'DROP INDEX "{name}"')
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return bool(dropped)


def restore_indexes(db: sqlite_utils.Database, sorter_threads: int = SORT_THREADS) -> int:
    """Build every index :func:`suspend_indexes` dropped (one transaction); returns how many.
    ``sorter_threads``: SQLite's helper threads per sort (``index_build_pragmas``).

    Cheap when there is nothing to restore (one read of an empty table)."""
    conn = db.conn
    if conn.execute("SELECT 1 FROM deferred_indexes LIMIT 1").fetchone() is None:
        return 0
    conn.execute("BEGIN IMMEDIATE")
    try:
        pending = conn.execute("SELECT name, sql FROM deferred_indexes ORDER BY name").fetchall()
        existing = {
            r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")
        }
        with index_build_pragmas(conn, sorter_threads):
            for name, sql in pending:
                if name not in existing:
                    conn.execute(sql)
        conn.execute("DELETE FROM deferred_indexes")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return len(pending)


@contextmanager
def bulk_import(
    db: sqlite_utils.Database,
    incoming: int,
    cache_kib: int,
    mmap_bytes: int,
    *,
    defer_indexes: bool = False,
) -> Iterator[bool]:
    """A bulk import of ``incoming`` rows: indexes suspended for the whole run when the rows
    outnumber the stored ones (:func:`suspend_indexes`; otherwise any left by a killed import
    are restored first), a ``cache_kib`` page cache and ``mmap_bytes`` of memory-mapped reads,
    and on exit (after an error too) the indexes rebuilt before the pragmas are reset. Yields
    whether the indexes were suspended (a big import: :func:`checkpoint` afterwards).
    ``defer_indexes``: after a successful load leave them in ``deferred_indexes`` for the batch
    match that follows (``store.index_builds``); after an error they are rebuilt regardless.

    Why the memory map: each index build scans the whole table; reading it through a map
    instead of a read() per page cut the builds by ~12% at a million rows."""
    big = suspend_indexes(db, incoming)
    if not big:
        restore_indexes(db)
    with pragmas(db.conn, cache_size=-int(cache_kib), mmap_size=int(mmap_bytes)):
        try:
            yield big
        except BaseException:
            restore_indexes(db)  # before the pragmas are put back: it scans the whole table
            raise
        if not defer_indexes:
            restore_indexes(db)


def checkpoint(db: sqlite_utils.Database) -> None:
    """Copy the write-ahead log into the database file and empty it (when no reader holds it).

    Why after a big import: the import writes every table and index page to the WAL (~1 GB at a
    million rows); left there, the next writer (the match's first commits) paid for copying it,
    and every reader searched the WAL index meanwhile. A reader still open just leaves the rest
    for SQLite's automatic checkpoints."""
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
