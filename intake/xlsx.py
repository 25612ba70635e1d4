"""A streaming XLSX sheet writer that never lets claimant text become a formula.

openpyxl turns any string starting with ``=`` into a live ``<f>`` formula, and Excel re-parses
``+``/``-``/``@`` text as a formula once somebody edits the cell. OWASP (ASVS 1.2.10) lists
``=``, ``+``, ``-``, ``@``, TAB and CR as triggers. Rather than altering the visible text (a
``'`` prefix shows up in XLSX and would corrupt ``+82 10-…`` phone numbers), such a cell is
written with string type and Excel's *quote prefix* style. Characters XML 1.0 cannot carry
(C0 controls other than TAB/LF/CR) are replaced with U+FFFD so one bad import row cannot abort
an export.

The per-cell work is kept to one regex search per string: plain values go to openpyxl's
write-only ``append`` untouched; only cells that need a style get a ``WriteOnlyCell``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from copy import copy
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

EXCEL_MAX_ROWS = 1_048_576
MAX_CELL_CHARS = 32_767
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# One search per string finds both problems: a leading trigger or an XML-illegal character.
_NEEDS_CARE = re.compile(r"^[=+\-@\t\r]|[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def clean_text(value: str) -> str:
    """Text Excel can store: XML-illegal characters -> U+FFFD, at most 32,767 characters."""
    value = _ILLEGAL.sub("\ufffd", value)
    return value[:MAX_CELL_CHARS]


class Styles:
    """Cell styles built once per workbook (copying a StyleArray is far cheaper than assigning
    Font/Alignment objects to every cell)."""

    def __init__(self, ws: Any) -> None:
        probe = WriteOnlyCell(ws)
        probe.quotePrefix = True
        self.text = probe._style
        probe = WriteOnlyCell(ws)
        probe.font = Font(bold=True)
        probe.alignment = Alignment(vertical="top")
        self.header = probe._style
        probe = WriteOnlyCell(ws)
        probe.font = Font(bold=True)
        self.bold = probe._style


def text_cell(ws: Any, style: Any, value: str) -> WriteOnlyCell:
    """A cell that is a string whatever it starts with (data type 's' + quote prefix)."""
    cell = WriteOnlyCell(ws)
    cell._value = clean_text(value)
    cell.data_type = "s"
    cell._style = copy(style)
    return cell


class SplitSheet:
    """One logical sheet written in write-only mode, continued in ``Title (2)``, ``Title (3)`` …
    when it reaches ``max_rows`` data rows. Every physical sheet gets the bold frozen header,
    the column widths and an autofilter over its rows."""

    def __init__(
        self,
        wb: Workbook,
        title: str,
        headers: Sequence[str],
        widths: Sequence[float],
        *,
        max_rows: int | None = None,
    ) -> None:
        limit = EXCEL_MAX_ROWS - 1
        self.wb = wb
        self.title = title
        self.headers = list(headers)
        self.widths = list(widths)
        self.max_rows = min(max_rows or limit, limit)
        if self.max_rows < 1:
            raise ValueError("max_rows must be at least 1")
        self.sheets: list[tuple[str, int]] = []  # (sheet title, data rows), in order
        self.total = 0
        self._ws: Any = None
        self._rows = 0
        self._new_sheet()

    def _new_sheet(self) -> None:
        self._finish_sheet()
        n = len(self.sheets) + 1
        title = self.title if n == 1 else f"{self.title} ({n})"
        ws = self.wb.create_sheet(title)
        ws.freeze_panes = "A2"
        for i, width in enumerate(self.widths, 1):
            ws.column_dimensions[get_column_letter(i)].width = width
        self._ws = ws
        self._rows = 0
        self.styles = Styles(ws)
        self.sheets.append((title, 0))
        ws.append([text_cell(ws, self.styles.header, h) for h in self.headers])

    def _finish_sheet(self) -> None:
        if self._ws is None:
            return
        last = get_column_letter(len(self.headers))
        self._ws.auto_filter.ref = f"A1:{last}{self._rows + 1}"
        self.sheets[-1] = (self.sheets[-1][0], self._rows)

    def append(self, row: list) -> None:
        """Write one data row (a list, modified in place: risky strings become text cells)."""
        if self._rows >= self.max_rows:
            self._new_sheet()
        ws = self._ws
        for i, value in enumerate(row):
            if value.__class__ is str and _NEEDS_CARE.search(value):
                row[i] = text_cell(ws, self.styles.text, value)
        ws.append(row)
        self._rows += 1
        self.total += 1

    def close(self) -> list[tuple[str, int]]:
        """Set the last sheet's autofilter; returns [(sheet title, data rows), ...]."""
        self._finish_sheet()
        return list(self.sheets)


class PlainSheet:
    """A small free-form sheet (the Summary): safe text, optional bold rows, no splitting."""

    def __init__(self, ws: Any, widths: Sequence[float]) -> None:
        self.ws = ws  # created by the caller (so it can be the first tab yet be written last)
        ws.freeze_panes = "A2"
        for i, width in enumerate(widths, 1):
            self.ws.column_dimensions[get_column_letter(i)].width = width
        self.styles = Styles(self.ws)
        self.rows = 0

    def append(self, row: Sequence[Any], *, bold: bool = False) -> None:
        ws, out = self.ws, []
        for value in row:
            if value.__class__ is str and (bold or _NEEDS_CARE.search(value)):
                style = self.styles.bold if bold else self.styles.text
                value = text_cell(ws, style, value)
            elif bold and value is not None:
                cell = WriteOnlyCell(ws, value=value)
                cell._style = copy(self.styles.bold)
                value = cell
            out.append(value)
        ws.append(out)
        self.rows += 1
