"""Namesakes in the cross-check: accounts that share only the name and the postcode.

"A claimant matching many accounts" (a fraud signal) counts accounts the claim's e-mail or
phone proposed, not namesakes: at Coupang's scale a common name has several accounts in one
postcode, and counting them sent 180,813 of 1.6M generated claims to review (1M people against
10M accounts). A verified claim does not keep its namesakes as review pairs (698,196 of them
at that scale); a claim with no account of its own does. Real SQLite files, batch and per
submit."""

from __future__ import annotations

import pytest
from test_imports import gen_csv

from intake import store
from intake.importing import import_accounts
from intake.match.link import fraud_flags, link_submission, run_link
from intake.store.submissions import insert_submission

HEADER = ["name", "email", "phone", "address", "postal_code", "account_id"]
OWN = ["김민준", "minjun@naver.com", "010-1234-5678", "서울 강남구 테헤란로 142, 101동 1203호"]
NAMESAKES = [  # same name and postcode, same road, another building, e-mail and phone
    ["김민준", f"mj{k}@daum.net", f"010-77{k}1-20{k}3", f"서울 강남구 테헤란로 {150 + 10 * k}"]
    for k in range(1, 5)
]
CLAIM = dict(zip(("name", "email", "phone", "address"), OWN, strict=True)) | {
    "postal_code": "06236"
}


@pytest.fixture
def db(tmp_path):
    database = store.connect(tmp_path / "n.db")
    yield database
    database.conn.close()


def load(db, tmp_path, rows) -> None:
    body = [[*r, "06236", f"A{i}"] for i, r in enumerate(rows)]
    import_accounts(db, gen_csv(tmp_path / "list.csv", [HEADER, *body]))


def stored_pairs(db, sid: int) -> list[str]:
    sql = "SELECT rule FROM pairs WHERE kind = 'link' AND id_l = ? AND band IN ('link', 'review')"
    return sorted(r[0] for r in db.execute(sql, [sid]))


def status(db, sid: int) -> tuple[str, str]:
    sql = "SELECT account_status, account_id FROM submissions WHERE id = ?"
    return tuple(db.execute(sql, [sid]).fetchone())


@pytest.mark.parametrize("path", ["batch", "per submit"])
def test_namesakes_in_the_postcode_do_not_send_a_verified_claim_to_review(db, tmp_path, path):
    load(db, tmp_path, [OWN, *NAMESAKES])
    sid = insert_submission(db, CLAIM)[0]
    if path == "batch":
        report = run_link(db)
        assert report.many_account_claimants == 0 and report.sent_to_review == 0
    else:
        assert link_submission(db, sid) == "verified"
    # verified against its own account; the four namesakes are neither a fraud signal nor
    # review pairs (a paralegal would face them for every verified claim with a common name)
    assert status(db, sid) == ("verified", "A0")
    assert stored_pairs(db, sid) == ["email,name_postcode,phone"]
    assert [f for f in fraud_flags(db) if f["kind"] == "claimant_many_accounts"] == []


@pytest.mark.parametrize("path", ["batch", "per submit"])
def test_a_claim_with_no_account_of_its_own_keeps_its_namesakes_for_review(db, tmp_path, path):
    """A new e-mail and a new phone: nothing verifies, so the accounts that share the name and
    postcode are what a reviewer decides between; they still are no fraud signal."""
    load(db, tmp_path, [OWN, *NAMESAKES])
    moved = {**CLAIM, "email": "new.minjun@gmail.com", "phone": "010-3333-4444"}
    sid = insert_submission(db, moved)[0]
    if path == "batch":
        assert run_link(db).many_account_claimants == 0
    else:
        assert link_submission(db, sid) == "probable"
    assert status(db, sid) == ("probable", "A0")  # the own account ranks first (exact address)
    assert stored_pairs(db, sid) == ["name_postcode"] * 5
    assert [f for f in fraud_flags(db) if f["kind"] == "claimant_many_accounts"] == []


@pytest.mark.parametrize("path", ["batch", "per submit"])
def test_a_phone_that_proposes_many_accounts_still_goes_to_review(db, tmp_path, path):
    shared_phone = [[*r[:2], OWN[2], r[3]] for r in NAMESAKES[:3]]
    load(db, tmp_path, [OWN, *shared_phone])
    sid = insert_submission(db, CLAIM)[0]
    if path == "batch":
        assert run_link(db).many_account_claimants == 1
    else:
        assert link_submission(db, sid) == "probable"
    assert status(db, sid)[0] == "probable"
    flagged = [f for f in fraud_flags(db) if f["kind"] == "claimant_many_accounts"]
    assert [f["submission_id"] for f in flagged] == [sid]
