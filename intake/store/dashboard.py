"""Dashboard figures and fraud signals for the staff workspace (counts and ids, SQL only here).

Fraud signals follow the claims-administration practice in the research notes: one phone,
address or IP hash shared by many different names ("hubs"), and bursts of submissions from one
IP hash in a short time.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import sqlite_utils

HUB_MIN_NAMES = 3  # distinct name keys on one phone / address / IP hash
BURST_COUNT = 5  # submissions from one IP hash ...
BURST_MINUTES = 10  # ... within this many minutes

KST = timezone(timedelta(hours=9), "KST")  # "today" is the firm's day, as in the export

_HUB_SQL = {
    "phone": "k_phone",
    "address": "k_addr || '|' || COALESCE(k_unit, '')",
    "ip": "ip_hash",
}


def _scalar(db: sqlite_utils.Database, sql: str, params: list | None = None) -> int:
    return db.execute(sql, params or []).fetchone()[0] or 0


def start_of_today(now: datetime | None = None) -> str:
    """Midnight of the current Korean day, as UTC ISO text comparable with submitted_at."""
    local = (now or datetime.now(UTC)).astimezone(KST)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight.astimezone(UTC).isoformat(timespec="seconds")


def counts(db: sqlite_utils.Database, *, today: str | None = None) -> dict:
    """Submissions today (Korean day)/total, persons, account statuses and the review backlog."""
    today = today or start_of_today()
    statuses = dict(
        db.execute("SELECT account_status, COUNT(*) FROM submissions GROUP BY account_status")
    )
    backlog = dict(
        db.execute(
            "SELECT p.kind, COUNT(*) FROM pairs p WHERE p.band = 'review' AND NOT EXISTS ("
            " SELECT 1 FROM decisions d WHERE d.kind = p.kind AND d.id_l = p.id_l"
            " AND d.id_r = p.id_r AND d.undone_at IS NULL AND d.decision != 'skip')"
            " GROUP BY p.kind"
        )
    )
    return {
        "submissions_today": _scalar(
            db, "SELECT COUNT(*) FROM submissions WHERE submitted_at >= ?", [today]
        ),
        "submissions_total": _scalar(db, "SELECT COUNT(*) FROM submissions"),
        "persons": _scalar(
            db, "SELECT COUNT(DISTINCT person_id) FROM match_results WHERE person_id IS NOT NULL"
        ),
        "unmatched": _scalar(
            db, "SELECT COUNT(*) FROM submissions_with_matches WHERE person_id IS NULL"
        ),
        "verified": statuses.get("verified", 0),
        "probable": statuses.get("probable", 0),
        "unverified": statuses.get("unverified", 0),
        "backlog_dedup": backlog.get("dedup", 0),
        "backlog_link": backlog.get("link", 0),
        "held": _scalar(db, "SELECT COUNT(*) FROM submissions WHERE held = 1"),
    }


def hubs(db: sqlite_utils.Database, *, min_names: int = HUB_MIN_NAMES, limit: int = 50) -> list:
    """Phones, addresses and IP hashes shared by at least ``min_names`` different names.

    Each item: kind, names (distinct name keys), submissions, ids (up to 20 submission ids).
    The shared value itself is not returned: staff follow the ids.
    """
    out = []
    for kind, expr in _HUB_SQL.items():
        rows = db.execute(
            f"SELECT COUNT(DISTINCT k_name) AS names, COUNT(*) AS n, GROUP_CONCAT(id) AS ids"
            f" FROM submissions WHERE {expr} IS NOT NULL AND {expr} != '|'"
            f" GROUP BY {expr} HAVING names >= ? ORDER BY names DESC, n DESC LIMIT ?",
            [min_names, limit],
        )
        for names, n, ids in rows:
            id_list = [int(i) for i in ids.split(",")][:20]
            out.append({"kind": kind, "names": names, "submissions": n, "ids": id_list})
    out.sort(key=lambda item: (-item["names"], -item["submissions"]))
    return out[:limit]


def bursts(
    db: sqlite_utils.Database,
    *,
    count: int = BURST_COUNT,
    minutes: int = BURST_MINUTES,
    limit: int = 50,
) -> list:
    """IP hashes that sent at least ``count`` submissions within ``minutes``."""
    rows = db.execute(
        "WITH w AS (SELECT id, ip_hash, submitted_at, COUNT(*) OVER ("
        "  PARTITION BY ip_hash ORDER BY julianday(submitted_at)"
        "  RANGE BETWEEN ? PRECEDING AND CURRENT ROW) AS n"
        " FROM submissions WHERE ip_hash IS NOT NULL)"
        " SELECT ip_hash, MAX(n) AS peak, MIN(submitted_at) FROM w GROUP BY ip_hash"
        " HAVING peak >= ? ORDER BY peak DESC LIMIT ?",
        [minutes / 1440.0, count, limit],
    ).fetchall()
    out = []
    for ip, peak, first in rows:
        sql = "SELECT id FROM submissions WHERE ip_hash = ? ORDER BY id LIMIT 20"
        ids = [r[0] for r in db.execute(sql, [ip])]
        out.append({"kind": "burst", "names": None, "submissions": peak, "ids": ids, "at": first})
    return out


def link_signals(db: sqlite_utils.Database, *, limit: int = 50) -> list:
    """The account cross-check's signals (``store.accounts.fraud_flags``) in the same shape:
    one listed account claimed by several persons, one claimant hitting many accounts."""
    from .accounts import fraud_flags

    out = []
    for flag in fraud_flags(db):
        if flag["kind"] == "account_many_claimants":
            ids = flag["submission_ids"]
            out.append({"kind": flag["kind"], "names": flag["count"], "submissions": len(ids),
                        "ids": ids[:20]})  # fmt: skip
        else:
            out.append({"kind": flag["kind"], "names": None, "submissions": 1,
                        "ids": [flag["submission_id"]],
                        "accounts": len(flag.get("account_rows", []))})  # fmt: skip
    out.sort(key=lambda item: -(item["names"] or 0))
    return out[:limit]


def flagged_submission_ids(db: sqlite_utils.Database) -> set[int]:
    """Submissions touching any hub, burst or account signal (used to rank the review queue)."""
    ids: set[int] = set()
    for item in hubs(db, limit=10_000) + bursts(db, limit=10_000) + link_signals(db, limit=10_000):
        ids.update(item["ids"])
    return ids
