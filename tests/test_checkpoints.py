"""WAL checkpoints off the per-submit path: ``intake serve`` checkpoints from a thread of its
own and its request connections only as a backstop (``intake.store.checkpoints``)."""

from __future__ import annotations

import os
import sqlite3
import threading
import time

import pytest
from conftest import make_config

from intake import create_app, store
from intake.cli import main
from intake.db import get_db
from intake.store.checkpoints import BACKSTOP_PAGES, Checkpointer

THREAD = "intake-wal-checkpoint"
PAGES_PER_COMMIT, COMMITS = 100, 30  # 3,000 pages: three of SQLite's default checkpoints


def _write(db, after_each=lambda: None) -> int:
    """Commit ~PAGES_PER_COMMIT pages COMMITS times; the largest the log file grew, in pages."""
    db.execute("CREATE TABLE IF NOT EXISTS filler (b BLOB)")
    page = db.execute("PRAGMA page_size").fetchone()[0]
    wal, largest = f"{db.conn.execute('PRAGMA database_list').fetchone()[2]}-wal", 0
    for _ in range(COMMITS):
        with db.conn:
            db.conn.execute("BEGIN")
            db.conn.executemany(
                "INSERT INTO filler VALUES (randomblob(?))", [(page - 200,)] * PAGES_PER_COMMIT
            )
        after_each()
        largest = max(largest, os.path.getsize(wal) // page)
    return largest


def _caught_up(cp: Checkpointer) -> None:
    """Wait for two rounds of the thread after the last commit, then for a complete one."""
    start, deadline = cp.rounds, time.monotonic() + 10
    while cp.rounds < start + 2 and time.monotonic() < deadline:
        time.sleep(0.005)
    assert cp.rounds >= start + 2, "the checkpoint thread stopped running"


def test_sqlite_default_checkpoints_in_the_writing_connection(tmp_path):
    db = store.connect(tmp_path / "a.db")
    assert _write(db) < 1000 + 2 * PAGES_PER_COMMIT  # restarted after each 1000 pages


def test_backstop_leaves_the_log_to_the_checkpoint_thread(tmp_path):
    path = tmp_path / "a.db"
    alone = store.connect(path, autocheckpoint=BACKSTOP_PAGES)
    assert alone.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == BACKSTOP_PAGES
    assert _write(alone) >= COMMITS * PAGES_PER_COMMIT  # the writer itself never checkpointed
    alone.conn.close()

    path = tmp_path / "b.db"
    db = store.connect(path, autocheckpoint=BACKSTOP_PAGES)
    with Checkpointer(path, interval=0.005) as cp:
        largest = _write(db, after_each=lambda: _caught_up(cp))
        busy, frames, done = cp.last
    assert not cp.running
    assert busy == 0 and frames == done > 0  # every frame of the log is in the database
    assert largest < 3 * PAGES_PER_COMMIT  # restarted after each commit, not grown to 3,000
    assert db.execute("SELECT count(*) FROM filler").fetchone()[0] == COMMITS * PAGES_PER_COMMIT


def test_checkpoint_errors_are_logged_by_type_and_the_thread_goes_on(tmp_path, caplog):
    cp = Checkpointer(tmp_path / "a.db")
    store.connect(tmp_path / "a.db").conn.close()

    class Broken:
        def execute(self, _sql):
            raise sqlite3.OperationalError("disk I/O error on /secret/path")

    cp.checkpoint(Broken())
    assert cp.rounds == 1 and cp.last is None
    assert "WAL checkpoint failed (OperationalError)" in caplog.text
    assert "/secret/path" not in caplog.text


@pytest.mark.parametrize("pages", [None, BACKSTOP_PAGES])
def test_request_connections_take_the_configured_backstop(tmp_path, pages):
    app = create_app(make_config(tmp_path, WAL_AUTOCHECKPOINT=pages))
    with app.test_request_context("/"):
        got = get_db().execute("PRAGMA wal_autocheckpoint").fetchone()[0]
    assert got == (pages or 1000)


def test_serve_runs_the_checkpoint_thread_around_waitress(tmp_path, monkeypatch):
    seen = {}

    def fake_serve(app, **_kwargs):
        seen["backstop"] = app.config["WAL_AUTOCHECKPOINT"]
        seen["thread"] = [t.name for t in threading.enumerate() if t.name == THREAD]

    monkeypatch.setattr("waitress.serve", fake_serve)
    from click.testing import CliRunner

    result = CliRunner().invoke(main, ["--db", str(tmp_path / "a.db"), "serve", "--dev"])
    assert result.exit_code == 0, result.output
    assert seen == {"backstop": BACKSTOP_PAGES, "thread": [THREAD]}
    assert not [t for t in threading.enumerate() if t.name == THREAD]

    monkeypatch.setenv("INTAKE_WAL_AUTOCHECKPOINT", "4000")  # an operator's setting wins
    result = CliRunner().invoke(main, ["--db", str(tmp_path / "a.db"), "serve", "--dev"])
    assert result.exit_code == 0, result.output
    assert seen == {"backstop": 4000, "thread": [THREAD]}

    monkeypatch.setenv("INTAKE_WAL_AUTOCHECKPOINT", "0")  # 0 (never) is a setting too
    result = CliRunner().invoke(main, ["--db", str(tmp_path / "a.db"), "serve", "--dev"])
    assert result.exit_code == 0, result.output
    assert seen == {"backstop": 0, "thread": [THREAD]}


def test_a_database_it_cannot_open_ends_the_thread_with_a_warning(tmp_path, caplog):
    started = time.monotonic()
    with Checkpointer(tmp_path / "missing-dir" / "a.db", interval=0.01) as cp:
        cp._thread.join(5)
        assert not cp.running
    assert time.monotonic() - started < 4  # start() did not wait out its 5 s for the thread
    assert "WAL checkpoint thread cannot open the database (OperationalError)" in caplog.text
    assert "missing-dir" not in caplog.text


def test_sigterm_stops_serve_after_a_last_checkpoint(tmp_path):
    """systemd and docker stop the server with SIGTERM: it exits 0, and the last connection
    (the checkpoint thread's) folds the log into the database, so no -wal file is left."""
    import signal
    import socket
    import subprocess
    import sys
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    db = tmp_path / "a.db"
    server = subprocess.Popen(
        [sys.executable, "-c", "from intake.cli import main; main()", "--db", str(db),
         "serve", "--dev", "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as r:
                    assert r.status == 200
                break
            except OSError:
                assert time.monotonic() < deadline and server.poll() is None, "did not start"
                time.sleep(0.1)
        assert os.path.exists(f"{db}-wal")  # the checkpoint thread holds its connection
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=20)
    finally:
        if server.poll() is None:
            server.kill()
    assert server.returncode == 0, output
    assert "intake stopped" in output and "Traceback" not in output
    assert not os.path.exists(f"{db}-wal")


def test_checkpointing_beside_copies_each_commit_of_the_block_and_puts_the_setting_back(
    tmp_path,
):
    from intake.store.checkpoints import checkpointing_beside

    db = store.connect(tmp_path / "c.db")
    db.execute("CREATE TABLE big (v TEXT)")
    with checkpointing_beside(db, interval=0.05):
        assert db.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0
        with db.conn:
            db.conn.executemany("INSERT INTO big VALUES (?)", [("x" * 500,)] * 20_000)
    assert db.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 1000
    busy, log, copied = db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    # ~2,500 pages, committed with the connection's own checkpoint off: the thread copied them
    assert busy == 0 and log == copied and log > 1000


def test_checkpointing_beside_an_in_memory_database_just_runs_the_block():
    from intake.store.checkpoints import checkpointing_beside

    db = store.connect(":memory:")
    with checkpointing_beside(db):
        db.execute("CREATE TABLE t (v)")
    assert db.execute("SELECT count(*) FROM t").fetchone()[0] == 0
