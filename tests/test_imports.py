"""The one reader behind import-accounts and import-claims: encodings, formats, header aliases,
--map, per-row problems. Real files in tmp_path (CSV in each encoding, TSV, XLSX via openpyxl)."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest

from intake.imports import (
    ImportFormatError,
    detect_encoding,
    open_table,
    parse_mapping,
    read_table,
)

HEADER = ["이름", "이메일", "휴대폰", "주소", "우편번호", "회원번호"]
ROW = ["김민준", "minjun@naver.com", "010-1234-5678", "서울 강남구 테헤란로 142", "06236", "A1"]
EXPECTED = {
    "name": "김민준",
    "email": "minjun@naver.com",
    "phone": "010-1234-5678",
    "address": "서울 강남구 테헤란로 142",
    "postal_code": "06236",
    "account_id": "A1",
}


def gen_csv(path: Path, rows: list[list[str]], *, encoding="utf-8", delimiter=",") -> Path:
    """Write rows (header first) as a delimited text file in the given encoding."""
    with open(path, "w", encoding=encoding, newline="") as fh:
        csv.writer(fh, delimiter=delimiter).writerows(rows)
    return path


def gen_xlsx(path: Path, rows: list[list[object]]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


@pytest.mark.parametrize(
    "name, encoding, delimiter, detected",
    [
        ("utf8.csv", "utf-8", ",", "utf-8"),
        ("bom.csv", "utf-8-sig", ",", "utf-8-sig"),
        ("excel.csv", "cp949", ",", "cp949"),
        ("euckr.csv", "euc_kr", ",", "cp949"),
        ("tabs.tsv", "utf-8", "\t", "utf-8"),
        ("tabs-as.txt", "cp949", "\t", "cp949"),
    ],
)
def test_text_encodings_and_delimiters(tmp_path, name, encoding, delimiter, detected):
    path = gen_csv(tmp_path / name, [HEADER, ROW], encoding=encoding, delimiter=delimiter)
    assert detect_encoding(path) == detected
    rows = list(read_table(path))
    assert rows == [(2, EXPECTED, [])]


def test_xlsx_streams_rows_and_restores_leading_zeros(tmp_path):
    path = gen_xlsx(
        tmp_path / "list.xlsx",
        [HEADER, ROW, ["이서연", None, 1099998888, "부산 해운대구 센텀중앙로 79", 4524, 7]],
    )
    rows = list(read_table(path))
    assert rows[0] == (2, EXPECTED, [])
    line, record, problems = rows[1]
    assert line == 3 and problems == []
    # Excel stored the phone and postcode as numbers and dropped their leading zeros
    assert record["phone"] == "01099998888"
    assert record["postal_code"] == "04524"
    assert record["account_id"] == "7" and record["email"] is None


@pytest.mark.parametrize(
    "header, field",
    [
        ("성명", "name"),
        ("이름", "name"),
        ("Name", "name"),
        ("고객명", "name"),
        ("E-mail", "email"),
        ("이메일 주소", "email"),
        ("전화번호", "phone"),
        ("연락처", "phone"),
        ("휴대전화", "phone"),
        ("Phone Number", "phone"),
        ("address", "address"),
        ("우편번호", "postal_code"),
        ("postal_code", "postal_code"),
        ("ZIP", "postal_code"),
        ("생년월일", "birth_date"),
        ("birth_date", "birth_date"),
        ("계정ID", "account_id"),
        ("회원번호", "account_id"),
        ("account_id", "account_id"),
        ("ref", "ref"),
        ("접수번호", "ref"),
    ],
)
def test_header_aliases(tmp_path, header, field):
    path = gen_csv(tmp_path / "a.csv", [["name", header] if field != "name" else [header], ROW])
    table = open_table(path, kind="accounts")
    assert field in table.columns
    assert table.header[table.columns[field]] == header


def test_map_overrides_aliases_and_reports_unmapped(tmp_path):
    path = gen_csv(
        tmp_path / "form.csv",
        [["고객 이름", "메일", "비고", "이름"], ["김민준", "m@naver.com", "x", "별명"]],
    )
    table = open_table(path, kind="claims", mapping=parse_mapping(["name=고객 이름"]))
    (line, record, _problems, _cells) = next(table.rows())
    assert record["name"] == "김민준" and record["email"] == "m@naver.com"
    assert table.unmapped == ["비고", "이름"]


@pytest.mark.parametrize(
    "pairs, message",
    [
        (["nickname=별명"], "unknown field 'nickname'"),
        (["name"], "expected field=Column"),
        (["name="], "expected field=Column"),
    ],
)
def test_parse_mapping_errors(pairs, message):
    with pytest.raises(ImportFormatError, match=message):
        parse_mapping(pairs)


def test_map_to_missing_column_names_the_headers(tmp_path):
    path = gen_csv(tmp_path / "a.csv", [HEADER, ROW])
    with pytest.raises(ImportFormatError, match="no such column.*이메일"):
        open_table(path, kind="accounts", mapping={"name": "고객명"})


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_no_identifying_column_is_a_clear_error(tmp_path, suffix):
    rows = [["주소", "메모"], ["서울", "x"]]
    path = tmp_path / f"a{suffix}"
    gen_xlsx(path, rows) if suffix == ".xlsx" else gen_csv(path, rows)
    with pytest.raises(ImportFormatError, match="no identifying column"):
        open_table(path, kind="accounts")


def test_unsupported_type_and_broken_xlsx(tmp_path):
    (tmp_path / "a.pdf").write_bytes(b"%PDF")
    with pytest.raises(ImportFormatError, match="unsupported file type"):
        open_table(tmp_path / "a.pdf", kind="accounts")
    (tmp_path / "b.xlsx").write_bytes(b"not a zip")
    with pytest.raises(ImportFormatError, match="not a readable XLSX"):
        open_table(tmp_path / "b.xlsx", kind="accounts")


def test_row_problems_and_line_numbers(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text(
        "이름,이메일,주소,상세주소\n"
        "김민준,m@naver.com,서울 강남구 테헤란로 142,101동 1203호\n"
        "\n"  # blank line: not a row
        '"이서연",s@naver.com,"부산\n해운대구",\n'  # quoted newline: the row starts on line 4
        "박도윤,p@naver.com\n"
        "최,하은,c@naver.com,서울,x\n",
        encoding="utf-8",
    )
    rows = list(read_table(path))
    assert [r[0] for r in rows] == [2, 4, 6, 7]
    assert rows[0][1]["address"] == "서울 강남구 테헤란로 142 101동 1203호"
    assert rows[1][1]["address"] == "부산\n해운대구"
    assert rows[2][2] == ["short_row"]
    assert rows[3][2] == ["too_many_cells:5>4"]


def test_undecodable_bytes_are_a_row_problem_not_a_crash(tmp_path):
    path = tmp_path / "mixed.csv"
    body = "이름,이메일\n김민준,m@naver.com\n".encode() + "이서연,s@x.com\n".encode("cp949")
    path.write_bytes(body)
    rows = list(read_table(path, encoding="utf-8"))
    assert rows[0][2] == [] and rows[1][2] == ["encoding"]
    assert rows[1][1]["email"] == "s@x.com"
