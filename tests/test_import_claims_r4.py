"""Round 4 of the claims import's speed work: the same stored rows, rejects and resume points.

``claim_rows.range_batches`` lets each worker read, decode and parse its own byte range of the
file (the main process no longer parses or pickles cells). A range is parsed as if it started a
record; these tests cut files into tiny ranges so that cuts land inside quoted cells, after
CRs, inside blank lines and so on, and compare everything with the one-process import."""

from __future__ import annotations

import csv
import io
from contextlib import contextmanager
from pathlib import Path

import pytest

from intake import store
from intake.claim_rows import file_ranges
from intake.importing import import_claims

HEADER = ["ref", "이름", "이메일", "휴대폰", "주소", "우편번호", "생년월일"]
ROWS = [
    ["1", "김민준", "minjun@naver.com", "010-1234-5678", "서울 강남구 테헤란로 142", "06236",
     "1985-03-14"],
    ["2", "이서연", "", "01098765432", "부산 해운대구 센텀중앙로 79,\n101동 1203호", "",
     "1990.1.2"],
    ["3", '김"민준', "a@naver.com", "", "", "", ""],  # a stray quote in an unquoted cell
    ["4", "", "", "", "", "", ""],  # an all-empty row: not a row
    ["5", "박지훈", "jh@daum.net", "", '주소 "따옴표" 포함\r\n두 줄', "48058", "850314"],
    ["6", "없음", "test@test.com", "010-0000-0000", "", "", ""],  # a reject
    ["7", "최유나", "", "010 5555 1234", "\n", "", "19851340"],  # a cell that is one line feed
    ["8", "정우성", "ws@gmail.com", "", "대전 유성구 대학로 99\n", "34141", ""],
]  # fmt: skip


def _text(rows: list[list[str]], *, terminator: str = "\n", delimiter: str = ",") -> str:
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator=terminator, delimiter=delimiter)
    w.writerow(HEADER)
    for i, row in enumerate(rows):
        w.writerow(row)
        if i % 5 == 2:
            buf.write(terminator)  # a blank line
    return buf.getvalue()


def _stored(db) -> list[tuple]:
    cols = [r[1] for r in db.execute("PRAGMA table_info(submissions)")]
    keep = [c for c in cols if c not in ("id", "ref", "submitted_at")]
    return db.execute(f"SELECT {', '.join(keep)} FROM submissions ORDER BY id").fetchall()


def _import_both(tmp_path: Path, name: str, data: bytes, **kw):
    """(report, stored rows, rejects file bytes) of the one-process and the range import."""
    out = []
    for workers in (0, 2):
        folder = tmp_path / f"w{workers}"
        folder.mkdir()
        path = folder / name
        path.write_bytes(data)
        db = store.connect(folder / "s.db")
        rep = import_claims(db, path, workers=workers, **kw)
        rejects = Path(f"{path}.rejects.csv")
        out.append(((rep.loaded, rep.rejected), _stored(db),
                    rejects.read_bytes() if rejects.exists() else None))  # fmt: skip
    return out


CASES = {
    "lf": _text(ROWS * 6).encode("utf-8"),
    "crlf": _text(ROWS * 6, terminator="\r\n").encode("utf-8"),
    "cr": _text(ROWS * 3, terminator="\r").encode("utf-8"),
    "bom": b"\xef\xbb\xbf" + _text(ROWS * 4).encode("utf-8"),
    "cp949": _text(ROWS * 4).encode("cp949"),
    "bad-bytes": _text(ROWS * 3).encode("utf-8").replace("박지훈".encode(), b"\xff\xfe\xfd", 1),
    "no-final-newline": _text(ROWS * 3).encode("utf-8").rstrip(b"\n"),
    "ends-inside-quotes": _text(ROWS * 3).encode("utf-8") + '9,"열린 따옴표\n끝\n'.encode(),
    "long-line": _text([*ROWS, ["9", "가" * 3000, "", "", "", "", ""], *ROWS]).encode("utf-8"),
}


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("range_bytes", [7, 40, 97, 1 << 20])
def test_range_import_stores_what_the_one_process_import_stores(
    tmp_path, monkeypatch, case, range_bytes
):
    monkeypatch.setattr("intake.claim_rows.RANGE_BYTES", range_bytes)
    enc = "cp949" if case == "cp949" else None
    one, ranged = _import_both(tmp_path, "claims.csv", CASES[case], batch_rows=7, encoding=enc)
    assert one == ranged
    assert one[0][0] > 0


def test_range_import_of_a_tsv(tmp_path, monkeypatch):
    monkeypatch.setattr("intake.claim_rows.RANGE_BYTES", 50)
    data = _text(ROWS * 4, delimiter="\t").encode("utf-8")
    one, ranged = _import_both(tmp_path, "claims.tsv", data)
    assert one == ranged and one[0][0] > 0


def test_range_path_is_used_with_workers(tmp_path, monkeypatch):
    seen = []
    from intake import claim_rows

    real = claim_rows._range_chunk
    monkeypatch.setattr(claim_rows, "_range_chunk", lambda rng: seen.append(rng) or real(rng))
    monkeypatch.setattr("intake.claim_rows.fork_pool", _inline_pool)
    path = tmp_path / "c.csv"
    path.write_bytes(CASES["lf"])
    rep = import_claims(store.connect(tmp_path / "s.db"), path, workers=2)
    assert rep.loaded > 0 and seen  # the rows came from byte ranges


@contextmanager
def _inline_pool(workers, initializer, initargs):
    """A stand-in for ``fork_pool`` whose pool runs tasks in this process (so a test can see
    which function the import used)."""
    initializer(*initargs)
    yield _InlinePool()


class _InlinePool:
    def apply_async(self, fn, args):
        value = fn(*args)

        class Done:
            def get(self):
                return value

        return Done()


@pytest.mark.parametrize("size", [1, 5, 64, 1 << 20])
def test_file_ranges_tile_the_file_at_line_feeds_and_count_lines_as_csv_does(tmp_path, size):
    data = CASES["crlf"] + b"x,\ry\r\nlast-without-newline"
    path = tmp_path / "f.csv"
    path.write_bytes(data)
    ranges = list(file_ranges(path, size))
    assert ranges[0][0] == 0 and ranges[-1][1] == len(data)
    for (_, end, _), (start, _, _) in zip(ranges, ranges[1:], strict=False):
        assert end == start and data[end - 1 : end] == b"\n"
    text = data.decode("utf-8")
    for start, _, before in ranges:
        reader = io.StringIO(data[:start].decode("utf-8"), newline="")
        assert before == sum(1 for _ in reader)
    assert sum(1 for _ in io.StringIO(text, newline="")) >= ranges[-1][2]


def test_killed_range_import_resumes_without_duplicates(tmp_path, monkeypatch):
    monkeypatch.setattr("intake.claim_rows.RANGE_BYTES", 200)
    path = tmp_path / "c.csv"
    path.write_bytes(_text(ROWS * 40).encode("utf-8"))
    from intake import importing

    real_commit, calls = importing._commit, {"n": 0}

    def killed_commit(*a, **kw):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt("killed")
        return real_commit(*a, **kw)

    db = store.connect(tmp_path / "s.db")
    monkeypatch.setattr(importing, "_commit", killed_commit)
    with pytest.raises(KeyboardInterrupt):
        import_claims(db, path, workers=2, batch_rows=50)
    monkeypatch.setattr(importing, "_commit", real_commit)
    partial = db.execute("SELECT count(*) FROM submissions").fetchone()[0]
    rep = import_claims(db, path, workers=2, batch_rows=50)
    assert rep.action == "resume" and 0 < partial < rep.loaded
    fresh = store.connect(tmp_path / "fresh.db")
    (tmp_path / "fresh").mkdir()
    other = tmp_path / "fresh" / "c.csv"
    other.write_bytes(path.read_bytes())
    whole = import_claims(fresh, other, workers=0)
    assert (rep.loaded, rep.rejected) == (whole.loaded, whole.rejected)
    assert _stored(db) == _stored(fresh)
    assert Path(f"{path}.rejects.csv").read_bytes() == Path(f"{other}.rejects.csv").read_bytes()


def test_cuts_inside_quoted_cells_are_seen(tmp_path):
    """The equality tests above go through the join: some tiny ranges end inside quotes."""
    import marshal

    from intake import claim_rows
    from intake.imports import open_table

    path = tmp_path / "c.csv"
    path.write_bytes(CASES["lf"])
    table = open_table(path, kind="claims")
    claim_rows._init_range(str(path), "utf-8", ",", 0, table.mapper(), table.header, "x", 1)
    clean = [marshal.loads(claim_rows._range_chunk(r))[-1] for r in file_ranges(path, 40)]
    assert not all(clean) and any(clean)


def _plan(db, sql: str, params) -> str:
    return " | ".join(r[3] for r in db.execute(f"EXPLAIN QUERY PLAN {sql}", params))


def test_every_incremental_lookup_and_count_still_uses_an_index(tmp_path):
    """Schema V8 dropped two indexes and merged two: each look-up of the per-submit match
    (candidate rules, term-frequency counts) must still be an index search, never a scan."""
    from intake.store.matches import (
        _BROAD_QUERIES,
        _CANDIDATE_QUERIES,
        _FORM_QUERIES,
        _HOUSE_QUERY,
        KEY_SELECT,
        ValueCounts,
        _name_narrowing,
    )

    db = store.connect(tmp_path / "s.db")
    names = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert "submissions_k_postcode_name" in names
    assert not names & {"submissions_source_ref", "submissions_k_postcode",
                        "submissions_k_name_postcode"}  # fmt: skip
    params = {"id": 1, "k_name": "김민준", "k_email": "a@b.c", "k_phone": "+821012345678",
              "k_birth": "1985-03-14", "k_postcode": "06236", "k_addr": "x", "k_unit": "1",
              "k_phone_tail": "12345678", "year": "1985", "year_end": "1985\uffff"}  # fmt: skip
    for rule, where in _CANDIDATE_QUERIES.items():
        plan = _plan(db, f"SELECT {KEY_SELECT} FROM submissions WHERE {where} AND id != :id",
                     params)  # fmt: skip
        assert "USING INDEX" in plan or "USING COVERING INDEX" in plan, (rule, plan)
    # round 5: the name-form rules read (id, k_name) of one key, the broad rules one block
    for rule, (where, _) in _BROAD_QUERIES.items():
        plan = _plan(db, f"SELECT id, k_name, k_birth FROM submissions WHERE {where}"
                     " AND id != :id LIMIT 10", params)  # fmt: skip
        assert "USING INDEX" in plan or "USING COVERING INDEX" in plan, (rule, plan)
    plan = _plan(db, _HOUSE_QUERY, ("raw:|363b", "raw:|363b\uffff", 1))  # house_street
    assert "INDEX submissions_k_addr (k_addr>? AND k_addr<?)" in plan, plan
    key_index = {"k_birth": "submissions_k_birth", "k_addr": "submissions_k_addr",
                 "k_postcode": "COVERING INDEX submissions_k_postcode_name"}  # fmt: skip
    for rule, (where, form, column) in _FORM_QUERIES.items():
        for name in ("김민준", "이서연", "minjun kim"):
            narrow, extra = _name_narrowing(name, form, column)
            plan = _plan(db, f"SELECT id, k_name FROM submissions WHERE {where} AND {narrow}"
                         " AND id != :id", {**params, **extra})  # fmt: skip
            assert key_index[where.split()[0]] in plan, (rule, name, plan)
    birth_postcode = _CANDIDATE_QUERIES["birth_date_postcode"]
    plan = _plan(db, f"SELECT id FROM submissions WHERE {birth_postcode}", params)
    assert "submissions_k_birth" in plan  # ~50 rows at 1M, not the postcode's ~700
    plan = _plan(db, "SELECT id, k_name FROM submissions WHERE k_postcode = ?", ["06236"])
    assert "COVERING INDEX submissions_k_postcode_name" in plan  # names without the rows
    plan = _plan(db, "SELECT 1 FROM submissions WHERE k_name = ? AND k_postcode = ?", ["a", "b"])
    assert "(k_postcode=? AND k_name=?)" in plan  # both columns, not the name alone
    for column in ValueCounts.COLUMNS.values():
        plan = _plan(db, f"SELECT count(*) FROM submissions WHERE {column} = ?", ["x"])
        assert "COVERING INDEX" in plan, (column, plan)


def test_v8_forgets_a_killed_imports_statements_for_the_removed_indexes(tmp_path):
    import sqlite3

    from intake.store import schema

    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    for script in schema.MIGRATIONS[:7]:
        conn.executescript(script)
    conn.execute("PRAGMA user_version = 7")
    conn.execute("INSERT INTO deferred_indexes SELECT name, sql FROM sqlite_master"
                 " WHERE name IN ('submissions_k_postcode', 'submissions_k_email')")  # fmt: skip
    conn.execute("DROP INDEX submissions_k_postcode")
    conn.execute("DROP INDEX submissions_k_email")
    conn.close()
    db = store.connect(path)
    from intake.store.submissions import restore_indexes

    assert restore_indexes(db) == 1  # k_email only
    names = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert "submissions_k_email" in names and "submissions_k_postcode" not in names


def test_a_big_import_leaves_an_empty_write_ahead_log(tmp_path, monkeypatch):
    path = tmp_path / "c.csv"
    path.write_bytes(_text(ROWS * 50).encode("utf-8"))
    db = store.connect(tmp_path / "s.db")
    rep = import_claims(db, path, workers=0)
    assert rep.loaded > 0
    assert Path(f"{tmp_path / 's.db'}-wal").stat().st_size == 0  # copied into the database
