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


def load_script(name: str):
    """``scripts/NAME.py`` as a module (scripts/ is not a package), so tests run a benchmark's
    own code path."""
    import importlib.util

    path = Path(__file__).resolve().parents[1] / "scripts" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_bench_febrl():
    """``scripts/bench_febrl.py``: the FEBRL benchmark's code path on the FEBRL data."""
    return load_script("bench_febrl")


def household_evidence_of(records: list[dict]):
    """The household finding a batch run reads from these claims (vocabulary dicts, keyed as
    the store keys them): candidate pairs, their levels, the count."""
    from intake.match.blocking import candidate_pairs
    from intake.match.frame import KeyFrame
    from intake.match.households import household_evidence
    from intake.match.records import keyed_rows
    from intake.match.score import Model
    from intake.match.settings import MatchSettings
    from intake.match.vscore import pair_levels

    frame = KeyFrame.from_rows(keyed_rows(records))
    cands = candidate_pairs(frame, MatchSettings())
    levels = pair_levels(Model(n=len(frame)), frame, cands.left, cands.right)
    return household_evidence(levels)
