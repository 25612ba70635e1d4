"""SQL for the Excel export: streaming cursors and summary counts, one consistent snapshot.

Every query streams (a cursor, never ``fetchall`` on submissions), so memory stays flat whatever
the row count. Times are converted to Korea Standard Time (UTC+9, no DST) in SQL and returned as
naive ``YYYY-MM-DD HH:MM:SS`` text; the export turns them into real Excel dates.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone

import sqlite_utils

KST = timezone(timedelta(hours=9), "KST")
STATUSES = ("verified", "probable", "unverified")
_RANK = "CASE {0} WHEN 'verified' THEN 0 WHEN 'probable' THEN 1 ELSE 2 END"

# Review status of a submission: held > pending > reviewed > none.
_LIVE = "undone_at IS NULL AND decision != 'skip'"
_PENDING = f"""
    SELECT p.id_l FROM pairs p WHERE p.band = 'review' AND NOT EXISTS (
        SELECT 1 FROM decisions d WHERE d.kind = p.kind AND d.id_l = p.id_l
        AND d.id_r = p.id_r AND {_LIVE})
    UNION SELECT p.id_r FROM pairs p WHERE p.kind = 'dedup' AND p.band = 'review'
    AND NOT EXISTS (
        SELECT 1 FROM decisions d WHERE d.kind = p.kind AND d.id_l = p.id_l
        AND d.id_r = p.id_r AND {_LIVE})"""
_DECIDED = f"""
    SELECT id_l FROM decisions WHERE {_LIVE}
    UNION SELECT id_r FROM decisions WHERE kind = 'dedup' AND {_LIVE}"""
REVIEW_STATUS_SQL = f"""CASE WHEN s.held THEN 'held'
    WHEN s.id IN ({_PENDING}) THEN 'pending'
    WHEN s.id IN ({_DECIDED}) THEN 'reviewed' ELSE 'none' END"""


def kst(column: str) -> str:
    """SQL expression: an ISO UTC text column as naive KST 'YYYY-MM-DD HH:MM:SS'."""
    return f"datetime({column}, '+9 hours')"


@dataclass(frozen=True)
class Filters:
    """Which submissions an export covers. ``since``/``until`` are inclusive KST calendar days;
    ``statuses`` select *persons* by their best account status (a person is verified when any of
    their submissions is), so a claimant never appears under two statuses."""

    statuses: tuple[str, ...] | None = None
    since: date | None = None
    until: date | None = None

    def __post_init__(self) -> None:
        if self.statuses is not None:
            bad = [s for s in self.statuses if s not in STATUSES]
            if bad:
                raise ValueError(f"unknown account status {bad[0]!r}; use one of {STATUSES}")
        if self.since and self.until and self.since > self.until:
            raise ValueError("'since' is after 'until'")

    def _utc(self, day: date) -> str:
        moment = datetime.combine(day, time(0), KST).astimezone(UTC)
        return moment.isoformat(timespec="seconds")

    def date_sql(self, alias: str = "s") -> tuple[str, list[str]]:
        """(SQL condition, params) on submitted_at; uses the index (bounds converted to UTC)."""
        parts, params = [], []
        if self.since:
            parts.append(f"{alias}.submitted_at >= ?")
            params.append(self._utc(self.since))
        if self.until:
            parts.append(f"{alias}.submitted_at < ?")
            params.append(self._utc(self.until + timedelta(days=1)))
        return (" AND ".join(parts) or "1"), params

    def where(self, alias: str = "s") -> tuple[str, list[str]]:
        """(SQL condition, params) selecting submissions: date range and person status."""
        cond, params = self.date_sql(alias)
        if self.statuses is not None and set(self.statuses) != set(STATUSES):
            ranks = ", ".join(str(STATUSES.index(s)) for s in self.statuses)
            own = _RANK.format(f"{alias}.account_status")
            cond += (
                f" AND (CASE WHEN {alias}.person_id IS NULL THEN {own} ELSE ("
                f"SELECT MIN({_RANK.format('x.account_status')}) FROM submissions_with_matches x"
                f" WHERE x.person_id = {alias}.person_id) END) IN ({ranks})"
            )
        return cond, params


@contextmanager
def snapshot(db: sqlite_utils.Database) -> Iterator[None]:
    """One read transaction around the whole export: WAL gives every sheet the same snapshot
    while the public form keeps accepting claims."""
    conn = db.conn
    own = not conn.in_transaction
    if own:
        conn.execute("BEGIN")
    try:
        yield
    finally:
        if own and conn.in_transaction:
            conn.execute("COMMIT")


SUBMISSION_FIELDS = {
    "ref": "s.ref",
    "source_ref": "s.source_ref",
    "person_id": "s.person_id",
    "submitted_at": kst("s.submitted_at"),
    "source": "s.source",
    "name": "s.name",
    "email": "s.email",
    "phone": "s.phone",
    "address": "s.address",
    "postal_code": "s.postal_code",
    "birth_date": "s.birth_date",
    "account_status": "s.account_status",
    "account_id": "s.account_id",
    "account_score": "s.account_score",
    "review_status": REVIEW_STATUS_SQL,
}


def count_selected(db: sqlite_utils.Database, filters: Filters) -> int:
    """How many submissions the filters select (sizes the progress bar)."""
    cond, params = filters.where()
    return db.execute(
        f"SELECT count(*) FROM submissions_with_matches s WHERE {cond}", params
    ).fetchone()[0]


def submission_rows(
    db: sqlite_utils.Database, filters: Filters, fields: Sequence[str]
) -> Iterator[tuple]:
    """Selected submissions in id order, as tuples of ``fields`` (keys of SUBMISSION_FIELDS)."""
    cond, params = filters.where()
    cols = ", ".join(SUBMISSION_FIELDS[f] for f in fields)
    cursor = db.execute(
        f"SELECT {cols} FROM submissions_with_matches s WHERE {cond} ORDER BY s.id", params
    )
    cursor.arraysize = 1000
    yield from cursor


PERSON_FIELDS = (
    "id", "ref", "person_id", "in_range", "name", "email", "phone", "address", "postal_code",
    "birth_date", "k_name", "k_email", "k_phone", "k_birth", "k_addr", "k_unit",
    "account_status", "account_id", "account_score", "harms", "harm_other", "notice",
    "notice_date", "consent_at", "email_confirmed_at",
)  # fmt: skip


def person_rows(db: sqlite_utils.Database, filters: Filters) -> Iterator[tuple]:
    """Every submission of every person with at least one selected submission, ordered by
    person (unmatched submissions, person_id NULL, first) then filing time. ``in_range`` is 1
    for the selected ones. Times are KST text."""
    cond, params = filters.where()
    date_cond, date_params = filters.date_sql()
    cols = []
    for f in PERSON_FIELDS:
        if f == "in_range":
            cols.append(f"({date_cond}) AS in_range")
        elif f in ("consent_at", "email_confirmed_at"):
            cols.append(kst(f"s.{f}"))
        else:
            cols.append(f"s.{f}")
    sql = f"SELECT {', '.join(cols)} FROM submissions_with_matches s"
    all_params: list = list(date_params)
    if cond != "1":
        sql += (
            f" WHERE (s.person_id IS NULL AND {cond}) OR s.person_id IN ("
            "SELECT s.person_id FROM submissions_with_matches s"
            f" WHERE s.person_id IS NOT NULL AND {cond})"
        )
        all_params += params + params
    sql += " ORDER BY s.person_id, s.submitted_at, s.id"
    cursor = db.execute(sql, all_params)
    cursor.arraysize = 1000
    yield from cursor


REVIEW_FIELDS = (
    "d.id", kst("d.decided_at"), "d.user_id", "u.email", "d.kind", "sl.ref",
    "CASE WHEN d.kind = 'dedup' THEN sr.ref END", "CASE WHEN d.kind = 'link' THEN a.account_id END",
    "d.decision", "d.note", kst("d.undone_at"), "d.undone_by",
)  # fmt: skip


def review_log_rows(db: sqlite_utils.Database, filters: Filters) -> Iterator[tuple]:
    """Every review decision (undone ones included, with when/who undid them) touching a
    selected submission, oldest first."""
    cond, params = filters.where()
    sql = (
        f"SELECT {', '.join(REVIEW_FIELDS)} FROM decisions d"
        " LEFT JOIN users u ON u.id = d.user_id"
        " LEFT JOIN submissions sl ON sl.id = d.id_l"
        " LEFT JOIN submissions sr ON d.kind = 'dedup' AND sr.id = d.id_r"
        " LEFT JOIN accounts a ON d.kind = 'link' AND a.id = d.id_r"
    )
    if cond != "1":
        sql += (
            f" WHERE d.id_l IN ({_selected(cond)})"
            f" OR (d.kind = 'dedup' AND d.id_r IN ({_selected(cond)}))"
        )
        params = params + params
    sql += " ORDER BY d.id"
    yield from db.execute(sql, params)


def _selected(cond: str) -> str:
    """A subquery of the ids of the selected submissions (``cond`` from ``Filters.where``)."""
    return f"SELECT s.id FROM submissions_with_matches s WHERE {cond}"


def pending_pairs(db: sqlite_utils.Database, filters: Filters) -> dict[str, int]:
    """Review-band pairs without a live decision that touch a selected submission, by kind."""
    cond, params = filters.where()
    sql = (
        "SELECT p.kind, count(*) FROM pairs p WHERE p.band = 'review' AND NOT EXISTS ("
        f"SELECT 1 FROM decisions d WHERE d.kind = p.kind AND d.id_l = p.id_l"
        f" AND d.id_r = p.id_r AND {_LIVE})"
    )
    if cond != "1":
        sql += (
            f" AND (p.id_l IN ({_selected(cond)})"
            f" OR (p.kind = 'dedup' AND p.id_r IN ({_selected(cond)})))"
        )
        params = params + params
    sql += " GROUP BY p.kind"
    return dict(db.execute(sql, params).fetchall())


def filing_dates(db: sqlite_utils.Database, filters: Filters) -> list[tuple[str, int, int]]:
    """(KST date, web submissions, imported submissions) per filing day, oldest first."""
    cond, params = filters.where()
    sql = (
        f"SELECT date(s.submitted_at, '+9 hours') AS day,"
        " sum(s.source = 'web'), sum(s.source != 'web')"
        f" FROM submissions_with_matches s WHERE {cond} GROUP BY day ORDER BY day"
    )
    return [tuple(r) for r in db.execute(sql, params)]


def held_count(db: sqlite_utils.Database, filters: Filters) -> int:
    """Selected submissions on hold (e.g. a fraud flag)."""
    cond, params = filters.where()
    sql = f"SELECT count(*) FROM submissions_with_matches s WHERE s.held AND {cond}"
    return db.execute(sql, params).fetchone()[0]


def schema_version(db: sqlite_utils.Database) -> int:
    """PRAGMA user_version (recorded in the Summary)."""
    return db.execute("PRAGMA user_version").fetchone()[0]
