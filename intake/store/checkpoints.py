"""WAL checkpoints from a thread of their own, off the claim form's path.

SQLite copies the write-ahead log into the database (a checkpoint: ~4 MB written and an fsync)
on whichever commit takes the log past ``wal_autocheckpoint`` pages (1000 by default). On the
claim server that is the per-submit match of every ~60th claimant: 25-30 ms on the build box,
more than the whole match. ``intake serve`` runs a :class:`Checkpointer` instead, and its
request connections keep SQLite's own checkpoint only as a backstop (``BACKSTOP_PAGES``), so
the log stays bounded if the thread ever stops. The thread's open connection also means a
request closing the last connection no longer checkpoints and deletes the log.

The command line, imports and notebooks keep SQLite's default: they are one writer, and a
batch job checkpoints when it is done, except a full batch match's two big writes
(:func:`checkpointing_beside`).
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType

import sqlite_utils

from . import database_file, pragmas

log = logging.getLogger(__name__)

BACKSTOP_PAGES = 16384
"""``wal_autocheckpoint`` of connections while a Checkpointer runs (~64 MB of log)."""


class Checkpointer:
    """Run ``PRAGMA wal_checkpoint(PASSIVE)`` every ``interval`` seconds on its own connection.

    PASSIVE never waits for readers or writers: a commit is not held up by it, and frames a
    reader still needs are left for the next round. Use as a context manager around a server.
    """

    def __init__(self, path: str | Path, *, interval: float = 0.5) -> None:
        self.path = str(path)
        self.interval = interval
        self.last: tuple[int, int, int] | None = None
        """The last round's (busy, frames in the log, frames of it in the database)."""
        self.rounds = 0
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="intake-wal-checkpoint", daemon=True)

    def start(self) -> Checkpointer:
        self._thread.start()
        self._ready.wait(5)  # its connection is open: request connections are never the last
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def __enter__(self) -> Checkpointer:
        return self.start()

    def __exit__(
        self, _t: type[BaseException] | None, _e: BaseException | None, _tb: TracebackType | None
    ) -> None:
        self.stop()

    def _run(self) -> None:
        try:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        except sqlite3.Error as exc:  # the connections' backstop still bounds the log
            log.warning("WAL checkpoint thread cannot open the database (%s)", type(exc).__name__)
            self._ready.set()
            return
        try:
            conn.execute("PRAGMA synchronous=NORMAL")
            self._ready.set()
            while not self._stop.wait(self.interval):
                self.checkpoint(conn)
            self.checkpoint(conn)
        finally:
            conn.close()

    def checkpoint(self, conn: sqlite3.Connection) -> None:
        """One PASSIVE checkpoint; an error is logged by its type only and the loop goes on."""
        try:
            self.last = tuple(conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone())
        except sqlite3.Error as exc:
            log.warning("WAL checkpoint failed (%s)", type(exc).__name__)
        self.rounds += 1


@contextmanager
def checkpointing_beside(db: sqlite_utils.Database, *, interval: float = 0.2) -> Iterator[None]:
    """A block of big writes whose commits do not checkpoint: ``db``'s connection (and any the
    block opens with ``autocheckpoint=0``) leaves the log to a :class:`Checkpointer`, which
    copies each commit into the database beside the next write, and checkpoints once more on
    exit. An in-memory database has no log: the block just runs.

    Why: a full match at a million submissions commits ~200 MB of pairs and then writes the
    persons. SQLite checkpointed on the pairs commit (~1.3 s of copying and an fsync) while the
    persons write, and the other core, waited; here the copy runs beside the persons write.
    The same pages are copied either way, within the block."""
    path = database_file(db)
    if not path:
        yield
        return
    with pragmas(db.conn, wal_autocheckpoint=0), Checkpointer(path, interval=interval):
        yield
