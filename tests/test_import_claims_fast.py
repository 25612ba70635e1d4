"""The claims import's fast paths store exactly what the general path stores.

``claim_row_builder`` builds the common row without ``prepare_claim``'s dictionaries and JSON
calls, ``raw_encoder`` replaces ``json.dumps`` for the raw cells, ``refs.new_claim_refs``
draws claim references in bulk and the rows may be built in worker processes; each is
compared here with what it short-cuts."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from intake import store
from intake.claim_rows import claim_row_builder, raw_encoder
from intake.importing import import_claims
from intake.imports import open_table
from intake.loading import prepare_claim
from intake.normalize import key_values, record_keys
from intake.refs import CLAIM_REF
from intake.refs import new_claim_refs as claim_refs

NAMES = ["김민준", "김 민준", "Kim Minjun", "없음", "", " ", "金民俊", "김민준1", "이서연님"]
EMAILS = ["minjun@naver.com", "Minjun@Naver.com", "", "bad-email", "test@test.com", "a@naver.con"]
PHONES = ["010-1234-5678", "01012345678", "010-0000-0000", "+82 10 1234 5678", "", "1234"]
ADDRESSES = [
    "서울 강남구 테헤란로 142, 101동 1203호",
    "",
    "없음",
    "부산 해운대구 센텀중앙로 79",
    "(06236) 서울특별시 강남구 테헤란로 142",
    "서울 강남구 테헤란로 142 [06236]",
]
POSTCODES = ["06236", "", "6236", "99999", "063-21"]
BIRTHS = ["1985-03-14", "1985.3.14", "19851340", "", "850314", "x"]
LAYOUTS = [
    ["이름", "이메일", "휴대폰", "주소", "우편번호", "생년월일"],
    ["응답번호", "성명", "연락처", "이메일", "생년월일", "메모"],
    ["이름", "주소", "상세주소", "우편번호", "휴대폰"],
    ["이름", "메모", "메모"],  # a repeated header: the raw dict keeps one cell
    ["이름", "100% 확인", "이메일"],
]
VALUES = {"이름": NAMES, "성명": NAMES, "이메일": EMAILS, "휴대폰": PHONES, "연락처": PHONES,
          "주소": ADDRESSES, "상세주소": ["101동 1203호", ""], "우편번호": POSTCODES,
          "생년월일": BIRTHS, "응답번호": ["R-1", "", " R-2 "], "메모": ["hi", "", '"q"\\'],
          "100% 확인": ["%s", "예"]}  # fmt: skip


@st.composite
def claim_rows(draw):
    header = draw(st.sampled_from(LAYOUTS))
    cells = [draw(st.sampled_from(VALUES[h])) for h in header]
    cells = draw(st.sampled_from([cells, cells[:-1], [*cells, ""], [*cells, "extra"]]))
    return header, cells


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=400)
@given(claim_rows(), st.booleans())
def test_claim_row_builder_equals_prepare_claim(tmp_path, header_cells, suspect):
    header, cells = header_cells
    path = tmp_path / "claims.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerow(header)
    mapper = open_table(path, kind="claims").mapper()
    build = claim_row_builder(mapper, header, "import:claims.csv", 7)
    got = build(12, cells, suspect, "CL-AAAA-BBBB", "2026-11-28T05:00:00+00:00")
    record, problems = mapper(cells)
    raw = dict(zip(header, cells, strict=False))
    want = prepare_claim(12, record, problems, raw, "import:claims.csv", "x")
    if isinstance(want, str):
        assert got == want
        return
    want[0], want[3], want[5] = "CL-AAAA-BBBB", 7, "2026-11-28T05:00:00+00:00"
    assert got == tuple(want)


@given(st.lists(st.text(), min_size=1, max_size=6, unique=True), st.data())
@example(["a%s", "%", '"'], None)
def test_raw_encoder_equals_json_dumps(header, data):
    cells = (
        [f'{h}\u0000\ud800"%' for h in header]
        if data is None
        else data.draw(st.lists(st.text(), min_size=len(header), max_size=len(header)))
    )
    encode = raw_encoder(header)
    assert encode(cells) == json.dumps(dict(zip(header, cells, strict=True)), ensure_ascii=False)


def test_raw_encoder_refuses_repeated_headers():
    assert raw_encoder(["메모", "메모"]) is None
    assert raw_encoder([]) is None


@pytest.mark.parametrize("n", [0, 1, 7, 5000])
def test_claim_refs_are_well_formed_and_distinct(n):
    refs = claim_refs(n)
    assert len(refs) == n
    assert all(CLAIM_REF.match(r) for r in refs)
    assert len(set(refs)) == n  # 40 random bits: a repeat among 5,000 has odds ~1e-5


def test_claim_refs_use_the_whole_alphabet_at_every_position():
    refs = claim_refs(4000)
    for pos in (3, 4, 5, 6, 8, 9, 10, 11):
        assert len({r[pos] for r in refs}) == 32


@given(st.lists(st.sampled_from([None, "", *NAMES, *EMAILS, *PHONES, *ADDRESSES]), min_size=6,
                max_size=6))  # fmt: skip
def test_key_values_equal_record_keys(values):
    fields = ("name", "email", "phone", "address", "postal_code", "birth_date")
    keys = record_keys(dict(zip(fields, values, strict=True)))
    assert key_values(*values) == tuple(keys.values())


def _stored(db) -> list[tuple]:
    cols = "source, source_ref, import_id, source_line, name, email, phone, address, " \
        "postal_code, birth_date, raw, flags, k_name, k_email, k_phone, k_phone_tail, k_birth, " \
        "k_postcode, k_addr, k_unit"  # fmt: skip
    return db.execute(f"SELECT {cols} FROM submissions ORDER BY id").fetchall()


def _claims_file(path: Path, rows: int) -> Path:
    header = ["응답번호", "이름", "이메일", "휴대폰", "주소", "우편번호", "생년월일"]
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        for i in range(rows):
            w.writerow([f"R-{i}", NAMES[i % 9], EMAILS[i % 6], PHONES[i % 5],
                        ADDRESSES[i % 6], POSTCODES[i % 5], BIRTHS[i % 6]])  # fmt: skip
    return path


def test_worker_processes_store_what_the_one_process_import_stores(tmp_path, monkeypatch):
    monkeypatch.setattr("intake.batches.CHUNK_ROWS", 100)
    path = _claims_file(tmp_path / "claims.csv", 1000)
    one, two = store.connect(tmp_path / "one.db"), store.connect(tmp_path / "two.db")
    rep1 = import_claims(one, path, workers=0, batch_rows=300)
    rep2 = import_claims(two, path, workers=2, batch_rows=300)
    assert (rep1.loaded, rep1.rejected) == (rep2.loaded, rep2.rejected)
    assert rep1.loaded > 0 and rep1.rejected > 0
    assert _stored(one) == _stored(two)
    refs = [r[0] for r in two.execute("SELECT ref FROM submissions")]
    assert len(set(refs)) == len(refs) == rep2.loaded
    assert (tmp_path / "claims.csv.rejects.csv").exists()


def _index_sql(db) -> list[tuple]:
    return db.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'submissions'"
        " ORDER BY name"
    ).fetchall()


def test_big_import_drops_indexes_for_its_run_and_rebuilds_them(tmp_path, monkeypatch):
    from intake.store import submissions as subs

    db = store.connect(tmp_path / "s.db")
    before = _index_sql(db)
    seen = []
    real = subs.deferred_indexes

    def spy(db_, incoming, **kw):  # what each batch's transaction finds
        seen.append(len(subs.secondary_indexes(db_)))
        return real(db_, incoming, **kw)

    monkeypatch.setattr("intake.store.imports.deferred_indexes", spy)
    rep = import_claims(db, _claims_file(tmp_path / "c.csv", 500), batch_rows=100, workers=0)
    assert rep.loaded > 300
    assert seen and set(seen) == {0}  # no batch maintained an index row by row
    assert _index_sql(db) == before
    assert db.execute("SELECT count(*) FROM deferred_indexes").fetchone()[0] == 0


def test_killed_import_leaves_its_indexes_to_the_resume(tmp_path, monkeypatch):
    from intake.store import submissions as subs

    db = store.connect(tmp_path / "s.db")
    before = _index_sql(db)
    path = _claims_file(tmp_path / "c.csv", 400)
    calls = {"n": 0}
    real = subs.restore_indexes

    def killed_commit(*a, **kw):  # killed after the 1st commit; no restore runs
        calls["n"] += 1
        if calls["n"] == 2:
            raise SystemExit("killed")
        return real_commit(*a, **kw)

    from intake import importing

    real_commit = importing._commit
    monkeypatch.setattr(importing, "_commit", killed_commit)
    monkeypatch.setattr(importing.store_submissions, "restore_indexes", lambda db_: 0)
    with pytest.raises(SystemExit):
        import_claims(db, path, batch_rows=100, workers=0)
    assert len(_index_sql(db)) < len(before)  # dropped, and recorded
    assert db.execute("SELECT count(*) FROM deferred_indexes").fetchone()[0] > 0
    monkeypatch.undo()
    assert subs.restore_indexes is real
    rep = import_claims(db, path, batch_rows=100, workers=0)
    assert rep.action == "resume"
    assert _index_sql(db) == before
    lines = db.execute("SELECT count(*), count(DISTINCT source_line) FROM submissions")
    assert lines.fetchone() == (rep.loaded, rep.loaded)


def test_small_import_into_bigger_store_keeps_indexes_and_restores_leftovers(tmp_path):
    from intake.store import submissions as subs

    db = store.connect(tmp_path / "s.db")
    before = _index_sql(db)
    import_claims(db, _claims_file(tmp_path / "big.csv", 300), workers=0)
    assert subs.suspend_indexes(db, 10) is False  # 10 rows into 300: indexes stay
    assert subs.suspend_indexes(db, 1000) is True  # as a killed big import leaves it
    import_claims(db, _claims_file(tmp_path / "small.csv", 20), workers=0)
    assert _index_sql(db) == before


@pytest.mark.parametrize(
    ("workers", "lines", "cores", "expected"),
    [(None, 100_000, 2, True), (None, 100, 2, False), (None, 100_000, 1, False),
     (0, 100_000, 8, False), (2, 10, 1, True), (None, None, 4, True)],
)  # fmt: skip
def test_claim_workers_by_default_only_for_big_files_on_two_cores(
    monkeypatch, workers, lines, cores, expected
):
    from intake.batches import use_claim_workers

    monkeypatch.setattr("intake.batches.os.cpu_count", lambda: cores)
    assert use_claim_workers(workers, lines) is expected


def test_a_claim_ref_collision_redoes_only_that_row(tmp_path, monkeypatch):
    from intake.store.submissions import insert_submission

    db = store.connect(tmp_path / "s.db")
    _, taken = insert_submission(db, {"name": "김민준"})

    def colliding(n):  # the stored ref, twice, then fresh ones
        return [taken, taken, *claim_refs(n)][:n]

    monkeypatch.setattr("intake.batches.new_claim_refs", colliding)
    path = _claims_file(tmp_path / "c.csv", 60)
    rep = import_claims(db, path, workers=0)
    refs = [r[0] for r in db.execute("SELECT ref FROM submissions")]
    assert len(refs) == len(set(refs)) == rep.loaded + 1
    assert all(CLAIM_REF.match(r) for r in refs)
    lines = db.execute("SELECT count(DISTINCT source_line) FROM submissions WHERE import_id = ?",
                       [rep.import_id])  # fmt: skip
    assert lines.fetchone()[0] == rep.loaded
    assert import_claims(db, path).action == "done"
