"""The bulk loader's fast paths give exactly what the general paths give.

The account-list import skips the general code for the common row (``account_row_builder``),
decodes the file in blocks (``Table.checked_cells``), keys e-mails through a per-domain cache
(``email_key``) and may read in a second process; each is compared here with the path it
short-cuts, on generated input that mixes common and awkward spellings."""

from __future__ import annotations

import csv
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import suppress
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from intake import imports as imports_mod
from intake import store
from intake.importing import import_accounts
from intake.imports import open_table
from intake.loading import account_row_builder, key_hasher, prepare_account
from intake.normalize import normalize_email
from intake.normalize.emails import email_key

LOCALS = ["minjun", "kim.minjun", "kim..x", ".kim", "a+tag", "Minjun", "user_1", "", "test",
          "admin", "x" * 65, "민준", "a b", "kim-1"]  # fmt: skip
DOMAINS = ["naver.com", "gmail.com", "googlemail.com", "hanmail.net", "daum.net", "naver.con",
           "example.com", "mail.test", "kakao.com", "a-.com", "NAVER.COM", "x.c", "sub.co.kr",
           "", "naver", "hanmail.com", "1.2.3.4", "ex.localhost"]  # fmt: skip


@given(
    st.sampled_from(LOCALS),
    st.sampled_from(["@", "@@", "＠", " @", ""]),
    st.sampled_from(DOMAINS),
    st.sampled_from(["", " ", "."]),
)
@example("minjun", "@", "naver.com", "")
@example("kim.min+x", "@", "gmail.com", "")
def test_email_key_equals_the_full_normaliser(local, at, domain, end):
    address = f"{local}{at}{domain}{end}"
    assert email_key(address) == normalize_email(address).key
    assert email_key(address) == normalize_email(address).key  # the cached domain, 2nd time


NAMES = ["김민준", "김 민준", "Kim Minjun", "우우우", "없음", "김", "이서연님", "", " ", "金民俊",
         "김민준1", "rlaalswns"]  # fmt: skip
EMAILS = ["minjun@naver.com", "Minjun@Naver.com", "", "bad-email", "kim.m+x@gmail.com",
          "a@naver.con", "test@test.com", "user@hanmail.net"]  # fmt: skip
PHONES = ["010-1234-5678", "01012345678", "010-0000-0000", "+82 10 1234 5678", "02-123-4567",
          "", "1234", "010-1234-567", "010 1234 5678 (본인)"]  # fmt: skip
ADDRESSES = ["서울 강남구 테헤란로 142, 101동 1203호", "", "부산 해운대구 센텀중앙로 79"]
POSTCODES = ["06236", "", "6236", "99999", "0623", "06236 ", "063-21", "04524"]
ACCOUNT_IDS = ["A1", "", "C000000001"]
LAYOUTS = [
    ["이름", "이메일", "휴대폰", "주소", "우편번호", "회원번호"],
    ["회원번호", "휴대폰", "이름"],
    ["이름", "이메일", "휴대폰", "주소", "상세주소", "우편번호"],
    ["이름", "이메일", "휴대폰", "생년월일", "메모"],
]
VALUES = {"이름": NAMES, "이메일": EMAILS, "휴대폰": PHONES, "주소": ADDRESSES,
          "상세주소": ["101동", ""], "우편번호": POSTCODES, "회원번호": ACCOUNT_IDS,
          "생년월일": ["1990-01-02", "x", ""], "메모": ["hi", ""]}  # fmt: skip


@st.composite
def list_rows(draw):
    header = draw(st.sampled_from(LAYOUTS))
    cells = [draw(st.sampled_from(VALUES[h])) for h in header]
    cells = draw(st.sampled_from([cells, cells[:-1], [*cells, ""], [*cells, "extra"]]))
    return header, cells


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=300)
@given(list_rows(), st.booleans(), st.booleans())
def test_account_row_builder_equals_prepare_account(tmp_path, header_cells, hashed, suspect):
    header, cells = header_cells
    path = tmp_path / "h.csv"
    path.write_text(",".join(header) + "\n", encoding="utf-8")
    mapper = open_table(path, kind="accounts").mapper()
    hasher = key_hasher("k" if hashed else None)
    build = account_row_builder(mapper, hasher, 7)
    record, problems = mapper(cells)
    assert build(12, cells, suspect) == prepare_account(12, record, problems, hasher, 7)


ROWS = [
    ["김민준", "minjun@naver.com", "010-1234-5678", "서울 강남구\n테헤란로 142", "06236"],
    ["", "", "", "", ""],
    ["이서연", "a@b.co", "01099998888", '"인용" 주소', ""],
    ["박도윤", "", "", "", "", "extra"],
    ["최하은", "", "010-1111-2222", "", "04524"],
]
SEPARATED = ["김\x1f민준", "x@naver.com", "", "", ""]  # a control character inside a value


def _write(path: Path, rows, encoding: str, newline: str) -> Path:
    with open(path, "w", encoding=encoding, newline="") as fh:
        csv.writer(fh, lineterminator=newline).writerows(rows)
    return path


@pytest.mark.parametrize("block", [7, 64, 1 << 20])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp949"])
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_checked_cells_equals_the_plain_reader(tmp_path, monkeypatch, block, encoding, newline):
    rows = [["이름", "이메일", "휴대폰", "주소", "우편번호"], *(ROWS * 30)]
    path = _write(tmp_path / "l.csv", rows, encoding, newline)
    with open(path, "ab") as fh:  # a blank line, then one undecodable byte in a row
        fh.write(newline.encode() + b"\xff\xfe," + "김,x".encode(encoding) + newline.encode())
    monkeypatch.setattr(imports_mod, "BLOCK_BYTES", block)
    table = open_table(path, kind="accounts", encoding=encoding)  # bad bytes defeat detection
    plain = list(table.cells())
    checked = list(table.checked_cells())
    assert [(line, cells) for line, cells, _ in checked] == plain
    bad = [line for line, cells in plain if any("\udcff" in c or "\ufffd" in c for c in cells)]
    assert bad and all(suspect for line, _, suspect in checked if line in bad)
    assert list(table.checked_cells(start_after=40)) == [c for c in checked if c[0] > 40]


@pytest.mark.parametrize("hash_key", [None, "secret"])
def test_reader_process_loads_what_the_in_process_loader_does(tmp_path, hash_key):
    rows = [["이름", "이메일", "휴대폰", "주소", "우편번호"], *(ROWS * 40), SEPARATED, *ROWS]
    path = _write(tmp_path / "list.csv", rows, "utf-8", "\n")
    loaded = []
    for workers in (0, 1):
        db = store.connect(tmp_path / f"w{workers}.db")
        rep = import_accounts(db, path, workers=workers, batch_rows=17, hash_key=hash_key)
        loaded.append(
            (
                rep.loaded,
                rep.rejected,
                list(db.query("SELECT * FROM accounts ORDER BY id")),
                path.with_name("list.csv.rejects.csv").read_bytes(),
            )  # fmt: skip
        )
    assert loaded[0] == loaded[1]
    assert loaded[0][0] == 124 and loaded[0][1] == 41  # blank rows are not rows


def test_sigkilled_import_with_reader_process_resumes_without_duplicates(tmp_path):
    """kill -9 of the writing process mid-load (the reader dies on its broken pipe); the same
    command then loads the rest: every line once, none missing."""
    rows = [["이름", "이메일", "휴대폰", "주소", "우편번호"]]
    for i in range(60_000):
        phone = f"010-{i % 10000:04d}-{i // 10000 + 1000:04d}"
        rows.append([f"김민{chr(0xAC00 + i % 11000)}", f"u{i}@naver.com", phone, "", "06236"])
    path = _write(tmp_path / "list.csv", rows, "utf-8", "\n")
    db_path = tmp_path / "k.db"
    code = (
        "import sys; from intake import store; from intake.importing import import_accounts; "
        "import_accounts(store.connect(sys.argv[1]), sys.argv[2], workers=1, batch_rows=2000)"
    )
    proc = subprocess.Popen([sys.executable, "-c", code, str(db_path), str(path)])
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with suppress(sqlite3.OperationalError):  # not created or migrated yet
                conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=30)
                got = conn.execute("SELECT max(last_line) FROM imports").fetchone()
                conn.close()
                if got and got[0] and got[0] > 2:
                    break
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait()
    db = store.connect(db_path)
    (first,) = db.execute("SELECT rows_loaded FROM imports").fetchall()
    assert 0 < first[0] < 60_000  # killed half-way
    rep = import_accounts(db, path, workers=1, batch_rows=2000)
    assert rep.action == "resume" and rep.loaded == 60_000
    lines = [r[0] for r in db.execute("SELECT source_line FROM accounts ORDER BY source_line")]
    assert lines == list(range(2, 60_002))
    assert _reader_processes(path) == []  # the orphaned reader ended on its broken pipe


def _reader_processes(path: Path) -> list[str]:
    """Processes still running our import command on ``path`` (waits up to 5 s for them)."""
    deadline = time.monotonic() + 5
    while True:
        found = []
        for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
            with suppress(OSError):
                if str(path).encode() in cmdline.read_bytes():
                    found.append(cmdline.parent.name)
        if not found or time.monotonic() > deadline:
            return found
        time.sleep(0.1)
