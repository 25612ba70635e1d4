"""The Excel workbook for counsel: Summary, Claimants, Submissions, Review log.

Streaming end to end: SQLite cursors feed openpyxl's write-only sheets, so memory stays flat
for millions of rows. All sheets come from one read snapshot; the export is audited (filters
and row counts only, never PII). Header names are a contract: see ``intake.export_rows`` and
docs/export.md.
"""

from __future__ import annotations

import time as _time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

import sqlite_utils
from openpyxl import Workbook

from . import __version__
from .export_rows import (
    CLAIMANT_COLUMNS,
    REVIEW_COLUMNS,
    SUBMISSION_COLUMNS,
    claimant_row,
    keep,
    person_groups,
    submission_sheet_rows,
    to_datetime,
)
from .export_summary import write_summary
from .store import audit as audit_log
from .store import report
from .store.report import KST, STATUSES, Filters
from .xlsx import SplitSheet

SHEETS = ("Summary", "Claimants", "Submissions", "Review log")
_PROGRESS_EVERY = 2000


@dataclass
class ExportReport:
    """What was written: sheet titles with data-row counts and the headline numbers."""

    out: str | None
    filters: dict[str, Any]
    include_pii: bool
    generated_at: datetime
    generated_by: str | None
    sheets: list[tuple[str, int]] = field(default_factory=list)
    submissions: int = 0
    claimants: int = 0
    unmatched: int = 0  # submissions the matcher has not placed yet (one claimant row each)
    review_log: int = 0
    claimants_by_status: dict[str, int] = field(default_factory=dict)
    submissions_by_review: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def audit_detail(self) -> dict[str, Any]:
        """Filters and counts only: safe for the audit log."""
        return {
            "filters": self.filters,
            "include_pii": self.include_pii,
            "submissions": self.submissions,
            "claimants": self.claimants,
            "unmatched": self.unmatched,
            "review_log": self.review_log,
            "sheets": [list(s) for s in self.sheets],
        }


def parse_day(value: date | str | None) -> date | None:
    """A filter day from a date or 'YYYY-MM-DD' text (a clear error otherwise)."""
    if value is None or isinstance(value, date):
        return value.date() if isinstance(value, datetime) else value
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"not a date (use YYYY-MM-DD): {value!r}") from None


def matcher_settings(config: Mapping[str, Any]) -> dict[str, Any]:
    """The matcher settings a Summary records (``thresholds``): the bands, and the household
    size, since with 0 family members who share a home were merged into one claimant."""
    from .match.settings import MatchSettings

    s = MatchSettings.from_config(config)
    return {
        "MATCH_UPPER": s.upper,
        "MATCH_LOWER": s.lower,
        "MATCH_HOUSEHOLD_SIZE": s.household_size,
    }


def write_workbook(
    db: sqlite_utils.Database,
    out: str | Path | IO[bytes],
    *,
    statuses: Sequence[str] | None = None,
    since: date | str | None = None,
    until: date | str | None = None,
    include_pii: bool = True,
    generated_by: str | None = None,
    max_rows_per_sheet: int | None = None,
    progress: bool = False,
    thresholds: Mapping[str, Any] | None = None,
    user_id: int | None = None,
    audit: bool = True,
) -> ExportReport:
    """Write the counsel workbook to ``out`` (a path or a binary file object) and audit it.

    ``statuses`` selects claimants by account status; ``since``/``until`` are inclusive KST
    days on the filing time; ``include_pii=False`` drops contact columns (``--minimal``).
    ``thresholds`` (e.g. MATCH_UPPER/MATCH_LOWER) are recorded in the Summary.
    """
    started = _time.perf_counter()
    filters = Filters(
        statuses=tuple(statuses) if statuses else None,
        since=parse_day(since),
        until=parse_day(until),
    )
    rep = ExportReport(
        out=str(out) if isinstance(out, str | Path) else None,
        filters={
            "statuses": list(filters.statuses or STATUSES),
            "since": filters.since.isoformat() if filters.since else None,
            "until": filters.until.isoformat() if filters.until else None,
        },
        include_pii=include_pii,
        generated_at=datetime.now(KST).replace(tzinfo=None, microsecond=0),
        generated_by=generated_by,
    )
    wb = Workbook(write_only=True)
    wb.properties.creator = f"intake {__version__}"
    wb.properties.title = "Claimant export"
    bar = _progress(db, filters, progress)
    with report.snapshot(db):
        summary_sheet = wb.create_sheet(SHEETS[0])  # first tab, filled in last
        _claimants(wb, db, filters, rep, include_pii, max_rows_per_sheet, bar)
        _submissions(wb, db, filters, rep, include_pii, max_rows_per_sheet, bar)
        _review_log(wb, db, filters, rep, include_pii, max_rows_per_sheet)
        write_summary(summary_sheet, db, filters, rep, thresholds or {})
    if bar is not None:
        bar.close()
    wb.save(out)
    rep.seconds = _time.perf_counter() - started
    if audit:
        audit_log.audit(db, "export", user_id=user_id, target="export:xlsx", **rep.audit_detail())
    return rep


def _progress(db: sqlite_utils.Database, filters: Filters, enabled: bool):
    if not enabled:
        return None
    from tqdm import tqdm

    total = report.count_selected(db, filters)
    return tqdm(total=2 * total, unit="row", desc="export", mininterval=0.5)


def _sheet(wb, title, columns, idx, max_rows) -> SplitSheet:
    return SplitSheet(
        wb,
        title,
        [columns[i][0] for i in idx],
        [columns[i][-1] for i in idx],
        max_rows=max_rows,
    )


def _claimants(wb, db, filters, rep, include_pii, max_rows, bar) -> None:
    idx = keep([c[0] for c in CLAIMANT_COLUMNS], include_pii)
    full = len(idx) == len(CLAIMANT_COLUMNS)
    sheet = _sheet(wb, SHEETS[1], CLAIMANT_COLUMNS, idx, max_rows)
    by_status = dict.fromkeys(STATUSES, 0)
    done = 0
    for group in person_groups(report.person_rows(db, filters)):
        row, status, selected = claimant_row(group)
        if not selected:
            continue
        by_status[status] += 1
        if row[0] is None:
            rep.unmatched += 1
        sheet.append(row if full else [row[i] for i in idx])
        done += selected
        if bar is not None and done >= _PROGRESS_EVERY:
            bar.update(done)
            done = 0
    if bar is not None:
        bar.update(done)
    rep.sheets += sheet.close()
    rep.claimants = sheet.total
    rep.claimants_by_status = by_status


def _submissions(wb, db, filters, rep, include_pii, max_rows, bar) -> None:
    idx = keep([c[0] for c in SUBMISSION_COLUMNS], include_pii)
    fields = [SUBMISSION_COLUMNS[i][1] for i in idx]
    sheet = _sheet(wb, SHEETS[2], SUBMISSION_COLUMNS, idx, max_rows)
    counts: dict[str, int] = {}
    rows = submission_sheet_rows(report.submission_rows(db, filters, fields), fields, counts)
    append = sheet.append
    if bar is None:
        for row in rows:
            append(row)
    else:
        for n, row in enumerate(rows, 1):
            append(row)
            if n % _PROGRESS_EVERY == 0:
                bar.update(_PROGRESS_EVERY)
        bar.update(sheet.total % _PROGRESS_EVERY)
    rep.sheets += sheet.close()
    rep.submissions = sheet.total
    rep.submissions_by_review = counts


def _review_log(wb, db, filters, rep, include_pii, max_rows) -> None:
    idx = keep([c[0] for c in REVIEW_COLUMNS], include_pii)
    sheet = _sheet(wb, SHEETS[3], REVIEW_COLUMNS, idx, max_rows)
    for t in report.review_log_rows(db, filters):
        row = list(t)
        row[1] = to_datetime(row[1])
        row[10] = to_datetime(row[10])
        sheet.append([row[i] for i in idx])
    rep.sheets += sheet.close()
    rep.review_log = sheet.total
