"""Import tracking and the claims bulk insert.

One ``imports`` row per (kind, file fingerprint): re-running a finished file is a no-op, and a
run killed half-way resumes after ``last_line``, because every batch of rows is committed in the
same transaction as the new ``last_line`` (so the two can never disagree).

Claims rows built in worker processes arrive as :class:`PackedClaims`: small in-memory SQLite
databases that the writer copies into ``submissions`` with one ``INSERT ... SELECT``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from typing import Any

import sqlite_utils

from . import now
from .submissions import deferred_indexes

CLAIM_COLUMNS = (
    "ref",
    "source",
    "source_ref",
    "import_id",
    "source_line",
    "submitted_at",
    "name",
    "email",
    "phone",
    "address",
    "postal_code",
    "birth_date",
    "raw",
    "flags",
    "k_name",
    "k_email",
    "k_phone",
    "k_phone_tail",
    "k_birth",
    "k_postcode",
    "k_addr",
    "k_unit",
)
_COLUMNS = ", ".join(CLAIM_COLUMNS)
_INSERT_CLAIM = (
    f"INSERT INTO submissions ({_COLUMNS}) VALUES ({', '.join('?' for _ in CLAIM_COLUMNS)}) "
    "ON CONFLICT DO NOTHING"  # a stored line (resume) or a ref collision: see commit_claims
)
_STAGE, _PART = "intake_import_stage", "intake_import_part"  # schemas attached per commit
_PACKED_TABLE = f"CREATE TABLE {{}}claims ({_COLUMNS})"  # no types: values keep their class
_INSERT_STAGED = (
    f"INSERT INTO submissions ({_COLUMNS}) SELECT {_COLUMNS} FROM {_STAGE}.claims"
    " WHERE true ORDER BY rowid ON CONFLICT DO NOTHING"  # WHERE: else ON reads as a join
)
PACKED_PAGE_BYTES = 65536  # a packed chunk's page size: ~30% cheaper to fill than 4 KB pages


class PackedClaims:
    """Claims rows (CLAIM_COLUMNS order) packed as serialized in-memory SQLite databases, one per
    worker chunk; ``len()`` is the number of rows, ``+=`` appends another pack.

    Why: a worker's rows used to reach the writing process as ``marshal`` data, which it decoded
    into Python strings only to bind them to SQLite again one value at a time (at a million
    rows ~37 s of the writer's ~62 s of CPU). Packed, a worker binds each value once, and the
    writer copies whole rows in C (``commit_claims``): measured in docs/benchmarks/matcher.md."""

    __slots__ = ("parts", "count")

    def __init__(self, parts: list[bytes] | None = None, count: int = 0) -> None:
        self.parts = parts if parts is not None else []
        self.count = count

    def __len__(self) -> int:
        return self.count

    def __iadd__(self, other: PackedClaims) -> PackedClaims:
        self.parts += other.parts
        self.count += other.count
        return self


def pack_claims(rows: Sequence[Sequence[Any]]) -> bytes:
    """``rows`` (CLAIM_COLUMNS order) as a serialized SQLite database (a worker's half of
    :class:`PackedClaims`): one table ``claims`` whose columns have no type, so every value
    keeps its storage class and ``submissions`` stores what binding it directly stores."""
    conn = sqlite3.connect(":memory:", isolation_level=None)
    try:
        conn.execute(f"PRAGMA page_size = {PACKED_PAGE_BYTES}")
        conn.execute("PRAGMA journal_mode = OFF")
        conn.execute(_PACKED_TABLE.format(""))
        conn.execute("BEGIN")
        conn.executemany(
            f"INSERT INTO claims VALUES ({', '.join('?' for _ in CLAIM_COLUMNS)})", rows
        )
        conn.execute("COMMIT")
        return conn.serialize()
    finally:
        conn.close()


def begin_import(
    db: sqlite_utils.Database,
    kind: str,
    file_name: str,
    fingerprint: str,
    *,
    on_new: Callable[[sqlite_utils.Database, int], None] | None = None,
) -> tuple[dict[str, Any], str]:
    """Find or create the import of this file: returns (row, 'new' | 'resume' | 'done').

    A file whose earlier import was later replaced starts afresh. ``on_new(db, import_id)`` runs
    inside the same transaction when a new load starts (e.g. clearing the old list for --replace),
    so a crash can never leave the old list deleted without the new import recorded.
    """
    conn = db.conn
    conn.execute("BEGIN IMMEDIATE")
    try:
        row = _get(db, kind, fingerprint)
        if row and row["status"] == "complete":
            action = "done"
        elif row and row["status"] == "loading":
            action = "resume"
        else:
            if row:  # replaced earlier: load it again from the start
                conn.execute("DELETE FROM imports WHERE id = ?", [row["id"]])
            conn.execute(
                "INSERT INTO imports (kind, file_name, fingerprint, started_at) VALUES (?,?,?,?)",
                [kind, file_name, fingerprint, now()],
            )
            row = _get(db, kind, fingerprint)
            action = "new"
            if on_new:
                on_new(db, row["id"])
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return row, action


def _get(db: sqlite_utils.Database, kind: str, fingerprint: str) -> dict[str, Any] | None:
    cur = db.execute(
        "SELECT * FROM imports WHERE kind = ? AND fingerprint = ?", [kind, fingerprint]
    )
    found = cur.fetchone()
    return dict(zip([d[0] for d in cur.description], found, strict=True)) if found else None


def commit_batch(
    db: sqlite_utils.Database,
    import_id: int,
    sql: str,
    rows: Sequence[Sequence[Any]],
    *,
    last_line: int,
    loaded: int,
    rejected: int,
) -> None:
    """Insert one batch and advance the resume point atomically (counts are running totals)."""
    conn = db.conn
    conn.execute("BEGIN")
    try:
        if rows:
            conn.executemany(sql, rows)
        conn.execute(
            "UPDATE imports SET last_line = ?, rows_loaded = ?, rows_rejected = ? WHERE id = ?",
            [last_line, loaded, rejected, import_id],
        )
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def commit_claims(
    db: sqlite_utils.Database,
    import_id: int,
    rows: list[Sequence[Any]] | PackedClaims,
    *,
    new_ref: Callable[[], str],
    last_line: int,
    loaded: int,
    rejected: int,
) -> None:
    """Insert a batch of imported claims (column order CLAIM_COLUMNS: ref, ..., source_line
    at index 4) and advance the resume point, in one transaction.

    Lines already stored are skipped (UNIQUE import_id, source_line). A row whose random claim
    reference collides with a stored one (40 bits: about one in a million-row import) is
    inserted again with a fresh reference; only that row is redone, not the batch.

    :class:`PackedClaims` are first copied into one in-memory database attached for this call
    (ATTACH cannot run inside a transaction), then inserted in file order with one statement;
    the database is detached on the way out, after an error too."""
    conn = db.conn
    packed = isinstance(rows, PackedClaims) and len(rows) > 0
    try:
        if packed:
            _stage(conn, rows.parts)
        conn.execute("BEGIN")
        try:
            with deferred_indexes(db, len(rows)):
                if packed:
                    inserted = conn.execute(_INSERT_STAGED).rowcount
                elif rows:
                    inserted = conn.executemany(_INSERT_CLAIM, rows).rowcount
                if len(rows) and inserted != len(rows):
                    staged = f"SELECT {_COLUMNS} FROM {_STAGE}.claims ORDER BY rowid"
                    again = conn.execute(staged).fetchall() if packed else rows
                    _retry_ref_collisions(conn, import_id, again, new_ref)
            conn.execute(
                "UPDATE imports SET last_line = ?, rows_loaded = ?, rows_rejected = ? WHERE id = ?",
                [last_line, loaded, rejected, import_id],
            )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    finally:
        if packed:
            _unstage(conn)


def _stage(conn: sqlite3.Connection, parts: list[bytes]) -> None:
    """Attach ``_STAGE`` (an in-memory database, no size cap) holding every row of ``parts``.

    Each part is deserialized into ``_PART`` and copied whole (same table definition: SQLite
    copies the records without decoding them)."""
    _unstage(conn)  # left attached by an interrupted call on this connection
    conn.execute(f"ATTACH ':memory:' AS {_STAGE}")
    conn.execute(f"ATTACH ':memory:' AS {_PART}")
    conn.execute(f"PRAGMA {_STAGE}.page_size = {PACKED_PAGE_BYTES}")
    conn.execute(f"PRAGMA {_STAGE}.journal_mode = OFF")
    conn.execute(_PACKED_TABLE.format(f"{_STAGE}."))
    for part in parts:
        conn.deserialize(part, name=_PART)
        conn.execute(f"INSERT INTO {_STAGE}.claims SELECT * FROM {_PART}.claims")
    conn.execute(f"DETACH {_PART}")


def _unstage(conn: sqlite3.Connection) -> None:
    attached = {r[1] for r in conn.execute("PRAGMA database_list")}
    for name in (_PART, _STAGE):
        if name in attached:
            conn.execute(f"DETACH {name}")


def _retry_ref_collisions(
    conn: sqlite3.Connection, import_id: int, rows: list[Sequence[Any]], new_ref: Callable[[], str]
) -> None:
    """Insert again, with fresh references, the rows of ``rows`` whose line is not stored."""
    lines = [row[4] for row in rows]
    for _attempt in range(8):
        stored = {
            r[0]
            for r in conn.execute(
                "SELECT source_line FROM submissions WHERE import_id = ?"
                " AND source_line BETWEEN ? AND ?",
                [import_id, min(lines), max(lines)],
            )
        }
        missing = [(new_ref(), *row[1:]) for row in rows if row[4] not in stored]
        if not missing:
            return
        conn.executemany(_INSERT_CLAIM, missing)
        rows, lines = missing, [row[4] for row in missing]
    raise RuntimeError("could not allocate unique claim references")


def finish_import(db: sqlite_utils.Database, import_id: int) -> None:
    """Mark an import complete (re-running the file is then a no-op)."""
    db.execute(
        "UPDATE imports SET status = 'complete', finished_at = ? WHERE id = ?", [now(), import_id]
    )


def mark_replaced(db: sqlite_utils.Database, kind: str, *, except_id: int) -> int:
    """Mark every other import of ``kind`` replaced; returns how many."""
    cur = db.execute(
        "UPDATE imports SET status = 'replaced'"
        " WHERE kind = ? AND id != ? AND status != 'replaced'",
        [kind, except_id],
    )
    return cur.rowcount


def other_live_imports(db: sqlite_utils.Database, kind: str, import_id: int) -> int:
    """How many other imports of ``kind`` still have rows in the store."""
    return db.execute(
        "SELECT count(*) FROM imports WHERE kind = ? AND id != ? AND status != 'replaced'",
        [kind, import_id],
    ).fetchone()[0]


def list_imports(db: sqlite_utils.Database, kind: str | None = None) -> list[dict[str, Any]]:
    """Imports newest first (ids, file names, counts, status: no personal data)."""
    sql, params = "SELECT * FROM imports", []
    if kind:
        sql, params = sql + " WHERE kind = ?", [kind]
    return list(db.query(sql + " ORDER BY id DESC", params))
