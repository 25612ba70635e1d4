"""Benchmark the affected-list cross-check (issue 4): batch submissions/s against the list
(target >= 10,000/s on this 2-core box) and one submission's p99 (target <= 20 ms).

    python scripts/bench_link.py --db bench-data/bench-ours.db --claims 100000
    python scripts/bench_link.py --accounts 2000000 --claims 100000   # builds a list first
    python scripts/bench_link.py --db /work/big/accounts-33m.db --claims 100000 --reuse-claims

The claims are drawn from the list itself (so most match) with the variations claimants type:
e-mail in other case / alias domain, phone spelled differently, name with a space or romanised,
and 30% people who are not on the list. They are loaded with `import-claims` (the real path).
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from bench_import import DATA, cpu_seconds, generate  # noqa: E402

from intake import store  # noqa: E402
from intake.importing import import_accounts, import_claims  # noqa: E402
from intake.match.link import link_submission, run_link  # noqa: E402

ROMAN = {"김": "Kim", "이": "Lee", "박": "Park", "최": "Choi", "정": "Jung"}


def build_claims(db, n: int, out: Path, seed: int = 7) -> None:
    """n claims: 70% drawn from the list with typing variations, 30% not on it."""
    rnd = random.Random(seed)
    top = db.execute("SELECT max(id) FROM accounts").fetchone()[0]
    with open(out, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["ref", "name", "email", "phone", "address", "postal_code"])
        for i in range(n):
            if rnd.random() < 0.3:
                w.writerow([f"R{i}", "홍" + "길동", f"nobody{i}@gmail.com",
                            f"010-9{i % 1000:03d}-{i % 10000:04d}", "", ""])  # fmt: skip
                continue
            acc = db.execute(
                "SELECT name, email, phone, address, postal_code FROM accounts WHERE id = ?",
                [rnd.randrange(1, top + 1)],
            ).fetchone()
            name, email, phone, address, postal = (v or "" for v in acc)
            kind = rnd.random()
            if kind < 0.4:
                w.writerow([f"R{i}", name, email.upper(), "", address, postal])
            elif kind < 0.7:
                spaced = f"{name[:1]} {name[1:]}"
                w.writerow([f"R{i}", spaced, "", phone.replace("-", " "), "", ""])
            elif kind < 0.85 and name[:1] in ROMAN:
                w.writerow([f"R{i}", f"{ROMAN[name[:1]]} Minjun", "", phone, "", ""])
            else:
                w.writerow([f"R{i}", name, "", "", address, postal])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--db", type=Path, help="an existing DB with a loaded list")
    ap.add_argument("--accounts", type=int, default=2_000_000, help="list size to build")
    ap.add_argument("--claims", type=int, default=100_000)
    ap.add_argument("--singles", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--workers", type=int, default=None, help="scoring processes (default: cores)")
    ap.add_argument(
        "--reuse-claims",
        action="store_true",
        help="keep the claims already loaded in --db (as many as --claims) instead of new ones",
    )
    args = ap.parse_args()
    db_path = args.db or DATA / f"link-{args.accounts}.db"
    if not db_path.exists():
        src = DATA / f"accounts-{args.accounts}.csv"
        if not src.exists():
            generate(args.accounts, src)
        import_accounts(store.connect(db_path), src, progress=True)
    db = store.connect(db_path)
    n_accounts = db.execute("SELECT coalesce(max(id), 0) FROM accounts").fetchone()[0]
    n_claims = db.execute("SELECT count(*) FROM submissions").fetchone()[0]
    if not (args.reuse_claims and abs(n_claims - args.claims) < args.claims // 100 + 10):
        db.execute("DELETE FROM pairs WHERE kind = 'link'")
        db.execute("DELETE FROM submissions")
        db.execute("DELETE FROM imports WHERE kind = 'claims'")
        claims = DATA / f"claims-{args.claims}.csv"
        build_claims(db, args.claims, claims)
        n_claims = import_claims(db, claims).loaded
        claims.unlink()
    times, cpus = [], []
    for _ in range(args.repeat):
        t, c = time.perf_counter(), cpu_seconds()
        report = run_link(db, full=True, workers=args.workers)
        times.append(time.perf_counter() - t)
        cpus.append(cpu_seconds() - c)
        print(
            f"batch: {report.submissions} claims in {times[-1]:.2f} s wall, {cpus[-1]:.2f} s CPU "
            f"(verified {report.verified}, probable {report.probable}, "
            f"unverified {report.unverified}; pairs {report.pairs}), "
            f"load average {os.getloadavg()[0]:.2f}",
            flush=True,
        )
    batch = statistics.median(times)
    print(f"CPU per claim: {statistics.median(cpus) / n_claims * 1e6:.0f} us "
          f"(-> {n_claims / statistics.median(cpus):,.0f} claims/s per core)")  # fmt: skip
    ids = [r[0] for r in db.execute("SELECT id FROM submissions ORDER BY random() LIMIT ?",
                                    [args.singles])]  # fmt: skip
    lat = []
    for sid in ids:
        t = time.perf_counter()
        link_submission(db, sid)
        lat.append((time.perf_counter() - t) * 1000)
    lat.sort()
    p50, p99 = lat[len(lat) // 2], lat[int(len(lat) * 0.99) - 1]
    print(
        f"| {n_accounts:,} | {n_claims:,} | {batch:.2f} s | {n_claims / batch:,.0f}/s | "
        f"{p50:.2f} ms | {p99:.2f} ms |"
    )


if __name__ == "__main__":
    main()
