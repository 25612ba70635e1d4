"""The benchmark scripts still run against the current schema (tiny sizes, real subprocesses).

Why: they build their stores with SQL of their own, so a schema change (V9 moved person ids
out of ``submissions``) breaks them without any other test noticing. No timing is asserted."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from intake.match.blocking import RULES

ROOT = Path(__file__).resolve().parent.parent


def _run(script: str, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / script), *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_bench_dedup_small(tmp_path):
    out = _run("bench_dedup.py", "--people", "300", "--dir", str(tmp_path), "--incremental", "10")
    report = json.loads(out.strip().splitlines()[-1])
    assert report["submissions"] > 300 and report["household_pairs_merged"] == 0
    assert report["persons"] <= report["submissions"] and report["f1"] > 0.9

    # the per-rule report on the store the benchmark left behind
    truth = next(tmp_path.glob("truth-300-*.json"))
    lines = _run("blocking_rules.py", str(tmp_path / "bench.db"), "--truth", str(truth))
    lines = lines.strip().splitlines()
    candidates = int(lines[0].split("candidates ")[1].split()[0].replace(",", ""))
    rows = {
        line.split()[0]: [int(v.replace(",", "")) for v in line.split()[1:]] for line in lines[2:]
    }
    assert set(rows) == {r.name for r in RULES}
    only = sum(r[1] for r in rows.values())
    assert 0 < only <= candidates <= sum(r[0] for r in rows.values())
    assert all(proposes >= alone >= stored >= linked >= linked_true for proposes, alone,
               stored, linked, linked_true, _ in rows.values())  # fmt: skip


def test_blocking_rules_names_a_missing_database(tmp_path):
    missing = tmp_path / "missing.db"
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "blocking_rules.py"), str(missing)],
        capture_output=True, text=True, timeout=120, cwd=ROOT,
    )  # fmt: skip
    assert done.returncode == 2 and f"no database at {missing}" in done.stderr
    assert not missing.exists()  # not created as an empty store


def test_parity_incremental_small():
    out = _run("parity_incremental.py", "--people", "150", "--seed", "2")
    assert "incremental_ms_p99" in out


def test_bench_export_small(tmp_path):
    out = _run("bench_export.py", "--rows", "600", "--repeat", "1", "--data-dir", str(tmp_path))
    assert "ratio of medians" in out


def test_bench_staff_small():
    out = _run("bench_staff.py", "--submissions", "400", "--pairs", "40", "--runs", "1")
    assert "decision POST + recluster + next pair" in out


def test_bench_claims_small():
    out = _run("bench_claims.py", "--accounts", "200", "--claims", "20", "--posts", "3")
    assert "claimant waits median" in out


def test_busy_cores_traces_a_command_and_passes_on_its_exit_status():
    spin = "import time\nt = time.time()\nwhile time.time() - t < 0.6: pass\nraise SystemExit(3)"
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "busy_cores.py"), "--every", "0.1", "--",
         sys.executable, "-c", spin],
        capture_output=True, text=True, timeout=120, cwd=ROOT,
    )  # fmt: skip
    assert done.returncode == 3  # the command's own status
    *lines, summary = done.stderr.strip().splitlines()
    samples = [float(v) for line in lines for v in line.split()]
    assert len(samples) >= 4 and all(0.0 <= s <= 64 for s in samples)
    assert max(samples) >= 0.5  # the spinning command kept a core busy
    assert summary.startswith("busy cores: mean ") and f"({len(samples)} samples" in summary
