"""The one reader behind ``import-accounts`` and ``import-claims``: CSV/TSV/XLSX in, vocabulary
records out, one row at a time (constant memory however big the file).

Korean Excel saves CSV as CP949 by default, Google Forms as UTF-8, some tools add a BOM, so the
encoding is detected (strict UTF-8 on a sample, else CP949). Headers are mapped through Korean
and English aliases, overridable with ``--map field=Column``. Nothing here knows SQL.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path

FIELDS = ("name", "email", "phone", "address", "postal_code", "birth_date", "account_id", "ref")
IDENTIFYING = ("name", "email", "phone", "account_id")
SAMPLE_BYTES = 1 << 20
BLOCK_BYTES = 1 << 20  # raw bytes decoded at a time by :meth:`Table.checked_cells`

# Header aliases, compared after _header_key (casefold, spaces/underscores/dashes/dots removed).
ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("이름", "성명", "성함", "고객명", "회원명", "이름(실명)", "name", "fullname"),
    "email": ("이메일", "이메일주소", "전자우편", "메일", "email", "emailaddress", "mail"),
    "phone": (
        "휴대폰",
        "휴대폰번호",
        "휴대전화",
        "휴대전화번호",
        "핸드폰",
        "핸드폰번호",
        "전화번호",
        "전화",
        "연락처",
        "phone",
        "phonenumber",
        "mobile",
        "cellphone",
        "tel",
    ),
    "address": ("주소", "배송지", "배송지주소", "도로명주소", "address", "addr"),
    "address_detail": ("상세주소", "주소상세", "addressdetail", "address2", "detail"),
    "postal_code": ("우편번호", "postalcode", "postcode", "zip", "zipcode"),
    "birth_date": ("생년월일", "생일", "birthdate", "dateofbirth", "dob", "birthday"),
    "account_id": ("회원번호", "계정id", "계정", "회원id", "accountid", "memberid", "account"),
    "ref": ("ref", "참조", "참조번호", "접수번호", "응답번호", "reference", "sourceref"),
}
_ALIAS_TO_FIELD = {alias: f for f, names in ALIASES.items() for alias in names}
_HEADER_STRIP = re.compile(r"[\s_\-.·]+")
_SURROGATE = re.compile("[\udc80-\udcff]")


class ImportFormatError(ValueError):
    """The file cannot be read at all (unknown type, no header, no identifying column)."""


@dataclass
class Table:
    """An open input: its format, detected encoding, header and the column of each field."""

    path: Path
    kind: str
    format: str  # 'csv' | 'tsv' | 'xlsx'
    encoding: str | None
    header: list[str]
    columns: dict[str, int]  # vocabulary field -> column index
    unmapped: list[str] = field(default_factory=list)

    def rows(self, *, start_after: int = 0) -> Iterator[tuple[int, dict, list[str], list[str]]]:
        """(line_no, record, problems, cells) for each data row after line ``start_after``."""
        mapper = self.mapper()
        for line, cells in self.cells(start_after=start_after):
            record, problems = mapper(cells)
            yield line, record, problems, cells

    def cells(self, *, start_after: int = 0) -> Iterator[tuple[int, list[str]]]:
        """(line_no, raw cells) for each non-blank data row after line ``start_after``."""
        source = self._xlsx_rows() if self.format == "xlsx" else self._text_rows()
        return _skip(source, start_after)

    def checked_cells(self, *, start_after: int = 0) -> Iterator[tuple[int, list[str], bool]]:
        """(line_no, raw cells, suspect) like :meth:`cells`, for the bulk loader.

        Why: the text is decoded a block of ~1 MB at a time, and ``suspect`` is False when that
        block (and the one before it) decoded without a single bad byte, so the row needs no
        per-row check for undecodable bytes (the ``encoding`` problem of :class:`RowMapper`).
        """
        if self.format == "xlsx":
            for line, cells in self.cells(start_after=start_after):
                yield line, cells, False
            return
        state = [False, False]  # bad bytes in [the previous block, this block]

        def blocks() -> Iterator[io.StringIO]:
            for text in _text_blocks(self.path, self.encoding or "utf-8"):
                state[0], state[1] = state[1], _SURROGATE.search(text) is not None
                yield io.StringIO(text, newline="")

        lines = chain.from_iterable(blocks())  # no Python frame per line
        reader = csv.reader(lines, delimiter="\t" if self.format == "tsv" else ",")
        next(reader, None)
        end = reader.line_num
        for cells in reader:
            line, end = end + 1, reader.line_num
            # blank lines and all-empty rows (Excel's formatted-but-empty rows) are not rows
            if line <= start_after or not cells:
                continue
            first = cells[0]
            if (first and not first.isspace()) or any(c and not c.isspace() for c in cells):
                yield line, cells, state[0] or state[1]

    def mapper(self) -> RowMapper:
        """The picklable cells -> record function of this table."""
        return RowMapper(self.header, self.columns)

    def _text_rows(self) -> Iterator[tuple[int, list[str]]]:
        delimiter = "\t" if self.format == "tsv" else ","
        with open(self.path, encoding=self.encoding, errors="surrogateescape", newline="") as fh:
            reader = csv.reader(fh, delimiter=delimiter)
            next(reader, None)
            end = reader.line_num
            for cells in reader:
                yield end + 1, cells
                end = reader.line_num

    def _xlsx_rows(self) -> Iterator[tuple[int, list[str]]]:
        import openpyxl

        wb = openpyxl.load_workbook(self.path, read_only=True, data_only=True)
        try:
            rows = wb.worksheets[0].iter_rows(values_only=True)
            next(rows, None)
            phone, postcode = self.columns.get("phone"), self.columns.get("postal_code")
            for line, values in enumerate(rows, start=2):
                cells = [_cell_text(v) for v in values]
                # Excel stores 01012345678 / 04524 as numbers and drops the leading zero.
                for i, width in ((phone, (9, 10)), (postcode, (4,))):
                    numeric = (
                        i is not None and i < len(values) and isinstance(values[i], int | float)
                    )
                    if numeric and len(cells[i]) in width:
                        cells[i] = "0" + cells[i]
                yield line, cells
        finally:
            wb.close()


def open_table(
    path: str | Path,
    *,
    kind: str,
    mapping: Mapping[str, str] | None = None,
    encoding: str | None = None,
) -> Table:
    """Open ``path``, detect its format/encoding and map its header to the vocabulary.

    ``mapping`` ({field: column header}) overrides the aliases. Raises ImportFormatError with a
    message that names the problem (and the headers found; headers are not personal data).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        fmt, enc, header = "xlsx", None, _xlsx_header(path)
    elif suffix in (".csv", ".tsv", ".tab", ".txt"):
        enc = encoding or detect_encoding(path)
        with open(path, encoding=enc, errors="replace", newline="") as fh:
            first = fh.readline()
        fmt = "tsv" if suffix in (".tsv", ".tab") or first.count("\t") > first.count(",") else "csv"
        header = next(csv.reader([first], delimiter="\t" if fmt == "tsv" else ","), [])
    else:
        raise ImportFormatError(f"{path.name}: unsupported file type {suffix!r} (use CSV/TSV/XLSX)")
    header = [h.strip().lstrip("\ufeff") for h in header]
    if not any(header):
        raise ImportFormatError(f"{path.name}: the first row must be a header row")
    columns, unmapped = map_header(header, mapping)
    usable = ("name", "email", "phone") if kind == "claims" else IDENTIFYING
    if not any(f in columns for f in usable):
        raise ImportFormatError(
            f"{path.name}: no identifying column ({', '.join(usable)}) found. "
            f"Headers: {header}. Map one with --map name=<Column>."
        )
    return Table(path, kind, fmt, enc, header, columns, unmapped)


def read_table(
    path: str | Path,
    *,
    mapping: Mapping[str, str] | None = None,
    kind: str = "accounts",
    encoding: str | None = None,
) -> Iterator[tuple[int, dict, list[str]]]:
    """Yield (line_no, record, problems) per data row; the interface other areas call."""
    for line, record, problems, _cells in open_table(
        path, kind=kind, mapping=mapping, encoding=encoding
    ).rows():
        yield line, record, problems


def detect_encoding(path: str | Path) -> str:
    """'utf-8-sig' (BOM), 'utf-8' when a sample decodes strictly, else 'cp949' (Korean Excel)."""
    with open(path, "rb") as fh:
        sample = fh.read(SAMPLE_BYTES)
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")("strict").decode(sample, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        codecs.getincrementaldecoder("cp949")("strict").decode(sample, final=False)
        return "cp949"
    except UnicodeDecodeError:
        return "utf-8"  # neither: read as UTF-8; a bad byte becomes U+FFFD, row flagged 'encoding'


def parse_mapping(pairs: tuple[str, ...] | list[str]) -> dict[str, str]:
    """``['name=고객 이름', ...]`` -> {'name': '고객 이름'}; unknown fields are an error."""
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, column = pair.partition("=")
        key = key.strip()
        if not sep or not column.strip():
            raise ImportFormatError(f"--map {pair!r}: expected field=Column")
        if key not in ALIASES:
            raise ImportFormatError(
                f"--map {pair!r}: unknown field {key!r}; fields are {', '.join(ALIASES)}"
            )
        out[key] = column.strip()
    return out


def map_header(
    header: list[str], mapping: Mapping[str, str] | None = None
) -> tuple[dict[str, int], list[str]]:
    """Column index per vocabulary field, and the headers left unmapped."""
    columns: dict[str, int] = {}
    keys = [_header_key(h) for h in header]
    for f, column in (mapping or {}).items():
        if column in header:
            columns[f] = header.index(column)
        elif _header_key(column) in keys:
            columns[f] = keys.index(_header_key(column))
        else:
            raise ImportFormatError(f"--map {f}={column}: no such column. Headers: {header}")
    taken = set(columns.values())
    for i, key in enumerate(keys):
        f = _ALIAS_TO_FIELD.get(key)
        if f and f not in columns and i not in taken:
            columns[f] = i
            taken.add(i)
    unmapped = [h for i, h in enumerate(header) if i not in taken and h]
    return columns, unmapped


def _header_key(h: str) -> str:
    return _HEADER_STRIP.sub("", h.strip().lstrip("\ufeff").casefold())


class RowMapper:
    """Cells of one row -> (record, problems). Plain data, so worker processes can use it."""

    def __init__(self, header: list[str], columns: dict[str, int]) -> None:
        self.width = len(header)
        self.items = [(f, i) for f, i in columns.items() if f != "address_detail"]
        self.detail = columns.get("address_detail")

    def __call__(self, cells: list[str]) -> tuple[dict, list[str]]:
        problems: list[str] = []
        n, width = len(cells), self.width
        if n == width:  # the common case: no bounds checks
            record = {f: cells[i].strip() or None for f, i in self.items}
        else:
            if n > width and any(c.strip() for c in cells[width:]):
                problems.append(f"too_many_cells:{n}>{width}")
            elif n < width:
                problems.append("short_row")
            record = {f: (cells[i].strip() if i < n else "") or None for f, i in self.items}
        if self.detail is not None and self.detail < n and cells[self.detail].strip():
            extra = cells[self.detail].strip()
            record["address"] = f"{record.get('address') or ''} {extra}".strip()
        if _SURROGATE.search("".join(cells)):
            problems.append("encoding")
            for f, v in record.items():
                if v and _SURROGATE.search(v):
                    record[f] = v.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        return record, problems


def _skip(
    source: Iterator[tuple[int, list[str]]], start_after: int
) -> Iterator[tuple[int, list[str]]]:
    for line, cells in source:
        # blank lines and all-empty rows (Excel's formatted-but-empty rows) are not rows
        if line <= start_after or not cells:
            continue
        first = cells[0]
        if (first and not first.isspace()) or any(c and not c.isspace() for c in cells):
            yield line, cells


def _text_blocks(path: Path, encoding: str) -> Iterator[str]:
    """The decoded text of ``path`` in blocks that end at a line feed.

    Cutting after b"\\n" never splits a character: no byte of a UTF-8 or CP949 multi-byte
    sequence is 0x0A. Decoding as :func:`open` with ``errors="surrogateescape"`` would."""
    decoder = codecs.getincrementaldecoder(encoding)("surrogateescape")
    rest = b""
    with open(path, "rb") as fh:
        while chunk := fh.read(BLOCK_BYTES):
            data = rest + chunk if rest else chunk
            cut = data.rfind(b"\n") + 1
            if cut == 0:
                rest = data
                continue
            rest = data[cut:]
            yield decoder.decode(data[:cut])
    tail = decoder.decode(rest, final=True)
    if tail:
        yield tail


def _xlsx_header(path: Path) -> list[str]:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # zipfile.BadZipFile, KeyError, InvalidFileException ...
        raise ImportFormatError(f"{path.name}: not a readable XLSX file ({exc})") from None
    try:
        first = next(wb.worksheets[0].iter_rows(max_row=1, values_only=True), ())
    finally:
        wb.close()
    return [_cell_text(v) for v in first]


def _cell_text(value: object) -> str:
    """Excel cell -> text: integral floats without '.0', dates as ISO, None as ''."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)
