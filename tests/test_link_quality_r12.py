"""The Korean link target (issue 3: F1 >= 0.98, no claimant verified against a household
member's account), measured by ``scripts/bench_link_quality.py`` through the product's own
imports, dedup and cross-check on a real SQLite file; and the bench's count, which must see a
wrong link when there is one."""

from __future__ import annotations

import pytest
from match_helpers import load_script

from intake import store
from intake.importing import import_accounts, import_claims
from intake.match.link import run_link
from intake.match.pipeline import run_match


@pytest.fixture(scope="module")
def linked(tmp_path_factory):
    """3,000 generated people, 30,000 accounts, imported, deduplicated and cross-checked."""
    bench = load_script("bench_link_quality")
    work = tmp_path_factory.mktemp("lq")
    claims, accounts = bench.generate(work, 3000, 30_000, seed=4)
    db = store.connect(work / "lq.db")
    import_accounts(db, accounts)
    import_claims(db, claims)
    run_match(db)
    run_link(db)
    yield bench, db, bench.truth(claims, accounts)
    db.conn.close()


def test_cross_check_meets_the_korean_link_target(linked):
    bench, db, truth = linked
    got = bench.quality(db, *truth)
    assert got["f1"] >= 0.98
    assert got["household_links"] == 0
    assert got["true_pairs"] > 3000  # most claimants hold an account: the figure says much


def test_the_count_sees_a_link_to_a_household_members_account(linked):
    bench, db, truth = linked
    person_of_claim, household, owner = truth
    before = bench.quality(db, *truth)
    account_of = {person: acc for acc, person in owner.items()}
    verified = db.execute(
        "SELECT s.id, s.source_ref FROM submissions s WHERE s.account_status = 'verified'"
    ).fetchall()
    # a verified claim whose household has another account holder
    found = next(
        (
            (sid, other)
            for sid, ref in verified
            for other in account_of
            if other != person_of_claim[ref] and household[other] == household[person_of_claim[ref]]
        ),
        None,
    )
    assert found, "no household with two account holders among the verified claims"
    sid, other = found
    wrong = db.execute(
        "SELECT id FROM accounts WHERE account_id = ?", [account_of[other]]
    ).fetchone()[0]
    with db.conn:
        db.execute("UPDATE submissions SET account_row = ? WHERE id = ?", [wrong, sid])
    after = bench.quality(db, *truth)
    assert after["household_links"] == before["household_links"] + 1
    assert after["false_links"] == before["false_links"] + 1
    assert after["precision"] < before["precision"]
