"""Demo data so a newcomer sees a living system: synthetic Korean claimants (with duplicates,
households and namesakes), an affected-account sample, staff logins, and a first match run.

Everything here is synthetic (``intake.synth``); nothing resembles a real person's record.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlite_utils

from .claims.forms import CLAIMANT_TYPES, HARMS, NOTICES
from .normalize import (
    normalize_address,
    normalize_birth_date,
    normalize_email,
    normalize_name,
    normalize_phone,
    normalize_postal_code,
)
from .store import staff as store_staff
from .store.submissions import insert_submission
from .synth import generate_accounts, generate_people, generate_submissions

DEMO_USERS = (
    ("admin@demo.test", "admin", "demo-admin-password"),
    ("paralegal@demo.test", "paralegal", "demo-paralegal-password"),
    ("lawyer@demo.test", "lawyer", "demo-lawyer-password"),
)

# the form's own codes, so demo claims look like filed ones
HARM_CODES = tuple(code for code, _ in HARMS if code != "other")
NOTICE_CODES = tuple(code for code, _ in NOTICES)
TYPE_CODES = tuple(code for code, _ in CLAIMANT_TYPES)


@dataclass
class DemoReport:
    """What ``populate`` made, for the CLI to print."""

    submissions: int = 0
    accounts: int = 0
    users: list[tuple[str, str, str]] = field(default_factory=list)


def populate(
    db: sqlite_utils.Database,
    work_dir: str | Path,
    *,
    people: int = 400,
    accounts: int = 5000,
    seed: int = 2025,
) -> DemoReport:
    """Fill ``db`` with ``people`` synthetic persons' claims (about 1.3 submissions each) and an
    affected list of ``accounts`` rows in which about three in four claimants appear."""
    report = DemoReport()
    persons = generate_people(people, seed=seed)
    rng = random.Random(seed)
    listed = [p for p in persons if rng.random() < 0.75]
    work = Path(work_dir)
    work.mkdir(parents=True, exist_ok=True)
    accounts_csv = work / "demo-affected-accounts.csv"
    with accounts_csv.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(
            handle,
            fieldnames=["account_id", "name", "email", "phone", "address", "postal_code"],
            extrasaction="ignore",
        )
        writer.writeheader()
        for row in generate_accounts(max(accounts, len(listed)), seed=seed, people=listed):
            writer.writerow(row)
            report.accounts += 1
    from .importing import import_accounts

    import_accounts(db, accounts_csv)

    start = datetime.now(UTC) - timedelta(days=14)
    for record in generate_submissions(persons, dup_rate=0.3, seed=seed):
        insert_submission(db, _claim_row(record, rng, start))
        report.submissions += 1

    for email, role, password in DEMO_USERS:
        if store_staff.get_user_by_email(db, email) is None:
            store_staff.add_user(db, email, password, role)
        report.users.append((email, role, password))
    return report


def _claim_row(record: dict, rng: random.Random, start: datetime) -> dict:
    """A submissions row as the web form would store it: normalised values, raw kept."""
    raw = {f: record.get(f) for f in ("name", "email", "phone", "address", "postal_code",
                                      "birth_date")}  # fmt: skip
    at = start + timedelta(seconds=rng.randrange(14 * 24 * 3600))
    stamp = at.isoformat(timespec="seconds")
    harms = sorted(rng.sample(HARM_CODES, rng.choice((0, 1, 1, 2, 3))))
    return {
        "submitted_at": stamp,
        "source": "web",
        "name": normalize_name(raw["name"]).value,
        "email": normalize_email(raw["email"]).value,
        "phone": normalize_phone(raw["phone"]).value,
        "address": normalize_address(raw["address"]).value,
        "postal_code": normalize_postal_code(raw["postal_code"]).value,
        "birth_date": normalize_birth_date(raw["birth_date"]).value,
        "raw": raw,
        "claimant_type": rng.choice(TYPE_CODES),
        "notice": rng.choice(NOTICE_CODES),
        "harms": harms,
        "other_suit": 0,
        "consents": {"collect": stamp, "provide": stamp, "truth": stamp, "age14": stamp},
        "consent_at": stamp,
        "email_confirmed_at": stamp if rng.random() < 0.6 else None,
    }
