"""Benchmark the claim form: how long a claimant waits, and whether it depends on the list.

Seeds a database with --accounts affected-list rows and --claims earlier submissions, then
POSTs claims through the Flask test client, alternating people who ARE on the list (and
already filed) with people who are not. It reports, per group, the median time until the
response is returned (what the claimant waits for) and the median time of the after-response
work (matcher hooks + mail, run from ``call_on_close``). The claimant's wait should be the same
for both groups: that is the "no timing oracle" property.

    python scripts/bench_claims.py --accounts 50000 --claims 2000 --posts 40

The database goes to a temporary directory that is removed afterwards.
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SURNAMES = "김이박최정강조윤장임한오서신권황안송류홍"
SYLLABLES = "민서준지현우영수진호성은하연유경재동석철희정혜"
ROADS = ["테헤란로", "세종대로", "해운대로", "중앙로", "올림픽로", "동탄대로", "월드컵로"]
SIDO = ["서울특별시 강남구", "부산광역시 해운대구", "경기도 화성시", "인천광역시 연수구"]


def person(rng: random.Random, i: int) -> dict[str, str]:
    """A synthetic Korean claimant (unique phone and e-mail per i)."""
    return {
        "name": rng.choice(SURNAMES) + rng.choice(SYLLABLES) + rng.choice(SYLLABLES),
        "email": f"user{i}@naver.com",
        "phone": f"010-{1000 + i // 10000:04d}-{i % 10000:04d}",
        "address": f"{rng.choice(SIDO)} {rng.choice(ROADS)} {rng.randint(1, 300)}, "
        f"{rng.randint(101, 120)}동 {rng.randint(101, 2500)}호",
        "birth_date": f"{rng.randint(1950, 2005)}-{rng.randint(1, 12):02d}"
        f"-{rng.randint(1, 28):02d}",
    }


def seed(db, rng: random.Random, accounts: int, claims: int) -> None:
    from intake.normalize import record_keys
    from intake.store.submissions import insert_submission

    columns = set(db["accounts"].columns_dict)
    rows = []
    for i in range(accounts):
        p = person(rng, i)
        keys = {k: v for k, v in record_keys(p).items() if k in columns}
        account = {k: v for k, v in p.items() if k != "birth_date"}
        rows.append(
            {"import_id": 1, "source_line": i + 2, "account_id": f"A{i}", **account, **keys}
        )
    db["accounts"].insert_all(rows, batch_size=5000)
    with db.conn:
        for i in range(claims):  # the first `claims` listed people have already filed
            sid, _ = insert_submission(db, person(random.Random(i), i))
            db.conn.execute(  # already matched (schema V9: match results have their table)
                "INSERT INTO match_results (id, matched_at) VALUES (?, 'seed')", [sid]
            )


def form_data(client, p: dict[str, str]) -> dict:
    html = client.get("/").get_data(as_text=True)
    ts = re.search(r'name="ts" type="hidden" value="([^"]*)"', html).group(1)
    return {
        **p,
        "ts": ts,
        "claimant_type": "member",
        "notice": "dec2025",
        "other_suit": "no",
        "consent_collect": "y",
        "consent_provide": "y",
        "consent_truth": "y",
        "consent_age14": "y",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=int, default=50_000)
    parser.add_argument("--claims", type=int, default=2_000)
    parser.add_argument("--posts", type=int, default=40, help="POSTs per group")
    args = parser.parse_args()

    from intake import create_app, store

    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp:
        config = {
            "TESTING": True,
            "SECRET_KEY": "bench",
            "DB": str(Path(tmp) / "bench.db"),
            "UPLOAD_FOLDER": str(Path(tmp) / "uploads"),
            "MAIL_OUTBOX": str(Path(tmp) / "outbox"),
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "MIN_FILL_SECONDS": 0,
        }
        app = create_app(config)
        db = store.connect(config["DB"])
        started = time.perf_counter()
        seed(db, rng, args.accounts, args.claims)
        print(f"seeded {args.accounts} accounts, {args.claims} claims "
              f"in {time.perf_counter() - started:.1f}s")  # fmt: skip
        waits: dict[str, list[float]] = {"listed": [], "unlisted": []}
        after: dict[str, list[float]] = {"listed": [], "unlisted": []}
        for n in range(args.posts * 2):
            group = "listed" if n % 2 == 0 else "unlisted"
            i = n // 2 if group == "listed" else args.accounts + 10_000 + n
            p = person(random.Random(i), i)
            client = app.test_client()
            data = form_data(client, p)
            t0 = time.perf_counter()
            response = client.post("/", data=data)
            t1 = time.perf_counter()
            response.close()  # runs the after-response work (matcher hooks, mail)
            t2 = time.perf_counter()
            assert response.status_code == 303, response.status_code
            waits[group].append((t1 - t0) * 1000)
            after[group].append((t2 - t1) * 1000)
        for group in ("listed", "unlisted"):
            print(
                f"{group:9s} claimant waits median {statistics.median(waits[group]):6.1f} ms"
                f"   after-response work median {statistics.median(after[group]):6.1f} ms"
            )


if __name__ == "__main__":
    main()
