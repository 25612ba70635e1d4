"""Staff workspace latency on a large synthetic store: queue, pair page, dashboard, search.

Usage: python scripts/bench_staff.py [--submissions 200000] [--pairs 20000] [--runs 3]

Builds a throw-away SQLite file, signs a paralegal in with the Flask test client, and reports
the median of ``--runs`` timings for each page (server side, no network).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

SURNAMES = "김이박최정강조윤장임한오서신권황안송류홍"
GIVEN = "민서지하준도윤우현수예은유진주영성재"


def build(path: Path, submissions: int, pairs: int, seed: int = 7) -> None:
    import json

    from intake import store
    from intake.normalize import record_keys
    from intake.refs import new_claim_ref

    rng = random.Random(seed)
    db = store.connect(path)
    rows = []
    refs = set()
    for i in range(submissions):
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
        phone = f"010-{rng.randrange(10000):04d}-{rng.randrange(10000):04d}"
        email = f"user{i}@{rng.choice(['naver.com', 'gmail.com', 'daum.net'])}"
        record = {"name": name, "phone": phone, "email": email, "birth_date": None,
                  "address": None, "postal_code": None}  # fmt: skip
        ref = new_claim_ref()
        while ref in refs:
            ref = new_claim_ref()
        refs.add(ref)
        row = {
            "ref": ref,
            "source": "web",
            "submitted_at": f"2026-01-{1 + i % 28:02d}T{i % 24:02d}:00:00+00:00",
            "ip_hash": f"ip{rng.randrange(submissions // 3 or 1)}",
            "raw": "{}",
            **record,
            **record_keys(record),
        }
        rows.append(row)
    db["submissions"].insert_all(rows, batch_size=5000)
    db["match_results"].insert_all(  # schema V9: persons have their own table
        ({"id": i + 1, "person_id": f"P-{i // 2:08d}"} for i in range(submissions)),
        batch_size=5000,
    )
    expl = json.dumps([{"field": "name", "level": "close", "bits": 3.0}])
    pair_rows = {}
    while len(pair_rows) < pairs:
        a, b = sorted(rng.sample(range(1, submissions + 1), 2))
        p = rng.uniform(0.5, 0.95)
        pair_rows[(a, b)] = {"kind": "dedup", "id_l": a, "id_r": b, "probability": p,
                             "weight": 1.0, "band": "review", "explanation": expl,
                             "rule": "name", "updated_at": "2026-01-01T00:00:00+00:00"}  # fmt: skip
    db["pairs"].insert_all(pair_rows.values(), batch_size=5000)
    db.conn.close()


def median_ms(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=200_000)
    parser.add_argument("--pairs", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    from conftest import make_config
    from staff_helpers import login, make_user

    from intake import create_app, store

    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        t0 = time.perf_counter()
        build(tmp_path / "intake.db", args.submissions, args.pairs)
        print(f"built {args.submissions} submissions, {args.pairs} review pairs "
              f"in {time.perf_counter() - t0:.1f}s")  # fmt: skip
        app = create_app(make_config(tmp_path))
        db = store.connect(app.config["DB"])
        user = make_user(db, "paralegal")
        client = app.test_client()
        login(client, user["email"])
        first = client.get("/staff/review/next").location

        def get(url):
            def run():
                response = client.get(url)
                assert response.status_code in (200, 302), (url, response.status_code)

            return run

        cold = median_ms(get("/staff/search?q=김민준"), 1)
        print(f"{'search name, first call (indexes names)':44s} {cold:9.1f} ms")
        cases = [
            ("queue page /staff/review (100 rows)", get("/staff/review")),
            ("next pair redirect /staff/review/next", get("/staff/review/next")),
            ("pair page", get(first)),
            ("dashboard /staff/", get("/staff/")),
            ("search phone", get("/staff/search?q=010-1234-5678")),
            ("search name (warm)", get("/staff/search?q=김민준")),
            ("search romanised name", get("/staff/search?q=Kim+Minjun")),
            ("search e-mail", get("/staff/search?q=user77@naver.com")),
        ]
        for label, fn in cases:
            print(f"{label:44s} {median_ms(fn, args.runs):9.1f} ms")

        state = {"url": first}

        def decide():  # POST a decision (recluster included) and get the next pair back
            response = client.post(
                state["url"] + "/decide",
                data={"decision": "different"},
                headers={"Accept": "application/json"},
            )
            state["url"] = response.get_json()["next_url"]

        label = "decision POST + recluster + next pair"
        print(f"{label:44s} {median_ms(decide, args.runs):9.1f} ms")


if __name__ == "__main__":
    main()
