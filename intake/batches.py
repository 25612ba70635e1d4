"""Where import batches come from: in this process, a forked reader process, or a worker pool.

Why a module of its own: ``loading`` turns one input row into one stored row (keys, flags,
rejects); this module only decides which process does that and streams the results as batches
of ``(rows, rejects, last line, lines)``, bounded in memory, in file order, so the writer in
``importing`` can commit each batch with its resume point.
"""

from __future__ import annotations

import fcntl
import gc
import marshal
import multiprocessing
import os
import queue
import signal
import threading
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import Any

from .claim_rows import claim_row_builder
from .imports import Table
from .loading import account_row_builder, key_hasher
from .pools import AHEAD_PER_WORKER, fork_pool
from .refs import new_claim_refs
from .store import now

CHUNK_ROWS = 5_000  # rows per worker task


Batch = tuple[list, list, int, int]  # rows, rejects [(line, reason, cells)], last line, lines


def account_batches(
    table: Table,
    *,
    start_after: int,
    hash_key: Any,
    import_id: int,
    batch_rows: int,
) -> Iterator[Batch]:
    """The list file as batches of ``batch_rows`` accounts rows (plus the rejects among them).

    Each batch ends with the line its resume point may move to; the last batch may be empty."""
    build = account_row_builder(table.mapper(), key_hasher(hash_key), import_id)
    rows: list = []
    rejects: list = []
    last, n = start_after, 0
    append = rows.append
    for line, cells, suspect in table.checked_cells(start_after=start_after):
        row = build(line, cells, suspect)
        if row.__class__ is tuple:
            append(row)
        else:
            rejects.append((line, row, cells))
        last = line
        n += 1
        if len(rows) >= batch_rows:
            yield rows, rejects, last, n
            rows, rejects, n = [], [], 0
            append = rows.append
    yield rows, rejects, last, n


def claim_batches(
    table: Table,
    *,
    start_after: int,
    init_args: tuple,
    workers: int | None,
    batch_rows: int,
    lines: int | None = None,
) -> Iterator[Batch]:
    """Claims rows (CLAIM_COLUMNS tuples, ref and import_id filled in) in batches.

    ``init_args`` is ``(kind, hash_key, import_id, header, source)``. The rows of a chunk of
    CHUNK_ROWS input rows are built in this process or, with ``workers`` >= 1, in that many
    forked processes (:func:`use_claim_workers`), in file order either way."""
    _, _, import_id, header, source = init_args
    chunks = _chunks(table.checked_cells(start_after=start_after), CHUNK_ROWS)
    init = (table.mapper(), header, source, import_id)
    if use_claim_workers(workers, lines):
        results = _in_pool(chunks, init, workers or 2)
    else:
        _init_claims(*init)
        results = map(_claim_chunk, chunks)
    rows: list = []
    rejects: list = []
    last, n = start_after, 0
    for chunk_rows, chunk_rejects, chunk_last, chunk_n in results:
        rows += chunk_rows
        rejects += chunk_rejects
        last = chunk_last
        n += chunk_n
        if len(rows) >= batch_rows:
            yield rows, rejects, last, n
            rows, rejects, n = [], [], 0
    yield rows, rejects, last, n


def use_claim_workers(workers: int | None, lines: int | None = None) -> bool:
    """Build claims rows in worker processes? ``workers`` >= 1: yes; 0: no; None (the
    default): when this machine has at least 2 cores and the file has at least
    CLAIM_WORKERS_MIN_LINES lines (``lines``; forking costs more than a small file).

    Why by default (unlike the account lists): a claim row costs ~4x an account row to
    prepare (its address is parsed, its raw cells are kept), so the workers take more than
    half of the work off the writing process; measured in docs/benchmarks/matcher.md."""
    if workers is None:
        big = lines is None or lines >= CLAIM_WORKERS_MIN_LINES
        return big and (os.cpu_count() or 1) >= 2
    return workers > 0


CLAIM_WORKERS_MIN_LINES = 20_000


_CLAIMS: dict[str, Any] = {}


def _init_claims(mapper: Any, header: list, source: str, import_id: int) -> None:
    _CLAIMS["build"] = claim_row_builder(mapper, header, source, import_id)


def _claim_chunk(chunk: list[tuple[int, list[str], bool]]) -> Batch:
    """(rows, rejects, last line, lines) of one chunk of (line, cells, suspect)."""
    build = _CLAIMS["build"]
    stamp = now()  # one submitted_at per chunk: the same second for every row in practice
    refs = new_claim_refs(len(chunk))
    rows: list = []
    rejects: list = []
    append = rows.append
    for (line, cells, suspect), ref in zip(chunk, refs, strict=True):
        row = build(line, cells, suspect, ref, stamp)
        if row.__class__ is tuple:
            append(row)
        else:
            rejects.append((line, row, cells))
    return rows, rejects, chunk[-1][0], len(chunk)


def _claim_chunk_marshalled(chunk: list) -> bytes:
    # marshal: a third of pickle's cost to write, three quarters of it to read (rows are
    # tuples of str/int/None)
    return marshal.dumps(_claim_chunk(chunk))


def _in_pool(chunks: Iterator[list], init: tuple, workers: int) -> Iterator[Batch]:
    """``map(_claim_chunk, chunks)`` over a forked pool, ``AHEAD_PER_WORKER`` chunks per worker
    in flight."""
    with fork_pool(workers, _init_claims, init) as pool:
        pending: deque = deque()  # bounded: memory stays constant however big the file
        for chunk in chunks:
            pending.append(pool.apply_async(_claim_chunk_marshalled, (chunk,)))
            if len(pending) >= AHEAD_PER_WORKER * workers:
                yield marshal.loads(pending.popleft().get())
        while pending:
            yield marshal.loads(pending.popleft().get())


@contextmanager
def no_gc_pauses() -> Iterator[Callable[[int], None]]:
    """The cyclic GC off while rows stream through; yields ``done(n)`` to call per n rows.

    Why: every row allocates tuples and lists, so the collector ran thousands of times per
    batch, each time walking the batch of 100k rows still held (measured ~10% of the import).
    Rows make no reference cycles (a 20k-row run of every slow path left none), so ``done``
    collects the young generations only once per million rows, as a safety net."""
    was = gc.isenabled()
    gc.disable()
    seen = [0]

    def done(n: int) -> None:
        seen[0] += n
        if seen[0] >= GC_EVERY_ROWS:
            seen[0] = 0
            gc.collect(1)

    try:
        yield done
    finally:
        if was:
            gc.enable()


GC_EVERY_ROWS = 1_000_000


def _produce(
    conn: Any, other_end: Any, factory: Callable[..., Iterator[Batch]], kwargs: dict
) -> None:
    # Our copy of the reading end must go, or a killed writer would leave us blocked on a full
    # pipe forever instead of failing with a broken pipe.
    other_end.close()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C: the writer stops, then ends us
    try:
        with no_gc_pauses() as done:
            for batch in factory(**kwargs):
                conn.send_bytes(marshal.dumps(batch))
                done(batch[3])
            conn.send_bytes(marshal.dumps(None))
    except BrokenPipeError:
        pass  # the writer is gone (killed): so are we
    except BaseException as exc:  # the writer re-raises it; the message names no PII
        with suppress(OSError):
            conn.send_bytes(marshal.dumps(("error", f"{type(exc).__name__}: {exc}")))
    finally:
        conn.close()


READER_MESSAGE_ROWS = 10_000  # rows per message from the reader process


def use_reader_process(workers: int | None) -> bool:
    """Read in a separate process? ``workers`` >= 1: yes; 0 or None (the default): no.

    Why not by default: the writer alone does ~75% of the one-process work (the inserts and the
    index build), so the reader can save at most a quarter, and on this shared 2-core box it was
    never faster in any measurement (2M rows, load 1.3-1.8: 38.1 s wall / 45.5 s CPU against
    36.4 s / 35.7 s in one process; docs/benchmarks/accounts.md). It stays available for a
    machine with idle cores; ``scripts/bench_import.py --only ours1,ours2`` compares the two."""
    return bool(workers and workers > 0)


def in_reader_process(factory: Callable[..., Iterator[Batch]], **kwargs: Any) -> Iterator[Batch]:
    """The batches of ``factory(**kwargs)``, computed in a forked reader process.

    Why: on two cores, reading + normalising (the reader) and inserting (this process) overlap.
    At most READER_QUEUE_MESSAGES messages wait here, so memory stays constant; if this side
    stops (an error, a kill), the reader is ended with it and nothing is committed that was not
    inserted here.
    Batches travel as ``marshal`` data (rows are tuples of str/int/None): a third of pickle's
    cost to write and three quarters of it to read.
    """
    ctx = multiprocessing.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)
    with suppress(OSError):  # a 1 MB pipe: fewer wake-ups per batch (Linux; optional)
        fcntl.fcntl(send.fileno(), getattr(fcntl, "F_SETPIPE_SZ", 1031), 1 << 20)
    proc = ctx.Process(target=_produce, args=(send, receive, factory, kwargs), daemon=True)
    proc.start()
    send.close()
    # A thread empties the pipe into a bounded queue while this thread inserts (sqlite3 lets go
    # of the GIL while it steps), so the reader is not stalled on a full pipe during a commit.
    messages: queue.Queue = queue.Queue(maxsize=READER_QUEUE_MESSAGES)
    stop = threading.Event()

    def pump() -> None:
        while not stop.is_set():
            try:
                data: Any = receive.recv_bytes()
            except (EOFError, OSError) as exc:
                data = exc
            while not stop.is_set():
                try:
                    messages.put(data, timeout=0.1)
                    break
                except queue.Full:
                    continue
            if data == _END or isinstance(data, BaseException):
                return

    pumper = threading.Thread(target=pump, name="intake-import-pipe", daemon=True)
    pumper.start()
    try:
        while True:
            data = messages.get()
            if isinstance(data, BaseException):
                raise RuntimeError("the reader process ended unexpectedly") from data
            batch = marshal.loads(data)
            if batch is None:
                break
            if batch[0] == "error":
                raise RuntimeError(f"reading the file failed: {batch[1]}")
            yield batch
        proc.join()
    finally:
        stop.set()
        if proc.is_alive():
            proc.terminate()  # its end of the pipe closes: the pump's read ends too
            proc.join()
        pumper.join(timeout=5)
        receive.close()


_END = marshal.dumps(None)
READER_QUEUE_MESSAGES = 16  # ~160k rows (~30 MB) received ahead of the inserts at most


def _chunks(rows: Iterator, size: int) -> Iterator[list]:
    chunk = []
    for item in rows:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
