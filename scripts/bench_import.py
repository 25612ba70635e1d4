"""Benchmark `intake import-accounts` against the floor loader (issue 4, target <= 2.5x floor).

The floor: plain Python that only stores the rows (csv + sqlite3 executemany in 100k-row
transactions, WAL), then indexes on e-mail, phone and name. Ours: the real CLI command
(detect, map, normalise every row, store keys, rejects, resume points, indexes after the load).

    python scripts/bench_import.py run --rows 2000000 --repeat 3
    python scripts/bench_import.py run --rows 33700000 --repeat 1 --keep-csv
    python scripts/bench_import.py run --rows 2000000 --repeat 3 --only floor,ours1,ours2 --keep-csv

Data goes to bench-data/ (git-ignored); DB files are deleted after each run. Figures are printed
as a Markdown table row for docs/benchmarks/accounts.md.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench-data"
HEADER = ["이름", "이메일", "휴대폰", "주소", "우편번호", "회원번호"]

SURNAMES = "김이박최정강조윤장임한오서신권황안송류전홍고문양손배백허유남심노하곽성차주우구민"
SURNAME_W = [21, 14, 8, 4.7, 4.3, 2.3, 2.1, 2.1, 2, 1.7, 1.5, 1.5, 1.5, 1.4, 1.4, 1.4, 1.3, 1.3]
SURNAME_W += [1.1, 1.1, 1.1, 0.9, 0.9, 0.9, 0.8, 0.8, 0.8, 0.8, 0.7, 0.6, 0.6, 0.6, 0.6, 0.5]
SURNAME_W += [0.5, 0.5, 0.5, 0.4, 0.4, 0.4]
SYLL = "민준서연도윤하은지호수아예준지우현우건우시우유진소율채원다은은서태윤하준주원재민승현"
ROMAN = {"김": "kim", "이": "lee", "박": "park", "최": "choi", "정": "jung", "강": "kang"}
DOMAINS = ["naver.com"] * 6 + ["gmail.com"] * 3 + ["daum.net", "hanmail.net", "kakao.com"]
PLACES = [  # (sido spelling, sigungu, roads, postcode prefix)
    ("서울특별시", "강남구", ["테헤란로", "선릉로", "도산대로"], "06"),
    ("서울", "송파구", ["올림픽로", "송파대로"], "05"),
    ("서울시", "마포구", ["월드컵로", "양화로"], "04"),
    ("경기도", "성남시 분당구", ["판교역로", "불정로"], "13"),
    ("경기", "수원시 영통구", ["광교로", "봉영로"], "16"),
    ("부산광역시", "해운대구", ["센텀중앙로", "해운대로"], "48"),
    ("인천광역시", "연수구", ["송도과학로", "컨벤시아대로"], "21"),
    ("대구광역시", "수성구", ["달구벌대로", "동대구로"], "42"),
    ("전라북도", "전주시 완산구", ["효자로", "홍산로"], "54"),
    ("강원특별자치도", "춘천시", ["중앙로", "공지로"], "24"),
]


def generate(rows: int, out: Path, seed: int = 337) -> None:
    """A synthetic affected list with realistic Korean spellings (no real person's data).

    Pools of random values are drawn once and indexed by co-prime strides, so 33.7M rows take
    about two minutes instead of ten; e-mails and account IDs stay unique."""
    rnd = random.Random(seed)
    names = [
        s + rnd.choice(SYLL) + rnd.choice(SYLL) for s in rnd.choices(SURNAMES, SURNAME_W, k=8192)
    ]
    locals_ = [ROMAN.get(n[0], "user") for n in names]
    places = []
    for sido, gu, roads, pc in PLACES:
        for road in roads:
            places.append((f"{sido} {gu} {road} ", pc))
    details = [f"{rnd.randrange(101, 120)}동 {rnd.randrange(1, 25)}{rnd.randrange(1, 9):02d}호"
               for _ in range(3000)]  # fmt: skip
    details += [f"{rnd.randrange(101, 120)}-{rnd.randrange(101, 2508)}" for _ in range(1000)]
    digits4 = [f"{i:04d}" for i in range(10000)]
    out.parent.mkdir(parents=True, exist_ok=True)
    nd, npl, ndet = len(DOMAINS), len(places), len(details)
    with open(out, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(HEADER)
        batch = []
        for i in range(rows):
            k = (i * 7919) & 8191
            mid, end = digits4[(i * 7907) % 10000], digits4[(i * 104729 + i // 10000) % 10000]
            phone = f"010-{mid}-{end}" if i % 3 else f"010{mid}{end}"
            email = f"{locals_[k]}{i:x}@{DOMAINS[i % nd]}" if i % 17 else ""
            place, pc = places[(i * 31) % npl]
            addr = f"{place}{i % 397 + 1}, {details[(i * 613) % ndet]}"
            batch.append((names[k], email, phone, addr, pc + digits4[i % 1000][1:], f"C{i:09d}"))
            if len(batch) >= 50_000:
                w.writerows(batch)
                batch = []
        w.writerows(batch)


def cpu_seconds() -> float:
    """CPU time of this process plus its finished children (load-independent, unlike wall)."""
    me, kids = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def floor(src: Path, db_path: Path) -> float:
    """The issue's floor loader; returns seconds."""
    t = time.perf_counter()
    conn = sqlite3.connect(db_path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(
        "CREATE TABLE accounts (name TEXT, email TEXT, phone TEXT, address TEXT, "
        "postal_code TEXT, account_id TEXT)"
    )
    sql = "INSERT INTO accounts VALUES (?,?,?,?,?,?)"
    with open(src, encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        next(reader)
        batch = []
        for row in reader:
            batch.append(row)
            if len(batch) >= 100_000:
                conn.execute("BEGIN")
                conn.executemany(sql, batch)
                conn.execute("COMMIT")
                batch = []
        conn.execute("BEGIN")
        conn.executemany(sql, batch)
        conn.execute("COMMIT")
    for col in ("email", "phone", "name"):
        conn.execute(f"CREATE INDEX accounts_{col} ON accounts({col})")
    conn.close()
    return time.perf_counter() - t


def ours(src: Path, db_path: Path) -> float:
    """`intake import-accounts` as a user runs it (new process, CLI start-up included)."""
    intake = Path(sys.executable).with_name("intake")
    t = time.perf_counter()
    subprocess.run(
        [str(intake), "--db", str(db_path), "import-accounts", str(src), "--no-progress"],
        check=True,
        env={**os.environ, "INTAKE_INSTANCE": str(db_path.parent / "instance")},
    )
    return time.perf_counter() - t


def ours_one_process(src: Path, db_path: Path) -> float:
    """The same import with the reader process off (``workers=0``): its CPU seconds are the
    per-row cost, comparable with the floor's even on a busy box."""
    code = (
        "import sys; from intake import store; from intake.importing import import_accounts; "
        "import_accounts(store.connect(sys.argv[2]), sys.argv[1], workers=0)"
    )
    t = time.perf_counter()
    subprocess.run([sys.executable, "-c", code, str(src), str(db_path)], check=True)
    return time.perf_counter() - t


def ours_reader_process(src: Path, db_path: Path) -> float:
    """The same import with the reader process forced on (``workers=1``), whatever the load."""
    code = (
        "import sys; from intake import store; from intake.importing import import_accounts; "
        "import_accounts(store.connect(sys.argv[2]), sys.argv[1], workers=1)"
    )
    t = time.perf_counter()
    subprocess.run([sys.executable, "-c", code, str(src), str(db_path)], check=True)
    return time.perf_counter() - t


LOADERS = {"floor": floor, "ours": ours, "ours1": ours_one_process, "ours2": ours_reader_process}


def db_size(db_path: Path) -> int:
    return sum(p.stat().st_size for p in db_path.parent.glob(db_path.name + "*"))


def _clean(db_path: Path) -> None:
    for p in db_path.parent.glob(db_path.name + "*"):
        p.unlink()


def run(
    rows: int, repeat: int, keep_csv: bool, keep_db: bool = False, only: str | None = None
) -> None:
    src = DATA / f"accounts-{rows}.csv"
    if not src.exists():
        t = time.perf_counter()
        generate(rows, src)
        print(f"generated {src} ({src.stat().st_size / 1e9:.2f} GB) in "
              f"{time.perf_counter() - t:.0f} s", flush=True)  # fmt: skip
    labels = only.split(",") if only else ["floor", "ours"]
    results: dict[str, list[float]] = {label: [] for label in labels}
    sizes: dict[str, int] = {}
    cpus: dict[str, list[float]] = {}
    for i in range(repeat):
        for label in labels:  # interleaved, so a change in the box's load hits each alike
            fn = LOADERS[label]
            db_path = DATA / f"bench-{label}.db"
            _clean(db_path)
            c0 = cpu_seconds()
            secs = fn(src, db_path)
            cpu = cpu_seconds() - c0
            sizes[label] = db_size(db_path)
            results[label].append(secs)
            cpus.setdefault(label, []).append(cpu)
            print(
                f"run {i + 1} {label}: {secs:.1f} s wall, {cpu:.1f} s CPU, "
                f"db {sizes[label] / 1e9:.2f} GB",
                flush=True,
            )
            if not (keep_db and label == "ours" and i == repeat - 1):
                _clean(db_path)  # the last 'ours' DB may be kept for bench_link.py
    load = os.getloadavg()
    print(f"load average after the runs: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    for label in labels:
        secs, cpu = statistics.median(results[label]), statistics.median(cpus[label])
        line = (
            f"| {rows:,} | {label} | {secs:.1f} s ({rows / secs:,.0f} rows/s) | CPU {cpu:.1f} s | "
            f"{sizes[label] / rows:.0f} MB per million rows |"
        )
        if label != "floor" and "floor" in results:
            f, fc = statistics.median(results["floor"]), statistics.median(cpus["floor"])
            line += f" {secs / f:.2f}x wall, {cpu / fc:.2f}x CPU |"
        print(line)
    if not keep_csv:
        src.unlink()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("generate")
    g.add_argument("--rows", type=int, required=True)
    g.add_argument("--out", type=Path, required=True)
    r = sub.add_parser("run")
    r.add_argument("--rows", type=int, default=2_000_000)
    r.add_argument("--repeat", type=int, default=3)
    r.add_argument("--keep-csv", action="store_true")
    r.add_argument("--keep-db", action="store_true", help="keep our last DB (bench-ours.db)")
    r.add_argument(
        "--only",
        help="comma-separated loaders: floor, ours (the CLI), ours1 (one process), "
        "ours2 (reader process forced on)",
    )
    args = ap.parse_args()
    if args.cmd == "generate":
        generate(args.rows, args.out)
    else:
        run(args.rows, args.repeat, args.keep_csv, args.keep_db, args.only)


if __name__ == "__main__":
    main()
