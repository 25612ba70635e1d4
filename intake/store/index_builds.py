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

from contextlib import AbstractContextManager

import sqlite_utils

from . import pragmas
from .background import BackgroundJob, waited_for
from .submissions import restore_indexes

BUILD_MMAP_BYTES = 2_000_000_000
"""Memory-mapped reads while the builds scan the table (as a big import's own builds)."""

BESIDE_MATCH_SORTER_THREADS = 0
"""No SQLite helper sorter thread for these builds. Alone, a helper thread makes a build
faster (11 indexes at a million claims: 18.2 s instead of 21.3 s) for more CPU (26.3 s instead
of 20.1 s); beside the match, which keeps the other core busy, that CPU comes out of the match,
and the builds are done before the match needs them either way."""


class BackgroundIndexes:
    """Builds the deferred indexes of ``db``'s file in a thread, if there are any."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self._job: BackgroundJob | None = None
        if db.conn.execute("SELECT 1 FROM deferred_indexes LIMIT 1").fetchone() is not None:
            self._job = BackgroundJob(db, _build, "intake-index-builds")

    def wait(self) -> int:
        """Block until the builds are committed; re-raise their error. Returns how many."""
        return self._job.wait() if self._job is not None else 0


def _build(db: sqlite_utils.Database) -> int:
    with pragmas(db.conn, mmap_size=BUILD_MMAP_BYTES):
        return restore_indexes(db, sorter_threads=BESIDE_MATCH_SORTER_THREADS)


def indexes_in_background(db: sqlite_utils.Database) -> AbstractContextManager[BackgroundIndexes]:
    """``BackgroundIndexes`` for a block, always waited for on exit (after an error too; a
    build error then does not hide the block's own)."""
    return waited_for(BackgroundIndexes(db))
