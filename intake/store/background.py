"""Work on a connection of its own, in a thread, while the caller's connection goes on.

Why: a batch match at a million submissions has long SQLite steps (index builds, the pairs
write) that release the GIL, beside long CPU steps of its own that need no database (framing,
clustering); running the first in a thread overlaps the two on a 2-core machine. SQLite
connections are not shared between threads here: the job opens its own, on the same file
(WAL: the caller may keep reading; the job and the caller never write at once, as callers
wait for the job before their next write).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, suppress
from typing import Any, Protocol, TypeVar

import sqlite_utils

from . import connect, database_file


class Waitable(Protocol):
    """Anything with a blocking ``wait()`` (a job, or a wrapper around an optional one)."""

    def wait(self) -> Any: ...


Job = TypeVar("Job", bound=Waitable)


class BackgroundJob:
    """``work(db2)`` with ``db2`` a new connection to ``db``'s file, in a thread named
    ``name``; on an in-memory database (no second connection can see it) or inside an open
    transaction of ``db`` (the job's write would wait on it for good) it runs at once, here,
    on ``db`` itself. ``wait()`` joins and returns its result or re-raises its error."""

    def __init__(
        self,
        db: sqlite_utils.Database,
        work: Callable[[sqlite_utils.Database], Any],
        name: str,
        *,
        autocheckpoint: int | None = None,
    ) -> None:
        self.result: Any = None
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None
        path = database_file(db)
        if not path or db.conn.in_transaction:
            self.result = work(db)
            return
        self._thread = threading.Thread(
            target=self._run, args=(path, work, autocheckpoint), name=name, daemon=True
        )
        self._thread.start()

    def _run(
        self, path: str, work: Callable[[sqlite_utils.Database], Any], autocheckpoint: int | None
    ) -> None:
        try:
            db = connect(path, migrate_schema=False, autocheckpoint=autocheckpoint)
            try:
                self.result = work(db)
            finally:
                db.conn.close()
        except BaseException as exc:  # handed to the caller by wait()
            self._error = exc

    def wait(self) -> Any:
        """Block until the work is done (committed); re-raise its error, else its result."""
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        if self._error is not None:
            error, self._error = self._error, None
            raise error
        return self.result


def in_background(
    db: sqlite_utils.Database,
    work: Callable[[sqlite_utils.Database], Any],
    name: str,
    *,
    autocheckpoint: int | None = None,
) -> AbstractContextManager[BackgroundJob]:
    """A ``BackgroundJob`` for a block, always waited for on exit (``waited_for``);
    ``autocheckpoint``: its connection's ``wal_autocheckpoint`` (None: SQLite's default)."""
    return waited_for(BackgroundJob(db, work, name, autocheckpoint=autocheckpoint))


@contextmanager
def waited_for(job: Job) -> Iterator[Job]:
    """``job`` for a block, always waited for on exit (after an error too, so no thread
    writes after its caller gave up; the job's error then does not hide the block's)."""
    try:
        yield job
    except BaseException:
        with suppress(Exception):  # the block's own error is the one to report
            job.wait()
        raise
    job.wait()
