"""Round 9: the rules on common values (a name and a birth year, initials and a postcode)
compare each record with its nearest neighbours in birth-date order, not the whole block, in
the batch and per submit alike.

Why: such blocks grow with the number of claims (김민준 born in 1990), and all pairs of a block
grow with its square; the duplicate these rules exist for (a birth date off by a few days, a
mistyped name with the birth date kept) sorts next to its original."""

from __future__ import annotations

import pytest

from intake import store
from intake.match.blocking import RULES, rule_pairs
from intake.match.frame import KeyFrame
from intake.match.names import block_forms
from intake.match.pipeline import _WINDOWS
from intake.match.settings import MatchSettings
from intake.store import matches
from intake.store.submissions import insert_submission

WINDOWED = {r.name: r for r in RULES if r.name in ("name_birth_year", "initials_postcode")}
# one month apart: no two share a birth date, so no other rule pairs them by it
DATES = [f"1990-{m:02d}-{d:02d}" for m in range(1, 13) for d in (3, 17)]
# twelve names of the initials ㄱㅁㅈ, each unlike the others as a name (no name rule pairs them)
INITIALS_GMJ = ("김민준", "김미진", "고문정", "계명주", "길민재", "김명준", "곽미정", "구문주",
                "권민지", "강명진", "국미주", "금민정", "경묘주", "공마재")  # fmt: skip


@pytest.fixture
def db(tmp_path):
    database = store.connect(tmp_path / "windows.db")
    yield database
    database.conn.close()


def _add(db, **fields) -> int:
    return insert_submission(db, fields)[0]


def _frame(db) -> KeyFrame:
    return KeyFrame.from_rows(matches.key_rows(db)[0])


def _pairs(db, rule_name: str) -> set[tuple[int, int]]:
    frame = _frame(db)
    a, b, _ = rule_pairs(frame, WINDOWED[rule_name], MatchSettings())
    ids = frame.ids
    return set(zip(ids[a].tolist(), ids[b].tolist(), strict=True))


def _neighbour_pairs(ids_in_order: list[int], window: int) -> set[tuple[int, int]]:
    return {
        (min(x, y), max(x, y))
        for k, x in enumerate(ids_in_order)
        for y in ids_in_order[k + 1 : k + window]
    }


def _namesakes(db, n: int, order: list[int] | None = None) -> list[int]:
    """``n`` 김민준 born in 1990 on different dates, nothing else shared; ids in date order."""
    order = order if order is not None else list(range(n))
    by_date = {}
    for k in order:
        by_date[k] = _add(db, name="김민준", birth_date=DATES[k], phone=f"010-4{k:03d}-1{k:03d}")
    return [by_date[k] for k in sorted(by_date)]


def test_the_common_value_rules_have_small_windows_sorted_by_birth_date():
    assert set(_WINDOWS) == set(WINDOWED)
    for rule in WINDOWED.values():
        assert rule.window_sort == "birth_date"  # what the per-submit look-ups order by
        assert rule.max_block is None  # a big block is windowed, never skipped
        assert rule.window <= 5


@pytest.mark.parametrize("size", [4, 12, 24])
def test_name_birth_year_pairs_only_neighbours_in_birth_date_order(db, size):
    # filed out of date order: the window follows the birth dates, not the ids
    in_date_order = _namesakes(db, size, order=list(range(size))[::-1])
    window = WINDOWED["name_birth_year"].window
    assert _pairs(db, "name_birth_year") == _neighbour_pairs(in_date_order, window)


def test_a_rule_on_a_common_value_grows_linearly_with_its_block(db):
    """All pairs of a block of 24 would be 276; the window keeps it under 2 per record."""
    _namesakes(db, 24)
    pairs = _pairs(db, "name_birth_year")
    assert len(pairs) == 2 * 24 - 3
    assert len(pairs) < 24 * 23 // 2


def test_a_birth_date_typo_under_a_common_name_is_still_proposed(db):
    ids = _namesakes(db, 20)
    typo = _add(db, name="김민준", birth_date="1990-06-18", phone="010-9999-0000")  # 06-17
    original = ids[11]  # 1990-06-17
    assert (original, typo) in _pairs(db, "name_birth_year")


def test_initials_postcode_pairs_only_neighbours_missing_dates_first(db):
    ids = []
    for k, name in enumerate(INITIALS_GMJ):
        date = None if k in (3, 9) else DATES[k]
        ids.append(_add(db, name=name, birth_date=date, postal_code="06236",
                        phone=f"010-4{k:03d}-1{k:03d}"))  # fmt: skip
    in_order = [ids[3], ids[9]] + [i for k, i in enumerate(ids) if k not in (3, 9)]
    window = WINDOWED["initials_postcode"].window
    assert _pairs(db, "initials_postcode") == _neighbour_pairs(in_order, window)


def _found(db, sid: int) -> dict[int, str]:
    rec = matches.record(db, sid)
    got = matches.candidate_records(
        db, rec, limit=200, forms=block_forms, broad=(10, 3), windows=_WINDOWS
    )
    return {i: rule for i, (_, rule) in got.items()}


def _batch_partners(db, rule_name: str, probe: int) -> set[int]:
    return {x if y == probe else y for x, y in _pairs(db, rule_name) if probe in (x, y)}


@pytest.mark.parametrize("position", [0, 1, 6, 12, 13])
def test_per_submit_name_birth_year_proposes_the_batch_neighbours(db, position):
    """Twelve namesakes stored (over the broad rules' cap of 10), the thirteenth filed at
    ``position`` in date order: the per-submit look-up proposes the pairs a full run makes."""
    dates = list(range(14))
    probe_date = dates.pop(position)
    _namesakes(db, 14, order=dates)
    probe = _add(db, name="김민준", birth_date=DATES[probe_date], phone="010-9999-0000")
    by_rule = _found(db, probe)
    got = {i for i, rule in by_rule.items() if rule == "name_birth_year"}
    assert got == _batch_partners(db, "name_birth_year", probe)
    assert 0 < len(got) <= 4


@pytest.mark.parametrize("position", [0, 5, 13])
def test_per_submit_initials_postcode_proposes_the_batch_neighbours(db, position):
    names = list(INITIALS_GMJ)
    probe_name = names.pop(position)
    for k, name in enumerate(names):
        _add(db, name=name, birth_date=DATES[k if k < position else k + 1],
             postal_code="06236", phone=f"010-4{k:03d}-1{k:03d}")  # fmt: skip
    probe = _add(db, name=probe_name, birth_date=DATES[position], postal_code="06236",
                 phone="010-9999-0000")  # fmt: skip
    by_rule = _found(db, probe)
    got = {i for i, rule in by_rule.items() if rule == "initials_postcode"}
    assert got == _batch_partners(db, "initials_postcode", probe)
    assert 0 < len(got) <= 8
