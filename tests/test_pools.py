"""Worker pools end by close + join after a normal exit: ``Pool.terminate()`` can hang for good
(CPython gh-78178), and the suite once hung in it during an import."""

from __future__ import annotations

import csv
from multiprocessing.pool import Pool

import pytest

from intake import store
from intake.importing import import_claims
from intake.pools import fork_pool


def _square(x: int) -> int:
    return x * x


@pytest.fixture
def terminations(monkeypatch):
    calls = []
    real = Pool.terminate

    def recording(self):
        calls.append(self)
        return real(self)

    monkeypatch.setattr(Pool, "terminate", recording)
    return calls


def test_a_pool_that_finished_is_closed_and_joined_not_terminated(terminations):
    with fork_pool(2) as pool:
        assert pool.map(_square, range(10)) == [x * x for x in range(10)]
        workers = list(pool._pool)
    assert terminations == []
    assert workers and not any(p.is_alive() for p in workers)
    assert all(p.exitcode == 0 for p in workers)  # they read the stop sentinel and exited


def test_an_error_still_terminates_the_pool(terminations):
    with pytest.raises(ValueError), fork_pool(2) as pool:
        pool.apply_async(_square, (3,)).get()
        raise ValueError("the caller failed")
    assert terminations == [pool]
    assert not any(p.is_alive() for p in pool._pool)


def test_an_import_with_workers_never_terminates_its_pool(tmp_path, terminations, monkeypatch):
    monkeypatch.setattr("intake.claim_rows.RANGE_BYTES", 200)  # many ranges, both workers busy
    path = tmp_path / "claims.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["ref", "name", "email", "phone", "birth_date"])
        for i in range(300):
            w.writerow(
                [f"R-{i}", f"김민준{i}", f"u{i}@naver.com", f"010-1234-{i:04d}", "1985-03-14"]
            )
    db = store.connect(tmp_path / "s.db")
    report = import_claims(db, path, workers=2)
    assert report.loaded == 300
    assert terminations == []
