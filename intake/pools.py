"""Forked worker pools that end by closing, not terminating.

Why: ``with multiprocessing.Pool() as pool`` calls ``terminate()`` on exit, and
``terminate()`` can hang for good: its clean-up takes the task queue's lock, which a worker
that is just stopping may hold (CPython gh-78178, gh-73945, both open). The test suite hung
this way once in an import under load. After a normal exit every task is done, so
``close()`` + ``join()`` lets the workers read their stop sentinel and exit by themselves;
``terminate()`` is left for errors and abandoned generators, where waiting is no option.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from multiprocessing.pool import Pool


@contextmanager
def fork_pool(
    workers: int, initializer: Callable | None = None, initargs: tuple = ()
) -> Iterator[Pool]:
    """A fork-context ``Pool`` of ``workers`` processes, closed and joined on a normal exit
    and terminated on an exception (including ``GeneratorExit`` of an unfinished generator)."""
    pool = multiprocessing.get_context("fork").Pool(workers, initializer, initargs)
    try:
        yield pool
    except BaseException:
        pool.terminate()
        raise
    else:
        finish(pool)
    finally:
        pool.join()


def finish(pool: Pool) -> None:
    """End a pool whose tasks are all done: its workers stop after their current task."""
    pool.close()
    pool.join()
