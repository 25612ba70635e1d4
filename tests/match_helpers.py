"""Generated claim files for the matcher's tests (real CSVs through the real import)."""

from __future__ import annotations

import csv
from pathlib import Path

from intake.synth import generate_people, generate_submissions

FIELDS = ("name", "email", "phone", "address", "postal_code", "birth_date")


def write_claims_csv(path: Path, people: int, seed: int, dup_rate: float = 0.6) -> Path:
    """A CSV of generated claims (duplicates, households, typos) with a ``ref`` column R0…"""
    recs = generate_submissions(generate_people(people, seed=seed), seed=seed, dup_rate=dup_rate)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["ref", *FIELDS])
        for i, r in enumerate(recs):
            w.writerow([f"R{i}", *(r.get(f) or "" for f in FIELDS)])
    return path


def load_bench_febrl():
    """``scripts/bench_febrl.py`` as a module (scripts/ is not a package), so tests run the
    benchmark's own code path on the FEBRL data."""
    import importlib.util

    path = Path(__file__).resolve().parents[1] / "scripts" / "bench_febrl.py"
    spec = importlib.util.spec_from_file_location("bench_febrl", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
