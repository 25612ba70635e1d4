"""A big import can leave its indexes to the match that follows (``import-claims --match``):
the match builds them on a connection of its own in a thread and waits before it writes.
Results, stored indexes and a killed build must be exactly as with the import's own builds."""

from __future__ import annotations

import os
import shutil
import threading
from contextlib import contextmanager

import pytest
from click.testing import CliRunner
from match_helpers import write_claims_csv

from intake import store
from intake.cli import main
from intake.importing import import_claims
from intake.match import pipeline
from intake.match.pipeline import run_match
from intake.store import index_builds, submissions


@pytest.fixture(scope="module")
def claims_csv(tmp_path_factory):
    return write_claims_csv(tmp_path_factory.mktemp("claims") / "claims.csv", 400, seed=8)


def _indexes(db) -> list[tuple]:
    return db.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name"
    ).fetchall()


def _results(db) -> tuple[list, list]:
    persons = db.execute(
        "SELECT source_ref, person_id IS NOT NULL, person_id = 'P-' || substr(ref, 4, 4)"
        " || substr(ref, 9, 4) FROM submissions_with_matches ORDER BY id"
    ).fetchall()
    by_ref = dict(db.execute("SELECT id, source_ref FROM submissions").fetchall())
    pairs = sorted(
        (by_ref[a], by_ref[b], round(p, 9), band, rule)
        for a, b, p, band, rule in db.execute(
            "SELECT id_l, id_r, probability, band, rule FROM pairs WHERE kind = 'dedup'"
        )
    )
    return persons, pairs


def test_deferred_import_then_match_equals_import_built_indexes(tmp_path, claims_csv, monkeypatch):
    usual = store.connect(tmp_path / "usual.db")
    import_claims(usual, claims_csv, workers=0)
    built_by_import = _indexes(usual)
    run_match(usual, full=True)

    db = store.connect(tmp_path / "deferred.db")
    import_claims(db, claims_csv, workers=0, defer_indexes=True)
    left = {r[0] for r in db.execute("SELECT name FROM deferred_indexes")}
    assert "submissions_k_email" in left and "submissions_k_name" in left
    assert not {n for n, _ in _indexes(db)} & left  # not built by the import
    seen = []
    real = index_builds.restore_indexes
    monkeypatch.setattr(
        index_builds,
        "restore_indexes",
        lambda d, **kw: seen.append(threading.current_thread().name) or real(d, **kw),
    )
    report = run_match(db, full=True)
    assert seen == ["intake-index-builds"]  # on the builder thread, not the caller's
    assert "indexes" in report.stages
    assert db.execute("SELECT count(*) FROM deferred_indexes").fetchone()[0] == 0
    assert _indexes(db) == built_by_import
    assert _results(db) == _results(usual)


def test_nothing_deferred_starts_no_thread(tmp_path, claims_csv):
    db = store.connect(tmp_path / "s.db")
    import_claims(db, claims_csv, workers=0)
    builds = index_builds.BackgroundIndexes(db)
    assert builds._job is None and builds.wait() == 0


def test_a_failed_build_is_reported_and_kept_for_the_next_run(tmp_path, claims_csv):
    db = store.connect(tmp_path / "s.db")
    import_claims(db, claims_csv, workers=0, defer_indexes=True)
    db.execute(
        "INSERT INTO deferred_indexes (name, sql) VALUES ('zz_broken', 'CREATE INDEX zz_broken"
        " ON submissions(no_such_column)')"
    )
    with pytest.raises(Exception, match="no_such_column"):
        run_match(db, full=True)
    # the build rolled back as one transaction: every statement is still recorded
    assert db.execute("SELECT count(*) FROM deferred_indexes").fetchone()[0] > 1
    db.execute("DELETE FROM deferred_indexes WHERE name = 'zz_broken'")
    run_match(db, full=True)
    assert db.execute("SELECT count(*) FROM deferred_indexes").fetchone()[0] == 0
    assert "submissions_k_email" in {n for n, _ in _indexes(db)}


def test_an_error_in_the_match_still_waits_for_the_builds(tmp_path, claims_csv, monkeypatch):
    db = store.connect(tmp_path / "s.db")
    import_claims(db, claims_csv, workers=0, defer_indexes=True)

    def fail(*a, **k):
        raise RuntimeError("scoring failed")

    monkeypatch.setattr("intake.match.pipeline.score_pairs", fail)
    with pytest.raises(RuntimeError, match="scoring failed"):
        run_match(db, full=True)
    assert not any(t.name == "intake-index-builds" for t in threading.enumerate())
    assert db.execute("SELECT count(*) FROM deferred_indexes").fetchone()[0] == 0


def test_cli_import_claims_match_loads_matches_and_leaves_every_index(tmp_path, claims_csv):
    target = tmp_path / "cli.db"
    src = tmp_path / "claims.csv"
    shutil.copy(claims_csv, src)
    result = CliRunner().invoke(
        main, ["--db", str(target), "import-claims", str(src), "--no-progress", "--match"]
    )
    assert result.exit_code == 0, result.output
    assert "auto-links:" in result.output and "persons:" in result.output
    db = store.connect(target)
    assert db.execute("SELECT count(*) FROM deferred_indexes").fetchone()[0] == 0
    unmatched = "SELECT count(*) FROM submissions_with_matches WHERE matched_at IS NULL"
    assert db.execute(unmatched).fetchone()[0] == 0
    usual = store.connect(tmp_path / "usual.db")
    import_claims(usual, claims_csv, workers=0)
    assert _indexes(db) == _indexes(usual)


def test_builds_beside_the_match_use_no_helper_sorter_thread(tmp_path, claims_csv, monkeypatch):
    """Beside the match, which keeps the other core busy, a helper sorter thread only takes CPU
    from it; an import's own builds (nothing else running) keep theirs."""
    seen = []
    real = submissions.index_build_pragmas

    @contextmanager
    def recording(conn, *args, **kwargs):
        with real(conn, *args, **kwargs):
            threads = conn.execute("PRAGMA threads").fetchone()[0]
            seen.append((threading.current_thread().name, threads))
            yield

    monkeypatch.setattr(submissions, "index_build_pragmas", recording)
    db = store.connect(tmp_path / "deferred.db")
    import_claims(db, claims_csv, workers=0, defer_indexes=True)
    assert seen == []  # left to the match
    run_match(db, full=True)
    assert seen == [("intake-index-builds", 0)]
    assert db.execute("SELECT count(*) FROM deferred_indexes").fetchone()[0] == 0

    seen.clear()
    import_claims(store.connect(tmp_path / "own.db"), claims_csv, workers=0)
    assert [t for _, t in seen] == [min(submissions.SORT_THREADS, os.cpu_count() or 1)]


def test_the_match_writes_nothing_before_the_builds_commit(tmp_path, claims_csv, monkeypatch):
    """The batch run stores its estimated prior with its other writes, after the builds: a
    write while they run waits for their transaction, and the match's core stands idle.

    The builds start only once the prior is stored or after 2 s, whichever comes first: a run
    that stored it early would record it before the builds."""
    events = []
    prior_stored = threading.Event()
    real_build, real_save = index_builds.restore_indexes, pipeline.store.save_model_params

    def build(db, **kwargs):
        prior_stored.wait(timeout=2)
        built = real_build(db, **kwargs)
        events.append("indexes built")
        return built

    def save(db, params):
        events.append("prior stored")
        prior_stored.set()
        return real_save(db, params)

    db = store.connect(tmp_path / "deferred.db")
    import_claims(db, claims_csv, workers=0, defer_indexes=True)
    stale = {"prior_ratio": 7.5}  # an earlier run's estimate: this run's differs
    real_save(db, stale)
    monkeypatch.setattr(index_builds, "restore_indexes", build)
    monkeypatch.setattr(pipeline.store, "save_model_params", save)
    run_match(db, full=True)
    assert events == ["indexes built", "prior stored"]
    assert store.matches.load_model_params(db) != stale  # this run's estimate was stored
