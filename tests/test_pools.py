"""Forked worker pools stop without hanging, whatever is in flight (the suite once hung in
``multiprocessing.Pool.terminate()`` during a killed import: CPython gh-78178)."""

from __future__ import annotations

import multiprocessing
import os
import threading

import pytest

from intake.pools import ForkPool, fork_pool

BIG = 4 * 2**20  # a result far bigger than a pipe's buffer


def _square(x: int) -> int:
    return x * x


def _big(i: int) -> bytes:
    return bytes([i % 256]) * BIG


def _pid(_: int) -> int:
    return os.getpid()


def _bounded(fn, seconds: float = 60) -> None:
    """Run ``fn`` in a thread; fail (rather than hang the suite) if it has not returned."""
    errors: list[BaseException] = []

    def run() -> None:
        try:
            fn()
        except BaseException as exc:  # handed to the test
            errors.append(exc)

    t = threading.Thread(target=run, daemon=True)
    t.start()
    t.join(seconds)
    assert not t.is_alive(), "the pool did not stop"
    if errors:
        raise errors[0]


def test_results_come_back_in_order_and_the_workers_exit():
    with fork_pool(2) as pool:
        assert pool.map(_square, range(10)) == [x * x for x in range(10)]
        assert pool.apply_async(_square, (7,)).get() == 49
        pids = set(pool.map(_pid, range(8)))
    assert os.getpid() not in pids  # the work ran in other processes
    assert multiprocessing.active_children() == []


def test_stopping_with_big_results_in_flight_does_not_hang():
    """The consumer fails while both workers hold results bigger than a pipe buffer (as a
    killed import leaves 1 MB ranges in flight): the pool stops within a bound and leaves no
    worker behind."""

    def consume_then_fail() -> None:
        with pytest.raises(KeyboardInterrupt), fork_pool(2) as pool:
            pending = [pool.apply_async(_big, (i,)) for i in range(6)]
            assert pending[0].get() == _big(0)
            raise KeyboardInterrupt("killed mid-import")

    for _ in range(3):
        _bounded(consume_then_fail)
    assert multiprocessing.active_children() == []


def test_a_worker_error_reaches_the_caller_and_the_pool_stops():
    def fail() -> None:
        with fork_pool(2) as pool:
            pool.apply_async(int, ("not a number",)).get()

    with pytest.raises(ValueError, match="not a number"):
        _bounded(fail)
    assert multiprocessing.active_children() == []


def test_a_pool_outside_a_with_block_finishes_or_stops():
    pool = ForkPool(1)
    assert pool.apply_async(_square, (3,)).get() == 9
    pool.finish()
    other = ForkPool(1)
    other.apply_async(_big, (1,))
    _bounded(other.stop)
    assert multiprocessing.active_children() == []
