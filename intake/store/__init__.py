"""Storage: the only package that knows the SQLite schema.

Split by table group so each module stays small: ``schema`` (migrations), ``submissions``,
``accounts``, ``matches`` (pairs, decisions, persons), ``staff`` (users, audit). Callers use
these functions with a :class:`sqlite_utils.Database` from :func:`connect`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import sqlite_utils

from .schema import MIGRATIONS

SCHEMA_VERSION = len(MIGRATIONS)


def now() -> str:
    """Current UTC time as ISO 8601 text, the format of every timestamp column."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def connect(
    path: str | Path, *, migrate_schema: bool = True, autocheckpoint: int | None = None
) -> sqlite_utils.Database:
    """Open the database in WAL mode (readers never block the form) and bring it up to date.

    ``autocheckpoint``: log pages after which a commit checkpoints (None: SQLite's 1000); the
    server raises it while its own thread checkpoints (``store.checkpoints``)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), timeout=30, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA foreign_keys=ON")
    if autocheckpoint is not None:
        conn.execute(f"PRAGMA wal_autocheckpoint = {int(autocheckpoint)}")
    db = sqlite_utils.Database(conn)
    if migrate_schema:
        migrate(db)
    return db


def database_file(db: sqlite_utils.Database) -> str:
    """Path of the main database file, "" for an in-memory database (threads and worker
    processes open their own connections to it)."""
    return db.execute("PRAGMA database_list").fetchone()[2] or ""


@contextmanager
def pragmas(conn: sqlite3.Connection, **values: int) -> Iterator[None]:
    """Set integer PRAGMAs (``cache_size=-65536``) for a block and put the previous values back,
    after an error too: bulk jobs tune a connection that the web app or the next step of the
    same command goes on using."""
    before = {name: conn.execute(f"PRAGMA {name}").fetchone() for name in values}
    for name, value in values.items():
        conn.execute(f"PRAGMA {name} = {int(value)}")
    try:
        yield
    finally:
        for name, row in before.items():
            conn.execute(f"PRAGMA {name} = {int(row[0]) if row else 0}")


def schema_version(db: sqlite_utils.Database) -> int:
    """The number of migrations applied to this database."""
    return db.execute("PRAGMA user_version").fetchone()[0]


def migrate(db: sqlite_utils.Database) -> tuple[int, int]:
    """Apply pending forward migrations, each in its own transaction. Returns (from, to)."""
    start = schema_version(db)
    if start > SCHEMA_VERSION:
        raise RuntimeError(
            f"database schema version {start} is newer than this intake ({SCHEMA_VERSION})"
        )
    for version in range(start, SCHEMA_VERSION):
        conn = db.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            if schema_version(db) == version:  # another process may have migrated meanwhile
                for statement in _statements(MIGRATIONS[version]):
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {version + 1}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    return start, SCHEMA_VERSION


def _statements(script: str) -> list[str]:
    """Split a migration script into statements (executescript would commit implicitly)."""
    out, buf = [], ""
    for line in script.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            out.append(buf.strip())
            buf = ""
    if buf.strip():
        out.append(buf.strip())
    return out
