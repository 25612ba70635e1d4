"""The counsel workbook: every test writes a real XLSX and re-opens it with openpyxl (and, for
formula injection, reads the raw sheet XML)."""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import date, datetime

import pytest
from click.testing import CliRunner
from export_factories import gen_account, gen_pair, gen_submission
from openpyxl import load_workbook

from intake.cli import main
from intake.export import write_workbook
from intake.store.audit import audit_events
from intake.store.decisions import add_decision, undo_decision

CLAIMANT_HEADERS = [
    "Person ID", "Name", "Email", "Phone", "Address", "Postal code", "Birth date",
    "Submissions", "Claim IDs", "Account status", "Account ID", "Match score", "Harms",
    "Other harm", "Notice", "Notice date", "Consented at", "Email confirmed",
]  # fmt: skip
SUBMISSION_HEADERS = [
    "Claim ID", "Source ref", "Person ID", "Submitted at", "Source", "Name", "Email", "Phone",
    "Address", "Postal code", "Birth date", "Account status", "Account ID", "Match score",
    "Review status",
]  # fmt: skip
REVIEW_HEADERS = [
    "Decision ID", "Decided at", "Reviewer ID", "Reviewer", "Pair kind", "Claim ID",
    "Other claim ID", "Account ID", "Decision", "Note", "Undone at", "Undone by",
]  # fmt: skip
PII = {"Name", "Email", "Phone", "Address", "Postal code", "Birth date", "Other harm", "Note"}


def export(db, tmp_path, name="out.xlsx", **kw):
    out = tmp_path / name
    rep = write_workbook(db, out, **kw)
    return rep, load_workbook(out), out


def table(ws) -> list[dict]:
    rows = list(ws.iter_rows(values_only=True))
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


def sheet_xml(path) -> dict[str, str]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/")}


def test_sheets_and_header_contract(db, tmp_path):
    gen_submission(db, person_id="P-AAAA0001")
    _rep, wb, _ = export(db, tmp_path)
    assert wb.sheetnames == ["Summary", "Claimants", "Submissions", "Review log"]
    assert [c.value for c in wb["Claimants"][1]] == CLAIMANT_HEADERS
    assert [c.value for c in wb["Submissions"][1]] == SUBMISSION_HEADERS
    assert [c.value for c in wb["Review log"][1]] == REVIEW_HEADERS
    assert [c.value for c in wb["Summary"][1]][:3] == ["Item", "Value", "항목"]


def test_minimal_drops_pii_columns_and_values(db, tmp_path):
    gen_submission(db, person_id="P-AAAA0001", name="홍길동", email="hong@daum.net",
                   harm_other="보이스피싱 전화")  # fmt: skip
    rep, wb, out = export(db, tmp_path, include_pii=False)
    assert [c.value for c in wb["Claimants"][1]] == [h for h in CLAIMANT_HEADERS if h not in PII]
    assert [c.value for c in wb["Submissions"][1]] == [
        h for h in SUBMISSION_HEADERS if h not in PII
    ]
    assert [c.value for c in wb["Review log"][1]] == [h for h in REVIEW_HEADERS if h not in PII]
    raw = "".join(sheet_xml(out).values())
    for secret in ("홍길동", "hong@daum.net", "010-1234-5678", "06234", "보이스피싱"):
        assert secret not in raw
    assert rep.include_pii is False


def test_header_row_bold_frozen_filtered_and_sized(db, tmp_path):
    for _ in range(3):
        gen_submission(db)
    _rep, wb, _ = export(db, tmp_path)
    for title, cols in (("Claimants", "R"), ("Submissions", "O"), ("Review log", "L")):
        ws = wb[title]
        assert ws.freeze_panes == "A2"
        assert all(c.font.b for c in ws[1])
        assert ws.auto_filter.ref == f"A1:{cols}{ws.max_row}"
        assert ws.column_dimensions["A"].width >= 10
    assert wb["Submissions"].max_row == 4
    assert wb["Summary"]["A1"].font.b


def test_types_text_ids_real_dates_and_hangul(db, tmp_path):
    gen_account(db, account_id="0001234")
    gen_submission(
        db,
        person_id="P-AAAA0001",
        source_ref="000123",
        submitted_at="2025-11-30T15:30:00+00:00",  # 2025-12-01 00:30 in Korea
        name="김 철수",
        phone="01012345678",
        postal_code="01234",
        account_id="0001234",
        account_status="verified",
        account_score=0.9712,
        address="서울특별시 종로구 세종대로 175",
        consent_at="2025-11-30T15:29:00+00:00",
        email_confirmed_at="2025-12-01T00:00:00+00:00",
        notice="email",
        notice_date="2025-11-29",
    )
    _rep, wb, _ = export(db, tmp_path)
    sub = wb["Submissions"]
    row = dict(zip([c.value for c in sub[1]], sub[2], strict=True))
    assert row["Phone"].value == "01012345678" and row["Phone"].data_type == "s"
    assert row["Postal code"].value == "01234" and row["Postal code"].data_type == "s"
    assert row["Source ref"].value == "000123" and row["Source ref"].data_type == "s"
    assert row["Account ID"].value == "0001234" and row["Account ID"].data_type == "s"
    assert row["Submitted at"].is_date
    assert row["Submitted at"].value == datetime(2025, 12, 1, 0, 30)
    assert row["Birth date"].is_date and row["Birth date"].value.date() == date(1985, 3, 14)
    assert row["Name"].value == "김 철수"
    assert row["Address"].value == "서울특별시 종로구 세종대로 175"
    assert row["Match score"].value == pytest.approx(0.9712)
    assert row["Account status"].value == "verified"
    claimant = table(wb["Claimants"])[0]
    assert claimant["Consented at"] == datetime(2025, 12, 1, 0, 29)
    assert claimant["Email confirmed"] == datetime(2025, 12, 1, 9, 0)
    assert claimant["Notice"] == "email" and claimant["Notice date"] == datetime(2025, 11, 29)
    assert claimant["Phone"] == "01012345678" and claimant["Postal code"] == "01234"


def test_unparseable_birth_date_stays_text_as_entered(db, tmp_path):
    gen_submission(db, birth_date="85년 3월")
    gen_submission(db, birth_date="1850-01-01")  # before Excel's calendar
    _rep, wb, _ = export(db, tmp_path)
    assert [r["Birth date"] for r in table(wb["Submissions"])] == ["85년 3월", "1850-01-01"]


INJECTIONS = [
    '=HYPERLINK("http://x","y")',
    "=1+2",
    "@SUM(A1)",
    "+cmd|' /C calc'!A0",
    "-2+3",
    "\t=1+2",
    "\r=1+2",
    "=cmd|' /C calc'!A0",
]


@pytest.mark.parametrize("payload", INJECTIONS)
@pytest.mark.parametrize("field", ["name", "address", "email", "source_ref", "harm_other"])
def test_formula_injection_is_kept_as_visible_text(db, tmp_path, payload, field):
    gen_submission(db, person_id="P-AAAA0001", **{field: payload})
    _rep, wb, out = export(db, tmp_path)
    for xml in sheet_xml(out).values():
        assert "<f>" not in xml and "<f " not in xml
    expected = payload.replace("\r", "\n")  # XML reads a raw CR back as LF
    cells = [c for ws in wb for row in ws.iter_rows() for c in row if c.value == expected]
    assert cells, f"{payload!r} not found"
    for cell in cells:
        assert cell.data_type == "s"
        assert cell.quotePrefix is True


def test_plain_text_needs_no_quote_prefix(db, tmp_path):
    gen_submission(db, name="이영희", phone="+82 10-1234-5678")
    _rep, wb, _ = export(db, tmp_path)
    row = dict(zip(SUBMISSION_HEADERS, wb["Submissions"][2], strict=True))
    assert row["Name"].quotePrefix is False
    assert row["Phone"].value == "+82 10-1234-5678" and row["Phone"].quotePrefix is True


def test_xml_illegal_characters_are_replaced_not_fatal(db, tmp_path):
    gen_submission(db, name="Kim\x00\x07Lee", address="x" * 40_000)
    _rep, wb, _ = export(db, tmp_path)
    row = table(wb["Submissions"])[0]
    assert row["Name"] == "Kim\ufffd\ufffdLee"
    assert len(row["Address"]) == 32_767


def test_sheets_split_at_the_row_limit(db, tmp_path):
    for i in range(5):
        gen_submission(db, person_id=f"P-AAAA000{i}")
    rep, wb, _ = export(db, tmp_path, max_rows_per_sheet=2)
    assert wb.sheetnames == [
        "Summary", "Claimants", "Claimants (2)", "Claimants (3)",
        "Submissions", "Submissions (2)", "Submissions (3)", "Review log",
    ]  # fmt: skip
    assert [wb[t].max_row for t in ("Submissions", "Submissions (2)", "Submissions (3)")] == [
        3, 3, 2,
    ]  # fmt: skip
    for title in ("Submissions (2)", "Claimants (3)"):
        ws = wb[title]
        assert ws.freeze_panes == "A2" and ws["A1"].font.b
        assert ws.auto_filter.ref.startswith("A1:")
    assert [c.value for c in wb["Submissions (3)"][1]] == SUBMISSION_HEADERS
    refs = [r["Claim ID"] for t in wb.sheetnames if t.startswith("Sub") for r in table(wb[t])]
    assert len(refs) == len(set(refs)) == 5
    assert rep.sheets[4:6] == [("Submissions (2)", 2), ("Submissions (3)", 1)]


def test_status_filter_selects_persons_by_best_status(db, tmp_path):
    gen_submission(db, person_id="P-VVVV0001", account_status="verified", account_id="A1")
    gen_submission(db, person_id="P-VVVV0001", account_status="unverified")
    gen_submission(db, person_id="P-UUUU0002", account_status="unverified")
    gen_submission(db, account_status="probable")  # not matched yet
    _rep, wb, _ = export(db, tmp_path, statuses=["verified"])
    assert [r["Person ID"] for r in table(wb["Claimants"])] == ["P-VVVV0001"]
    assert table(wb["Claimants"])[0]["Submissions"] == 2
    assert {r["Person ID"] for r in table(wb["Submissions"])} == {"P-VVVV0001"}
    _rep, wb, _ = export(db, tmp_path, "u.xlsx", statuses=["unverified", "probable"])
    claimants = table(wb["Claimants"])
    assert [(r["Person ID"], r["Account status"]) for r in claimants] == [
        (None, "probable"), ("P-UUUU0002", "unverified"),
    ]  # fmt: skip
    assert len(table(wb["Submissions"])) == 2


def test_date_filter_uses_korean_calendar_days(db, tmp_path):
    gen_submission(db, submitted_at="2025-11-30T14:59:59+00:00")  # 11-30 23:59:59 KST
    gen_submission(db, submitted_at="2025-11-30T15:00:00+00:00")  # 12-01 00:00 KST
    gen_submission(db, submitted_at="2025-12-02T14:59:59+00:00")  # 12-02 23:59:59 KST
    gen_submission(db, submitted_at="2025-12-02T15:00:00+00:00")  # 12-03 KST
    rep, wb, _ = export(db, tmp_path, since="2025-12-01", until=date(2025, 12, 2))
    times = [r["Submitted at"] for r in table(wb["Submissions"])]
    assert times == [datetime(2025, 12, 1, 0, 0), datetime(2025, 12, 2, 23, 59, 59)]
    assert rep.filters == {
        "statuses": ["verified", "probable", "unverified"],
        "since": "2025-12-01",
        "until": "2025-12-02",
    }


def test_date_filter_counts_only_selected_submissions_of_a_person(db, tmp_path):
    gen_submission(db, person_id="P-AAAA0001", submitted_at="2025-11-01T00:00:00+00:00",
                   email="old@naver.com", k_email="old@naver.com")  # fmt: skip
    new = gen_submission(db, person_id="P-AAAA0001", submitted_at="2025-12-05T00:00:00+00:00",
                         email="new@naver.com", k_email="new@naver.com")  # fmt: skip
    _rep, wb, _ = export(db, tmp_path, since="2025-12-01")
    (claimant,) = table(wb["Claimants"])
    assert claimant["Submissions"] == 1 and claimant["Claim IDs"] == new["ref"]
    assert claimant["Email"] == "new@naver.com"


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"statuses": ["approved"]}, "unknown account status"),
        ({"since": "2025-13-01"}, "not a date"),
        ({"since": "2025-12-02", "until": "2025-12-01"}, "after"),
    ],
)
def test_bad_filters_are_refused_before_writing(db, tmp_path, kw, message):
    with pytest.raises(ValueError, match=message):
        write_workbook(db, tmp_path / "x.xlsx", **kw)
    assert not (tmp_path / "x.xlsx").exists()


def test_claimant_row_takes_best_and_most_recent_values(db, tmp_path):
    a = gen_submission(
        db, person_id="P-AAAA0001", submitted_at="2025-12-01T00:00:00+00:00",
        email="good@naver.com", k_email="good@naver.com", phone="010-1111-2222",
        address="서울 강남구 테헤란로 1 101동 1203호", postal_code="06234", k_unit="101-1203",
        consent_at="2025-12-01T00:00:00+00:00", email_confirmed_at="2025-12-01T01:00:00+00:00",
        harms=["phishing"], account_status="probable", account_id="A-9", account_score=0.7,
    )  # fmt: skip
    b = gen_submission(
        db, person_id="P-AAAA0001", submitted_at="2025-12-03T00:00:00+00:00",
        email="good@naver.con", k_email=None, phone="010-3333-4444", name="김철수",
        address="서울 강남구 테헤란로 1", postal_code="99999", k_unit=None,
        consent_at="2025-12-03T00:00:00+00:00", harms=["spam", "phishing"],
        account_status="unverified",
    )  # fmt: skip
    _rep, wb, _ = export(db, tmp_path)
    (c,) = table(wb["Claimants"])
    assert c["Email"] == "good@naver.com"  # newer one is invalid (no key): not the best
    assert c["Phone"] == "010-3333-4444"  # both valid: the most recent
    assert c["Address"] == "서울 강남구 테헤란로 1 101동 1203호"  # the one with a unit
    assert c["Postal code"] == "06234"  # from the same submission as the address
    assert c["Submissions"] == 2 and c["Claim IDs"] == f"{a['ref']}, {b['ref']}"
    assert c["Account status"] == "probable" and c["Account ID"] == "A-9"
    assert c["Match score"] == pytest.approx(0.7)
    assert c["Harms"] == "phishing, spam"
    assert c["Consented at"] == datetime(2025, 12, 1, 9, 0)
    assert c["Email confirmed"] == datetime(2025, 12, 1, 10, 0)


def test_unmatched_submissions_are_their_own_claimants(db, tmp_path):
    gen_submission(db)
    gen_submission(db)
    rep, wb, _ = export(db, tmp_path)
    assert [r["Person ID"] for r in table(wb["Claimants"])] == [None, None]
    assert rep.unmatched == 2
    summary = {r[0]: r[1] for r in wb["Summary"].iter_rows(values_only=True) if r and r[0]}
    assert summary["Not yet matched"] == 2


def test_review_status_and_review_log(db, tmp_path):
    from intake.store.staff import add_user

    uid = add_user(db, "reviewer@firm.example", "correct horse battery", "paralegal")
    s1 = gen_submission(db, person_id="P-AAAA0001")
    s2 = gen_submission(db, person_id="P-AAAA0002")
    s3 = gen_submission(db, person_id="P-AAAA0003")
    s4 = gen_submission(db, person_id="P-AAAA0004", held=1)
    s5 = gen_submission(db, person_id="P-AAAA0005")
    acct = gen_account(db, account_id="0042")
    gen_pair(db, s1["id"], s2["id"])  # undecided -> both pending
    gen_pair(db, s3["id"], acct, kind="link")
    add_decision(db, "link", s3["id"], acct, "same", user_id=uid, note="=1+2 checked")
    gen_pair(db, s5["id"], acct, kind="link")
    d = add_decision(db, "link", s5["id"], acct, "different", user_id=uid)
    undo_decision(db, d, user_id=uid)  # undone: pending again
    rep, wb, _ = export(db, tmp_path)
    status = {r["Claim ID"]: r["Review status"] for r in table(wb["Submissions"])}
    assert status == {
        s1["ref"]: "pending", s2["ref"]: "pending", s3["ref"]: "reviewed",
        s4["ref"]: "held", s5["ref"]: "pending",
    }  # fmt: skip
    log = table(wb["Review log"])
    assert [(r["Decision"], r["Claim ID"], r["Account ID"]) for r in log] == [
        ("same", s3["ref"], "0042"), ("different", s5["ref"], "0042"),
    ]  # fmt: skip
    assert log[0]["Reviewer"] == "reviewer@firm.example" and log[0]["Reviewer ID"] == uid
    assert log[0]["Note"] == "=1+2 checked" and log[0]["Pair kind"] == "link"
    assert isinstance(log[0]["Decided at"], datetime) and log[0]["Undone at"] is None
    assert isinstance(log[1]["Undone at"], datetime) and log[1]["Undone by"] == uid
    assert rep.submissions_by_review == {"pending": 3, "reviewed": 1, "held": 1}


def test_summary_records_what_a_declaration_needs(db, tmp_path):
    gen_submission(db, person_id="P-AAAA0001", account_status="verified")
    gen_submission(db, person_id="P-AAAA0001", submitted_at="2025-12-02T16:00:00+00:00")
    gen_submission(db, person_id="P-AAAA0002", source="import:list.csv",
                   submitted_at="2025-12-02T01:00:00+00:00")  # fmt: skip
    _rep, wb, _ = export(
        db, tmp_path, generated_by="변호사 김", thresholds={"MATCH_UPPER": 0.95,
                                                          "MATCH_LOWER": 0.5}
    )  # fmt: skip
    rows = list(wb["Summary"].iter_rows(values_only=True))
    summary = {r[0]: r[1] for r in rows if r and r[0] is not None}
    assert summary["Generated by"] == "변호사 김"
    assert summary["Software version"].startswith("intake ")
    assert isinstance(summary["Generated at (KST)"], datetime)
    assert summary["MATCH_UPPER"] == 0.95 and summary["MATCH_LOWER"] == 0.5
    assert summary["Submissions"] == 3
    assert summary["Unique persons"] == 2
    assert summary["Duplicates folded"] == 1
    assert summary["Persons verified"] == 1 and summary["Persons unverified"] == 1
    assert summary["Account status"] == "verified, probable, unverified"
    assert summary["Personal data columns"] == "included"
    by_day = {r[0]: r[1:4] for r in rows if isinstance(r[0], datetime)}
    assert by_day[datetime(2025, 12, 2)] == (1, 0, 1)
    assert by_day[datetime(2025, 12, 3)] == (1, 1, 0)
    legend = {r[0]: r[2] for r in rows if r and r[0] in ("verified", "probable", "unverified")}
    assert legend["unverified"] == "미확인" and legend["verified"].startswith("확인됨")


def test_export_is_audited_without_pii(db, tmp_path):
    gen_submission(db, name="박영수", email="park@gmail.com")
    write_workbook(db, tmp_path / "a.xlsx", statuses=["verified"], user_id=7)
    (event,) = audit_events(db, action="export")
    assert event["user_id"] == 7
    detail = json.loads(event["detail"])
    assert detail["filters"]["statuses"] == ["verified"] and detail["submissions"] == 0
    assert "박영수" not in event["detail"] and "park@" not in event["detail"]


def test_writes_to_a_file_object(db, tmp_path):
    gen_submission(db)
    buffer = io.BytesIO()
    rep = write_workbook(db, buffer)
    assert rep.out is None
    wb = load_workbook(io.BytesIO(buffer.getvalue()))
    assert wb["Submissions"].max_row == 2


@pytest.fixture
def cli_env(app, monkeypatch, tmp_path):
    monkeypatch.setenv("INTAKE_DB", app.config["DB"])
    monkeypatch.setenv("INTAKE_INSTANCE", str(tmp_path / "instance"))
    return CliRunner()


def test_cli_export_prints_counts_and_honours_filters(db, tmp_path, cli_env):
    gen_submission(db, person_id="P-AAAA0001", account_status="verified")
    gen_submission(db, person_id="P-AAAA0002")
    out = tmp_path / "cli.xlsx"
    args = ["export", str(out), "--status", "verified", "--minimal", "--no-progress"]
    result = cli_env.invoke(main, args)
    assert result.exit_code == 0, result.output
    assert re.search(r"1 submissions, 1 claimants", result.output)
    assert "Submissions: 1 rows" in result.output
    wb = load_workbook(out)
    assert "Name" not in [c.value for c in wb["Submissions"][1]]
    (event,) = audit_events(db, action="export")
    assert json.loads(event["detail"])["include_pii"] is False


@pytest.mark.parametrize(
    "args",
    [["--status", "verified,bogus"], ["--since", "yesterday"], ["--max-rows-per-sheet", "0"]],
)
def test_cli_export_rejects_bad_options(tmp_path, cli_env, args):
    result = cli_env.invoke(main, ["export", str(tmp_path / "x.xlsx"), *args])
    assert result.exit_code == 2
    assert not (tmp_path / "x.xlsx").exists()


def test_cli_export_help_has_an_example(cli_env):
    result = cli_env.invoke(main, ["export", "--help"])
    assert result.exit_code == 0 and "Example:" in result.output


def test_progress_bar_counts_both_passes(db, tmp_path, capsys):
    for _ in range(3):
        gen_submission(db)
    write_workbook(db, tmp_path / "p.xlsx", progress=True)
    err = capsys.readouterr().err
    assert "export" in err and "6/6" in err


def test_harms_that_are_not_json_are_kept(db, tmp_path):
    gen_submission(db, person_id="P-AAAA0001", harms="phishing")
    _rep, wb, _ = export(db, tmp_path)
    assert table(wb["Claimants"])[0]["Harms"] == "phishing"
