"""Benchmark the Excel export against its floor.

The floor is openpyxl's write-only mode writing the same cells (same values, same sheets) and
nothing else: the rows are materialised in memory first, untimed, from the same database. Ours
is ``intake.export.write_workbook`` end to end (SQL, row shaping, safe cells, styles, Summary).
Target: ours <= 1.3x the floor, peak RSS of ours <= 1 GB whatever the row count.

Peak memory: one export alone in a fresh subprocess (``ru_maxrss``). Time: floor and ours
alternate inside one process, so a shared machine's load hits both alike.

    python scripts/bench_export.py --rows 100000 --repeat 3
    python scripts/bench_export.py --rows 1000000 --concurrent

The generated database goes under bench-data/ (git-ignored) and is deleted afterwards unless
--keep is given.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
SURNAMES = "김이박최정강조윤장임한오서신권황안송류홍"
SYLLABLES = "민서준지현우영수진호성은하연유경재동석철희정혜"
ROADS = ["테헤란로", "세종대로", "해운대로", "중앙로", "올림픽로", "동탄대로", "월드컵로"]
SIDO = ["서울특별시 강남구", "부산광역시 해운대구", "경기도 화성시", "인천광역시 연수구"]


def _ref(i: int) -> str:
    chars = "".join(CROCKFORD[(i >> (5 * k)) & 31] for k in range(7, -1, -1))
    return f"CL-{chars[:4]}-{chars[4:]}"


def generate(path: Path, n: int, seed: int = 7) -> None:
    """n submissions; every 4th is a repeat filing of the previous person (3n/4 persons)."""
    from intake import store

    if path.exists():
        path.unlink()
    db = store.connect(path)
    conn = db.conn
    rng = random.Random(seed)
    cols = (
        "ref, source, source_ref, submitted_at, name, email, phone, address, postal_code,"
        " birth_date, harms, consent_at, email_confirmed_at, notice, notice_date, k_name,"
        " k_email, k_phone, k_birth, k_addr, k_unit, account_status, account_id, account_score,"
        " held"
    )
    sql = f"INSERT INTO submissions ({cols}) VALUES ({', '.join('?' * 25)})"
    persons: list[tuple[int, str, str]] = []  # match_results rows (schema V9)
    statuses = ["verified"] * 6 + ["probable"] + ["unverified"] * 3
    batch, person, person_row = [], None, None
    conn.execute("BEGIN")
    for i in range(n):
        ref = _ref(i * 7919 + 12345)
        day = 1 + (i * 30) // n
        at = f"2025-12-{day:02d}T{rng.randrange(24):02d}:{rng.randrange(60):02d}:00+00:00"
        repeat = i % 4 == 3
        if not repeat:
            name = rng.choice(SURNAMES) + rng.choice(SYLLABLES) + rng.choice(SYLLABLES)
            person = "P-" + ref[3:7] + ref[8:12]
            tail = f"{rng.randrange(10**4):04d}-{rng.randrange(10**4):04d}"
            phone = f"+82 10-{tail}" if rng.random() < 0.3 else f"010-{tail}"
            birth = (
                f"{rng.randrange(1940, 2006)}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"
            )
            unit = f"{rng.randrange(101, 120)}-{rng.randrange(101, 2500)}"
            road = f"{rng.choice(SIDO)} {rng.choice(ROADS)} {rng.randrange(1, 500)}"
            address = f"{road} {unit.split('-')[0]}동 {unit.split('-')[1]}호"
            status = rng.choice(statuses)
            person_row = (name, phone, birth, road, unit, address, status)
        name, phone, birth, road, unit, address, status = person_row
        email = f"user{i}@naver.com"
        harms = '["phishing", "spam"]' if rng.random() < 0.2 else "[]"
        batch.append((
            ref, "web" if i % 5 else "import:list.csv", f"{i:07d}" if i % 5 == 0 else None,
            at, name, email, phone, address, f"0{rng.randrange(1000, 9999)}", birth, harms,
            at, at if i % 2 else None, "email" if i % 3 else None, "2025-11-30" if i % 3 else None,
            name, email, phone.replace(" ", ""), birth, road, unit, status,
            f"{rng.randrange(10**9):010d}" if status != "unverified" else None,
            round(rng.uniform(0.5, 1.0), 4) if status != "unverified" else None,
            1 if i % 997 == 0 else 0,
        ))  # fmt: skip
        persons.append((i + 1, person, at))
        if len(batch) == 20_000:
            conn.executemany(sql, batch)
            batch = []
    if batch:
        conn.executemany(sql, batch)
    conn.executemany(
        "INSERT INTO match_results (id, person_id, matched_at) VALUES (?, ?, ?)", persons
    )
    # 1% of repeat filings have an open review pair, a few have decisions
    conn.execute(
        "INSERT INTO pairs (kind, id_l, id_r, probability, weight, band, explanation, updated_at)"
        " SELECT 'dedup', id - 1, id, 0.8, 4.0, 'review', '[]', submitted_at FROM submissions"
        " WHERE id % 400 = 0"
    )
    conn.execute(
        "INSERT INTO decisions (kind, id_l, id_r, decision, user_id, decided_at)"
        " SELECT kind, id_l, id_r, 'same', 1, updated_at FROM pairs WHERE id_r % 1200 = 0"
    )
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    conn.close()


def child_ours(db_path: str, out: str, repeat: int) -> dict:
    """One export on its own (this process's peak RSS is the export's)."""
    from intake import store
    from intake.export import write_workbook

    db = store.connect(db_path, migrate_schema=False)
    start, cpu = time.perf_counter(), time.process_time()
    rep = write_workbook(db, out, audit=False, generated_by="bench")
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    return {"seconds": seconds, "cpu": cpu, "rows": rep.submissions + rep.claimants}


def _materialise(db) -> list[tuple[str, list[str], list[list]]]:
    """The cells the export writes, built from the same database (untimed)."""
    from intake.export_rows import (
        CLAIMANT_COLUMNS,
        REVIEW_COLUMNS,
        SUBMISSION_COLUMNS,
        claimant_row,
        person_groups,
        submission_sheet_rows,
        to_datetime,
    )
    from intake.store import report

    f = report.Filters()
    claimants = [claimant_row(g)[0] for g in person_groups(report.person_rows(db, f))]
    fields = [c[1] for c in SUBMISSION_COLUMNS]
    submissions = list(submission_sheet_rows(report.submission_rows(db, f, fields), fields, {}))
    review = []
    for t in report.review_log_rows(db, f):
        row = list(t)
        row[1], row[10] = to_datetime(row[1]), to_datetime(row[10])
        review.append(row)
    return [
        ("Claimants", [c[0] for c in CLAIMANT_COLUMNS], claimants),
        ("Submissions", [c[0] for c in SUBMISSION_COLUMNS], submissions),
        ("Review log", [c[0] for c in REVIEW_COLUMNS], review),
    ]


def _floor(sheets, out: str) -> None:
    """openpyxl write-only writing the same cells and nothing else."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    for title, headers, rows in sheets:
        ws = wb.create_sheet(title)
        ws.append(headers)
        for row in rows:
            ws.append(row)
    wb.save(out)


def child_alternate(db_path: str, out: str, repeat: int) -> dict:
    """Floor and ours alternately in one process, so both see the same machine load (this
    2-core box is shared: back-to-back separate runs drift by tens of percent)."""
    from intake import store
    from intake.export import write_workbook

    db = store.connect(db_path, migrate_schema=False)
    sheets = _materialise(db)
    gc.freeze()  # the materialised rows are the floor's input: keep them out of both runs' GC
    result: dict = {"floor": [], "ours": []}
    for _ in range(repeat):
        for kind in ("floor", "ours"):
            start, cpu = time.perf_counter(), time.process_time()
            if kind == "floor":
                _floor(sheets, out)
            else:
                write_workbook(db, out, audit=False, generated_by="bench")
            result[kind].append((time.perf_counter() - start, time.process_time() - cpu))
            print(kind, *(f"{x:.1f}" for x in result[kind][-1]), file=sys.stderr, flush=True)
    result["rows"] = len(sheets[0][2]) + len(sheets[1][2])
    return result


def child_floor(db_path: str, out: str, repeat: int) -> dict:
    """The floor on its own: materialise (untimed), then time the plain write-only writing."""
    from intake import store

    sheets = _materialise(store.connect(db_path, migrate_schema=False))
    gc.freeze()
    start, cpu = time.perf_counter(), time.process_time()
    _floor(sheets, out)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    return {"seconds": seconds, "cpu": cpu, "rows": len(sheets[0][2]) + len(sheets[1][2])}


CHILDREN = {"ours": child_ours, "alternate": child_alternate, "floor": child_floor}


def concurrent(db_path: Path, data_dir: Path) -> None:
    """Large sizes: ours alone and the floor alone, started together on the two cores so the
    box's other load hits both alike (alternating would take too long)."""
    procs = {}
    for kind in ("ours", "floor"):
        out = data_dir / f"export-bench-{kind}.xlsx"
        cmd = [sys.executable, __file__, "--child", kind, "--db", str(db_path), "--out", str(out)]
        procs[kind] = (subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True), out)
    results = {}
    for kind, (proc, out) in procs.items():
        stdout, _ = proc.communicate()
        results[kind] = json.loads(stdout.strip().splitlines()[-1])
        results[kind]["size_mb"] = out.stat().st_size / 2**20
        out.unlink()
        r = results[kind]
        print(
            f"{kind:5s}: {r['seconds']:.1f}s wall, {r['cpu']:.1f}s CPU, {r['rows']} rows, "
            f"file {r['size_mb']:.0f} MB, peak RSS {r['maxrss_mb']:.0f} MB",
            flush=True,
        )
    for key, label in (("seconds", "wall"), ("cpu", "CPU")):
        ratio = results["ours"][key] / results["floor"][key]
        print(f"{label}: ratio {ratio:.2f}x (target <= 1.3x)")
    print(f"peak RSS ours {results['ours']['maxrss_mb']:.0f} MB (target <= 1024 MB)")


def run_child(kind: str, db_path: Path, out: Path, repeat: int) -> dict:
    cmd = [sys.executable, __file__, "--child", kind, "--db", str(db_path), "--out", str(out)]
    done = subprocess.run(
        [*cmd, "--repeat", str(repeat)], check=True, stdout=subprocess.PIPE, text=True
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["size_mb"] = out.stat().st_size / 2**20
    out.unlink()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000, help="submissions to generate")
    parser.add_argument("--repeat", type=int, default=3, help="alternating floor/ours pairs")
    parser.add_argument("--data-dir", type=Path, default=ROOT / "bench-data")
    parser.add_argument("--keep", action="store_true", help="keep the generated database")
    parser.add_argument(
        "--concurrent", action="store_true", help="large sizes: ours and floor once, together"
    )
    parser.add_argument("--child", choices=sorted(CHILDREN), help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        result = CHILDREN[args.child](args.db, args.out, args.repeat)
        result["maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(result))
        return

    args.data_dir.mkdir(parents=True, exist_ok=True)
    db_path = args.data_dir / f"export-{args.rows}.db"
    start = time.perf_counter()
    generate(db_path, args.rows)
    print(f"generated {args.rows} submissions in {time.perf_counter() - start:.1f}s", flush=True)
    if args.concurrent:
        try:
            concurrent(db_path, args.data_dir)
        finally:
            if not args.keep:
                for p in args.data_dir.glob(f"export-{args.rows}.db*"):
                    p.unlink()
        return
    try:
        alone = run_child("ours", db_path, args.data_dir / "export-bench-ours.xlsx", 1)
        print(
            f"ours alone: {alone['seconds']:.1f}s wall, {alone['cpu']:.1f}s CPU, "
            f"{alone['rows']} rows, file {alone['size_mb']:.0f} MB, "
            f"peak RSS {alone['maxrss_mb']:.0f} MB (target <= 1024 MB)",
            flush=True,
        )
        if args.repeat:
            alt = run_child(
                "alternate", db_path, args.data_dir / "export-bench-alt.xlsx", args.repeat
            )
    finally:
        if not args.keep:
            for p in args.data_dir.glob(f"export-{args.rows}.db*"):
                p.unlink()
    if not args.repeat:
        return
    for i, label in ((0, "wall"), (1, "CPU")):
        floor = statistics.median(r[i] for r in alt["floor"])
        ours = statistics.median(r[i] for r in alt["ours"])
        runs = ", ".join(
            f"{f[i]:.1f}/{o[i]:.1f}" for f, o in zip(alt["floor"], alt["ours"], strict=True)
        )
        pair = statistics.median(
            o[i] / f[i] for f, o in zip(alt["floor"], alt["ours"], strict=True)
        )
        print(
            f"{label}: floor/ours per pair [{runs}]; median of {args.repeat}: floor {floor:.1f}s, "
            f"ours {ours:.1f}s, ratio of medians {ours / floor:.2f}x, median of pair ratios "
            f"{pair:.2f}x (target <= 1.3x), ours {alt['rows'] / ours:,.0f} rows/s"
        )


if __name__ == "__main__":
    main()
