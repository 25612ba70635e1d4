"""import-accounts / import-claims end to end on real SQLite files: rejects with line numbers,
idempotent re-runs, a killed run resumed without duplicates, replace vs extend, privacy mode."""

from __future__ import annotations

import csv
import json

import pytest
from click.testing import CliRunner
from test_imports import gen_csv, gen_xlsx

from intake import store
from intake.cli import main
from intake.importing import ImportRefused, import_accounts, import_claims
from intake.refs import CLAIM_REF
from intake.store import imports as store_imports
from intake.store.audit import audit_events

HEADER = ["이름", "이메일", "휴대폰", "주소", "우편번호", "회원번호"]
GOOD = [
    [
        "김민준",
        "minjun@naver.com",
        "010-1234-5678",
        "서울 강남구 테헤란로 142 101동 1203호",
        "06236",
        "A1",
    ],
    ["이서연", "bad-email", "01099998888", "", "", "A2"],  # malformed e-mail: kept, flagged
    ["박도윤", "", "", "", "", ""],
    ["", "", "", "", "", "A5"],  # only an account ID: still identifying
]
BAD = [
    (["없음", "", "010-0000-0000", "", "", ""], "no usable name, e-mail, phone or account ID"),
    (["없음", "", "", "서울 강남구", "06236", ""], "no usable name, e-mail, phone or account ID"),
    (["최,하은", "c@b.com", "010-1111-2222", "x", "y", "z", "extra"], "7 cells but the header"),
]


def rejects_of(path):
    with open(path.with_name(path.name + ".rejects.csv"), encoding="utf-8-sig") as fh:
        return list(csv.reader(fh))


def account_rows(db):
    return list(db.query("SELECT * FROM accounts ORDER BY source_line"))


def make_list(tmp_path, name="accounts.csv", rows=None):
    rows = rows if rows is not None else [GOOD[0], BAD[0][0], GOOD[1], BAD[1][0], GOOD[2]]
    rows = rows + [GOOD[3], BAD[2][0]]
    return gen_csv(tmp_path / name, [HEADER, *rows])


def test_loads_rows_rejects_with_line_and_reason(db, tmp_path):
    path = make_list(tmp_path)
    rep = import_accounts(db, path)
    assert (rep.action, rep.loaded, rep.rejected) == ("new", 4, 3)
    rows = account_rows(db)
    assert [r["source_line"] for r in rows] == [2, 4, 6, 7]
    assert rows[0]["k_email"] == "minjun@naver.com" and rows[0]["k_phone"] == "+821012345678"
    assert rows[1]["email"] == "bad-email" and json.loads(rows[1]["flags"]) == ["email_invalid"]
    rejects = rejects_of(path)
    assert rejects[1][1] == BAD[0][1]
    assert rejects[0][:2] == ["line", "reason"] and rejects[0][2:] == HEADER
    assert [(r[0], r[1][:20]) for r in rejects[1:]] == [
        ("3", BAD[0][1][:20]),
        ("5", BAD[1][1][:20]),
        ("8", BAD[2][1][:20]),
    ]
    assert rejects[3][2:] == BAD[2][0]  # the original cells, nothing lost


def test_indexes_built_after_load_and_audit_has_counts_only(db, tmp_path):
    import_accounts(db, make_list(tmp_path))
    names = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE tbl_name='accounts'")}
    assert {"accounts_k_email", "accounts_k_phone", "accounts_k_name"} <= names
    (event,) = audit_events(db, action="import")
    detail = json.loads(event["detail"]) if isinstance(event["detail"], str) else event["detail"]
    assert detail["loaded"] == 4 and detail["rejected"] == 3 and detail["kind"] == "accounts"
    text = json.dumps(event, ensure_ascii=False)
    assert "김민준" not in text and "minjun" not in text and "1234" not in text


def test_reimport_same_file_is_a_no_op(db, tmp_path):
    path = make_list(tmp_path)
    import_accounts(db, path)
    again = import_accounts(db, path)
    assert again.action == "done" and again.loaded == 4
    assert len(account_rows(db)) == 4


@pytest.mark.parametrize("workers", [0, 2])
def test_killed_import_resumes_without_duplicates(db, tmp_path, monkeypatch, workers):
    rows = [[f"김민{chr(0xAC00 + i)}", f"u{i}@naver.com", "", "", "", ""] for i in range(25)]
    rows[7] = BAD[0][0]  # one reject before the crash
    rows[20] = BAD[0][0]  # and one after it
    path = gen_csv(tmp_path / "big.csv", [HEADER, *rows])
    real = store_imports.commit_batch
    calls = {"n": 0}

    def crash_after_two(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt("killed")  # like Ctrl-C / SIGTERM mid-load
        return real(*args, **kwargs)

    monkeypatch.setattr(store_imports, "commit_batch", crash_after_two)
    with pytest.raises(KeyboardInterrupt):
        import_accounts(db, path, batch_rows=4, workers=workers)
    (state,) = store_imports.list_imports(db, "accounts")
    assert state["status"] == "loading" and state["last_line"] == 10  # two batches committed
    assert len(account_rows(db)) == 8
    monkeypatch.setattr(store_imports, "commit_batch", real)
    rep = import_accounts(db, path, batch_rows=4, workers=workers)
    assert rep.action == "resume"
    lines = [r["source_line"] for r in account_rows(db)]
    assert lines == sorted(set(lines)) and len(lines) == 23  # no duplicates, none missing
    assert (rep.loaded, rep.rejected) == (23, 2)
    assert [r[0] for r in rejects_of(path)[1:]] == ["9", "22"]


def test_extend_then_replace_and_claims_are_rechecked(db, tmp_path):
    first = import_accounts(db, gen_csv(tmp_path / "one.csv", [HEADER, GOOD[0]]))
    second = import_accounts(db, gen_csv(tmp_path / "two.csv", [HEADER, GOOD[1]]))
    assert (first.loaded, second.loaded) == (1, 1)
    assert len(account_rows(db)) == 2  # extended
    fixed = import_accounts(db, gen_csv(tmp_path / "three.csv", [HEADER, GOOD[2]]), replace=True)
    assert fixed.replaced_imports == 2
    assert [r["name"] for r in account_rows(db)] == ["박도윤"]
    statuses = {r["file_name"]: r["status"] for r in store_imports.list_imports(db)}
    assert statuses == {"one.csv": "replaced", "two.csv": "replaced", "three.csv": "complete"}
    # a replaced file can be loaded again later
    again = import_accounts(db, tmp_path / "one.csv")
    assert again.action == "new" and len(account_rows(db)) == 2


def test_privacy_mode_stores_only_keyed_hashes(db, tmp_path):
    path = make_list(tmp_path)
    import_accounts(db, path, hash_key="s3cret")
    rows = account_rows(db)
    dump = json.dumps(rows, ensure_ascii=False)
    for secret in ("minjun@naver.com", "minjun", "12345678", "5678", "99998888", "bad-email"):
        assert secret not in dump
    assert rows[0]["email"] is None and rows[0]["phone"] is None
    assert len(rows[0]["k_email"]) == 32 and rows[0]["k_name"] == "김민준"
    with pytest.raises(ImportRefused, match="privacy setting"):
        import_accounts(db, gen_csv(tmp_path / "plain.csv", [HEADER, GOOD[2]]))
    import_accounts(db, gen_csv(tmp_path / "plain.csv", [HEADER, GOOD[2]]), replace=True)


def test_xlsx_list(db, tmp_path):
    path = gen_xlsx(tmp_path / "list.xlsx", [HEADER, GOOD[0], ["", "", "", "", "", ""], GOOD[1]])
    rep = import_accounts(db, path)
    assert (rep.loaded, rep.rejected) == (2, 0)  # an all-empty Excel row is not a row


def test_import_claims_become_submissions(db, tmp_path):
    path = gen_csv(
        tmp_path / "naver form.csv",
        [
            ["응답번호", "성명", "연락처", "이메일", "생년월일", "메모"],
            ["R-1", "김민준", "010-1234-5678", "", "1985.3.14", "a"],
            ["R-2", "", "", "", "", "b"],
            ["R-3", "이서연", "", "s@naver.com", "19851340", ""],
        ],
    )
    rep = import_claims(db, path)
    assert (rep.loaded, rep.rejected) == (2, 1)
    subs = list(db.query("SELECT * FROM submissions_with_matches ORDER BY source_line"))
    assert [s["source_ref"] for s in subs] == ["R-1", "R-3"]
    assert all(s["source"] == "import:naver form.csv" for s in subs)
    assert all(CLAIM_REF.match(s["ref"]) for s in subs)
    assert subs[0]["k_phone"] == "+821012345678" and subs[0]["k_birth"] == "1985-03-14"
    assert json.loads(subs[0]["raw"])["메모"] == "a"
    assert json.loads(subs[1]["flags"]) == ["birth_date_invalid"]
    assert subs[0]["matched_at"] is None and subs[0]["linked_at"] is None
    assert import_claims(db, path).action == "done"
    assert db.execute("SELECT count(*) FROM submissions").fetchone()[0] == 2


@pytest.fixture
def cli(tmp_path, monkeypatch):
    monkeypatch.delenv("INTAKE_DB", raising=False)
    monkeypatch.delenv("INTAKE_ACCOUNT_HASH_KEY", raising=False)
    monkeypatch.setenv("INTAKE_INSTANCE", str(tmp_path / "instance"))
    return CliRunner()


def test_cli_import_accounts_and_claims(cli, tmp_path):
    target = str(tmp_path / "cli.db")
    path = gen_csv(
        tmp_path / "list.csv",
        [["고객 이름", "메일", "전화"], ["김민준", "m@naver.com", "01012345678"]],
    )
    args = ["--db", target, "import-accounts", str(path), "--no-progress"]
    result = cli.invoke(main, [*args, "--map", "name=고객 이름", "--map", "phone=전화"])
    assert result.exit_code == 0, result.output
    assert "1 loaded, 0 rejected" in result.output
    assert "name<-고객 이름" in result.output
    memo = gen_csv(tmp_path / "memo.csv", [["고객 이름", "비고"], ["김민준", "x"]])
    bad = cli.invoke(main, ["--db", target, "import-accounts", str(memo)])
    assert bad.exit_code == 2 and "no identifying column" in bad.output
    assert "--map name=" in bad.output
    same = cli.invoke(main, [*args, "--map", "name=고객 이름"])
    assert "already imported" in same.output
    claims = cli.invoke(
        main, ["--db", target, "import-claims", str(path), "--map", "name=고객 이름"]
    )
    assert claims.exit_code == 0 and "1 loaded" in claims.output
    db = store.connect(target)
    assert db.execute("SELECT count(*) FROM accounts").fetchone()[0] == 1
    assert db.execute("SELECT count(*) FROM submissions").fetchone()[0] == 1
