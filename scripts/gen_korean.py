#!/usr/bin/env python
"""Write synthetic Korean claims (with truth columns) and/or affected-account CSVs.

Example:
    # 100k people -> ~130k claims with truth, and the affected list holding their accounts
    python scripts/gen_korean.py --people 100000 --claims claims.csv \
        --accounts accounts.csv --account-rows 1000000 --seed 1
    # the full-size affected list alone (33.7M rows, a few minutes)
    python scripts/gen_korean.py --accounts accounts.csv --account-rows 33700000

Claims columns: ref, name, email, phone, address, postal_code, birth_date, truth_person,
truth_household. Accounts: account_id, name, email, phone, address, postal_code (+ truth_person
when --people is given: the first rows are those people's accounts, the rest filler).
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from intake.synth import generate_accounts, generate_people, generate_submissions  # noqa: E402

CLAIM_COLUMNS = ["ref", "name", "email", "phone", "address", "postal_code", "birth_date",
                 "truth_person", "truth_household"]  # fmt: skip
ACCOUNT_COLUMNS = ["account_id", "name", "email", "phone", "address", "postal_code"]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--people", type=int, default=0, help="distinct persons behind the claims")
    ap.add_argument("--dup-rate", type=float, default=0.3, help="share of people who re-file")
    ap.add_argument("--claims", type=Path, help="write the claims CSV here")
    ap.add_argument("--accounts", type=Path, help="write the affected-account CSV here")
    ap.add_argument("--account-rows", type=int, default=0, help="rows in the accounts CSV")
    ap.add_argument("--linked-share", type=float, default=0.9,
                    help="share of the people who have an account in the list")  # fmt: skip
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    if not args.claims and not args.accounts:
        ap.error("give --claims and/or --accounts")
    people = generate_people(args.people, seed=args.seed) if args.people else []
    if args.claims:
        if not people:
            ap.error("--claims needs --people")
        t = time.perf_counter()
        subs = generate_submissions(people, dup_rate=args.dup_rate, seed=args.seed + 1)
        with args.claims.open("w", newline="", encoding="utf-8") as f:
            w = csv.DictWriter(f, CLAIM_COLUMNS)
            w.writeheader()
            for i, s in enumerate(subs, 1):
                w.writerow({"ref": f"S{i:08d}", **s})
        print(f"{len(subs)} claims of {len(people)} people -> {args.claims} "
              f"({time.perf_counter() - t:.1f} s)")  # fmt: skip
    if args.accounts:
        linked = people[: int(len(people) * args.linked_share)] if people else None
        rows = max(args.account_rows, len(linked or ()))
        columns = ACCOUNT_COLUMNS + (["truth_person"] if linked is not None else [])
        t = time.perf_counter()
        with args.accounts.open("w", newline="", encoding="utf-8") as f:
            w = csv.DictWriter(f, columns)
            w.writeheader()
            w.writerows(generate_accounts(rows, seed=args.seed + 2, people=linked))
        dt = time.perf_counter() - t
        print(f"{rows} accounts -> {args.accounts} ({dt:.1f} s, {rows / dt:,.0f} rows/s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
