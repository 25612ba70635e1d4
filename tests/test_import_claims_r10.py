"""Round 10 of the claims import's speed work: the workers keep parsing while the writer commits.

The writer takes range results in file order and commits every ``batch_rows``; with two ranges
per worker in flight the workers ran dry during each commit. ``claim_rows._parsed`` now keeps
``pools.AHEAD_PER_WORKER`` ranges per worker in flight, and a cut inside a quoted cell re-parses
only the two ranges it joins instead of every range in flight (the equality of the stored rows
with the one-process import at many cut sizes is ``test_import_claims_r4``)."""

from __future__ import annotations

import csv
import io
from contextlib import contextmanager

import pytest

from intake import claim_rows, importing, store
from intake.claim_rows import file_ranges
from intake.importing import MIN_BATCH_ROWS, claims_batch_rows
from intake.imports import open_table
from intake.loading import BATCH_ROWS
from intake.pools import AHEAD_PER_WORKER
from tests.test_import_claims_r4 import CASES


class _LazyPool:
    """A stand-in for the forked pool: a task runs in this process when its result is asked
    for, and the pool records every submission and every ``get``."""

    def __init__(self) -> None:
        self.events: list[tuple[str, tuple]] = []

    def apply_async(self, fn, args):
        self.events.append(("submit", args[0]))
        pool = self

        class Result:
            def get(self):
                pool.events.append(("get", args[0]))
                return fn(*args)

        return Result()


def _csv(rows: list[list[str]]) -> bytes:
    buf = io.StringIO(newline="")
    header = ["ref", "이름", "이메일", "휴대폰", "주소", "우편번호", "생년월일"]
    csv.writer(buf).writerows([header, *rows])
    return buf.getvalue().encode()


def _run(tmp_path, monkeypatch, data: bytes, range_bytes: int, workers: int = 2):
    """(the lazy pool's events, the file's ranges, how many results ``_parsed`` yielded)."""
    path = tmp_path / "c.csv"
    path.write_bytes(data)
    table = open_table(path, kind="claims")
    pool = _LazyPool()

    @contextmanager
    def lazy_pool(n, initializer, initargs):
        initializer(*initargs)
        yield pool

    monkeypatch.setattr(claim_rows, "RANGE_BYTES", range_bytes)
    monkeypatch.setattr(claim_rows, "fork_pool", lazy_pool)
    init = (str(path), "utf-8", ",", 0, table.mapper(), table.header, "x", 1)
    results = list(claim_rows._parsed(path, init, workers))
    return pool.events, list(file_ranges(path, range_bytes)), len(results)


def test_the_workers_have_ahead_per_worker_ranges_in_flight_before_the_writer_takes_one(
    tmp_path, monkeypatch
):
    # one-line rows (no cut inside quotes, so every result is taken), in more tiny ranges than
    # the pool may hold
    data = _csv([[str(i), f"김민준{i}", f"m{i}@naver.com", f"010-1234-{i:04d}", "", "", ""]
                 for i in range(300)])  # fmt: skip
    events, ranges, yielded = _run(tmp_path, monkeypatch, data, range_bytes=40, workers=2)
    assert yielded == len(ranges)
    assert len(ranges) > 2 * AHEAD_PER_WORKER
    first_get = next(i for i, (kind, _) in enumerate(events) if kind == "get")
    assert first_get == 2 * AHEAD_PER_WORKER  # submitted before the first result is taken
    in_flight = peak = 0
    for kind, _ in events:
        in_flight += 1 if kind == "submit" else -1
        peak = max(peak, in_flight)
    assert peak == 2 * AHEAD_PER_WORKER  # and never more: memory stays bounded


def test_a_cut_inside_quotes_reparses_only_the_ranges_it_joins(tmp_path, monkeypatch):
    events, ranges, yielded = _run(tmp_path, monkeypatch, CASES["lf"], range_bytes=40)
    submitted = [rng for kind, rng in events if kind == "submit"]
    joined = [rng for rng in submitted if rng not in ranges]
    assert joined  # the data has cuts inside quoted cells at this size
    # every range of the file is parsed once; each join adds one parse, and nothing else is
    # parsed again (before, every range in flight was submitted again after each join)
    assert sorted(r for r in submitted if r in ranges) == sorted(ranges)
    assert len(submitted) == len(ranges) + len(joined)
    # each join swallowed the next range, so one result fewer per range joined in
    swallowed = sum(1 for rng in joined for r in ranges if rng[0] < r[0] < rng[1])
    assert yielded == len(ranges) - swallowed


@pytest.mark.parametrize(
    ("lines", "rows"),
    [(0, MIN_BATCH_ROWS), (50_000, MIN_BATCH_ROWS), (112_023, 11_202), (5_000_000, BATCH_ROWS)],
)
def test_a_claims_commit_is_a_tenth_of_the_file_within_bounds(lines, rows):
    assert claims_batch_rows(lines) == rows


def test_a_claims_import_commits_a_tenth_of_its_file_at_a_time(tmp_path, monkeypatch):
    """A 100k-row file used to be one commit of 100k rows that ran after the parsing (~1 s
    alone); it is now ten, each beside the parsing of the next."""
    monkeypatch.setattr(importing, "MIN_BATCH_ROWS", 100)
    monkeypatch.setattr(claim_rows, "RANGE_BYTES", 1000)  # ~20 rows a range
    people = [["", f"김민준{i}", f"m{i}@naver.com", f"010-1234-{i:04d}", "", "", ""]
              for i in range(2000)]  # fmt: skip
    path = tmp_path / "c.csv"
    path.write_bytes(_csv(people))
    sizes = []
    real_commit = importing._commit

    def counting_commit(db, import_id, insert_sql, batch, *rest):
        sizes.append(len(batch))
        return real_commit(db, import_id, insert_sql, batch, *rest)

    monkeypatch.setattr(importing, "_commit", counting_commit)
    rep = importing.import_claims(store.connect(tmp_path / "s.db"), path, workers=2)
    assert rep.loaded == 2000
    assert sum(sizes) == 2000
    # a commit once 200 rows (a tenth) are in, give or take the rows of one range
    assert 9 <= len(sizes) <= 11
    assert all(200 <= n < 240 for n in sizes[:-1]) and sizes[-1] < 240
