"""The submissions indexes a big import deferred, built on a connection of their own while the
batch match that follows goes on.

Why: at a million claims the ~10 key indexes are ~20 s of mostly single-core sorting, and a
batch match reads every row in one scan without them; it needs them only from its first write
on (and the per-submit match and staff search need them afterwards). ``intake import-claims
--match`` leaves them to the match, which builds them in this thread (SQLite releases the GIL
while it sorts) during its read, frame and blocking stages, which keep the other core busy,
and waits for them before it writes. Nothing is lost if the process dies: the statements stay
in ``deferred_indexes`` until the build commits, and the next import or match builds them.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress

import sqlite_utils

from . import connect, pragmas
from .submissions import restore_indexes

BUILD_MMAP_BYTES = 2_000_000_000
"""Memory-mapped reads while the builds scan the table (as a big import's own builds)."""


class BackgroundIndexes:
    """Builds the deferred indexes of ``db``'s file in a thread, if there are any."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.built = 0
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None
        if db.conn.execute("SELECT 1 FROM deferred_indexes LIMIT 1").fetchone() is None:
            return
        path = _main_file(db)
        if not path:  # an in-memory database has no second connection: build them here
            self.built = restore_indexes(db)
            return
        self._thread = threading.Thread(
            target=self._build, args=(path,), name="intake-index-builds", daemon=True
        )
        self._thread.start()

    def _build(self, path: str) -> None:
        try:
            db = connect(path, migrate_schema=False)
            try:
                with pragmas(db.conn, mmap_size=BUILD_MMAP_BYTES):
                    self.built = restore_indexes(db)
            finally:
                db.conn.close()
        except BaseException as exc:  # handed to the caller by wait()
            self._error = exc

    def wait(self) -> int:
        """Block until the builds are committed; re-raise their error. Returns how many."""
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        if self._error is not None:
            error, self._error = self._error, None
            raise error
        return self.built


@contextmanager
def indexes_in_background(db: sqlite_utils.Database) -> Iterator[BackgroundIndexes]:
    """``BackgroundIndexes`` for a block, always waited for on exit (after an error too; a
    build error then does not hide the block's own)."""
    builds = BackgroundIndexes(db)
    try:
        yield builds
    except BaseException:
        with suppress(Exception):  # the block's own error is the one to report
            builds.wait()
        raise
    builds.wait()


def _main_file(db: sqlite_utils.Database) -> str:
    for _, name, file in db.conn.execute("PRAGMA database_list"):
        if name == "main":
            return file or ""
    return ""
