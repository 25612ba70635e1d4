"""A full run writes its pairs on a connection of its own while it clusters
(``store.background``): same stored pairs and persons as writing them first, an error on
either side reported, and no thread left writing after ``run_match`` returns or raises."""

from __future__ import annotations

import sqlite3
import threading
from contextlib import contextmanager

import pytest
import sqlite_utils
from match_helpers import write_claims_csv

from intake import store
from intake.importing import import_claims
from intake.match import pipeline
from intake.match.pipeline import run_match
from intake.store import matches as store_matches
from intake.store.background import BackgroundJob


@pytest.fixture(scope="module")
def claims_csv(tmp_path_factory):
    return write_claims_csv(tmp_path_factory.mktemp("claims") / "claims.csv", 300, seed=5)


def _stored(db) -> tuple[list, list]:
    by_ref = dict(db.execute("SELECT id, source_ref FROM submissions").fetchall())
    pairs = sorted(
        (by_ref[a], by_ref[b], round(p, 9), band, expl, rule)
        for a, b, p, band, expl, rule in db.execute(
            "SELECT id_l, id_r, probability, band, explanation, rule FROM pairs"
            " WHERE kind = 'dedup'"
        )
    )
    groups: dict[str, set] = {}
    for ref, person, matched in db.execute(
        "SELECT source_ref, person_id, matched_at IS NOT NULL FROM submissions_with_matches"
    ):
        assert person and matched
        groups.setdefault(person, set()).add(ref)
    persons = sorted(sorted(g) for g in groups.values())  # claim refs differ between imports
    return pairs, persons


def _imported(tmp_path, name, claims_csv):
    db = store.connect(tmp_path / name)
    import_claims(db, claims_csv, workers=0)
    return db


def test_full_run_writes_pairs_on_their_own_thread_with_the_same_results(
    tmp_path, claims_csv, monkeypatch
):
    inline = _imported(tmp_path, "inline.db", claims_csv)
    threaded = _imported(tmp_path, "threaded.db", claims_csv)
    seen = []
    real = store_matches.write_pairs

    def spy(db, rows, **kw):
        seen.append((threading.current_thread().name, db.conn))
        return real(db, rows, **kw)

    monkeypatch.setattr(store_matches, "write_pairs", spy)
    report = run_match(threaded, full=True)
    ((name, conn),) = seen
    assert name == "intake-pairs-write" and conn is not threaded.conn  # its own connection
    assert report.auto_links > 0 and {"cluster", "write_pairs"} <= set(report.stages)

    seen.clear()
    monkeypatch.setattr(pipeline, "in_background", _run_first)
    run_match(inline, full=True)
    assert seen == [(threading.current_thread().name, inline.conn)]
    assert _stored(threaded) == _stored(inline)
    assert not any(t.name == "intake-pairs-write" for t in threading.enumerate())


@contextmanager
def _run_first(db, work, name, **_):
    """``in_background`` with the work done first, on the caller's thread (the old order)."""
    work(db)
    yield None


def test_a_failed_pairs_write_fails_the_run_and_writes_no_persons(
    tmp_path, claims_csv, monkeypatch
):
    db = _imported(tmp_path, "s.db", claims_csv)

    def broken(conn, rows, **kw):
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(store_matches, "write_pairs", broken)
    with pytest.raises(sqlite3.OperationalError, match="disk I/O error"):
        run_match(db, full=True)
    assert db.execute("SELECT count(*) FROM match_results").fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM pairs").fetchone()[0] == 0


def test_a_failed_clustering_still_waits_for_the_pairs_write(tmp_path, claims_csv, monkeypatch):
    db = _imported(tmp_path, "s.db", claims_csv)
    real = store_matches.write_pairs
    finished = []

    def slow(conn, rows, **kw):
        out = real(conn, rows, **kw)
        finished.append(True)
        return out

    def fail(*a, **k):
        raise RuntimeError("clustering failed")

    monkeypatch.setattr(store_matches, "write_pairs", slow)
    monkeypatch.setattr(pipeline, "full_run_persons", fail)
    with pytest.raises(RuntimeError, match="clustering failed"):
        run_match(db, full=True)
    assert finished == [True]  # joined before the error left run_match
    assert not any(t.name == "intake-pairs-write" for t in threading.enumerate())
    assert db.execute("SELECT count(*) FROM match_results").fetchone()[0] == 0


def test_job_runs_on_its_own_connection_and_returns_its_result(tmp_path):
    db = store.connect(tmp_path / "s.db")
    job = BackgroundJob(db, lambda d: (d.conn is not db.conn, threading.current_thread().name), "j")
    assert job.wait() == (True, "j")
    assert job.wait() == (True, "j")  # waiting again gives the same result


def test_job_reraises_its_error_in_the_caller(tmp_path):
    db = store.connect(tmp_path / "s.db")
    job = BackgroundJob(db, lambda d: d.execute("SELECT * FROM no_such_table"), "j")
    with pytest.raises(sqlite3.OperationalError, match="no_such_table"):
        job.wait()


def test_job_runs_inline_in_memory_and_inside_an_open_transaction(tmp_path):
    memory = sqlite_utils.Database(sqlite3.connect(":memory:", isolation_level=None))
    job = BackgroundJob(memory, lambda d: (d is memory, threading.current_thread().name), "j")
    assert job.wait() == (True, threading.current_thread().name)

    db = store.connect(tmp_path / "s.db")
    db.execute("BEGIN IMMEDIATE")
    job = BackgroundJob(db, lambda d: d is db, "j")  # a second writer would wait for good
    assert job.wait() is True
    db.execute("ROLLBACK")


def test_a_full_runs_writes_leave_the_log_to_a_checkpoint_thread(tmp_path, claims_csv, monkeypatch):
    """The pairs commit and the persons commit do not checkpoint (``wal_autocheckpoint`` 0 on
    both connections) while a checkpoint thread copies the log beside them; afterwards the
    main connection checkpoints as before and the log is all in the database."""
    db = _imported(tmp_path, "ckpt.db", claims_csv)
    seen = {}
    real_pairs, real_persons = store_matches.write_pairs, store_matches.set_persons_full

    def pairs_spy(to, rows, **kw):
        seen["pairs"] = to.conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0]
        return real_pairs(to, rows, **kw)

    def persons_spy(to, *a, **kw):
        seen["persons"] = to.conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0]
        seen["threads"] = {t.name for t in threading.enumerate()}
        return real_persons(to, *a, **kw)

    monkeypatch.setattr(store_matches, "write_pairs", pairs_spy)
    monkeypatch.setattr(store_matches, "set_persons_full", persons_spy)
    report = run_match(db, full=True)
    assert report.auto_links > 0
    assert seen["pairs"] == 0 and seen["persons"] == 0
    assert "intake-wal-checkpoint" in seen["threads"]
    assert not any(t.name == "intake-wal-checkpoint" for t in threading.enumerate())
    assert db.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 1000  # put back
    busy, log, copied = db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    assert busy == 0 and log == copied  # nothing left that the thread did not copy
