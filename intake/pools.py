"""Forked worker pools that cannot hang when they are stopped early.

Why not ``multiprocessing.Pool``: ``with Pool() as pool`` calls ``terminate()`` on exit, and
``terminate()`` can block for good: it writes a stop sentinel into the result queue under a
lock that a worker holds while it is blocked writing a big result no thread reads any more
(CPython gh-78178, gh-96995, open). The test suite hung exactly so when a killed import (the
consumer raising ``KeyboardInterrupt``) left 1 MB range results in flight.
``concurrent.futures.ProcessPoolExecutor`` keeps reading results in its own thread, marks
itself broken when a worker dies, and on shutdown waits only for the tasks already running.
``ForkPool`` gives it the two ``Pool`` methods the callers use (``apply_async``, ``map``).
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any

AHEAD_PER_WORKER = 8
"""Tasks a streaming caller keeps in flight per worker (the import's ranges and chunks).

Why 8, not 2: the import's writer takes its results in order and commits each batch (100k
rows at a million rows, ~1 s, with the other core free). With 2 per worker the workers ran dry
within ~0.8 s and one core idled through every commit; 8 per worker is ~3 s of parsing, and a
bounded ~25 MB of results waiting (docs/benchmarks/matcher.md, round 10)."""


class AsyncResult:
    """``Pool.apply_async``'s result: ``get()`` waits and returns or re-raises."""

    def __init__(self, future: Future) -> None:
        self._future = future

    def get(self, timeout: float | None = None) -> Any:
        return self._future.result(timeout)


class ForkPool:
    """Worker processes forked from this one (they inherit its memory, nothing is pickled but
    the arguments and results)."""

    def __init__(
        self, workers: int, initializer: Callable | None = None, initargs: tuple = ()
    ) -> None:
        self._executor = ProcessPoolExecutor(
            workers,
            mp_context=multiprocessing.get_context("fork"),
            initializer=initializer,
            initargs=initargs,
        )

    def apply_async(self, fn: Callable, args: tuple = ()) -> AsyncResult:
        return AsyncResult(self._executor.submit(fn, *args))

    def map(self, fn: Callable, items: Iterable, chunksize: int = 1) -> list:
        return list(self._executor.map(fn, items, chunksize=chunksize))

    def finish(self) -> None:
        """Every task is done: let the workers exit and wait for them."""
        self._executor.shutdown(wait=True)

    def stop(self) -> None:
        """Stopped early: drop the queued tasks, wait for the running ones (each is bounded)."""
        self._executor.shutdown(wait=True, cancel_futures=True)


@contextmanager
def fork_pool(
    workers: int, initializer: Callable | None = None, initargs: tuple = ()
) -> Iterator[ForkPool]:
    """A ``ForkPool`` of ``workers`` processes, finished on a normal exit and stopped on an
    exception (including ``GeneratorExit`` of an unfinished generator)."""
    pool = ForkPool(workers, initializer, initargs)
    try:
        yield pool
    except BaseException:
        pool.stop()
        raise
    pool.finish()
