"""Review queue, pair page, decisions and undo, person split, dashboard (Flask client, real DB)."""

from __future__ import annotations

import json

import pytest
from staff_helpers import add_account, add_pair, add_submission, login, make_user

from intake.staff.diff import char_diff, field_diff, to_jamo
from intake.store import review as review_store
from intake.store.decisions import effective_decisions


@pytest.fixture
def reviewer(client, db):
    user = make_user(db, "paralegal")
    assert login(client, user["email"]).status_code == 302
    return user


def _people(db):
    a = add_submission(db, name="김민준", phone="010-1234-5678", email="mj@naver.com")
    b = add_submission(db, name="김민중", phone="01012345678", email="mj@nave.com")
    c = add_submission(db, name="이서연", phone="010-2222-3333")
    d = add_submission(db, name="이서윤", phone="010-2222-3333")
    return a, b, c, d


def test_decision_stored_with_who_and_when_and_audited(client, db, reviewer):
    a, b, *_ = _people(db)
    add_pair(db, "dedup", a, b, 0.7)
    response = client.post(
        f"/staff/review/dedup/{a}/{b}/decide", data={"decision": "same", "note": "same phone"}
    )
    assert response.status_code == 302
    row = next(iter(db.query("SELECT * FROM decisions")))
    assert (row["kind"], row["id_l"], row["id_r"], row["decision"]) == ("dedup", a, b, "same")
    assert row["user_id"] == reviewer["id"] and row["decided_at"] and row["note"] == "same phone"
    assert effective_decisions(db, "dedup") == {(a, b): "same"}
    event = next(iter(db.query("SELECT * FROM audit WHERE action = 'decision'")))
    assert event["user_id"] == reviewer["id"] and event["target"] == f"pair:dedup:{a}:{b}"
    assert json.loads(event["detail"]) == {
        "decision": "same",
        "decision_id": row["id"],
        "with_note": True,
    }
    assert "same phone" not in event["detail"]  # free text may hold PII: not in the audit


def test_undo_marks_decision_and_is_audited(client, db, reviewer):
    a, b, *_ = _people(db)
    add_pair(db, "dedup", a, b, 0.7)
    client.post(f"/staff/review/dedup/{a}/{b}/decide", data={"decision": "different"})
    decision_id = next(iter(db.query("SELECT id FROM decisions")))["id"]
    page = client.get(f"/staff/review/dedup/{a}/{b}")
    assert f"/staff/decisions/{decision_id}/undo".encode() in page.data
    response = client.post(f"/staff/decisions/{decision_id}/undo")
    assert response.location == f"/staff/review/dedup/{a}/{b}"
    row = review_store.get_decision(db, decision_id)
    assert row["undone_at"] and row["undone_by"] == reviewer["id"]
    assert effective_decisions(db, "dedup") == {}
    assert [e["action"] for e in db.query("SELECT action FROM audit WHERE action LIKE 'decision%'")]
    assert review_store.queue(db)[0]["id_l"] == a  # back in the queue


def test_json_decision_returns_next_pair_and_progress(client, db, reviewer):
    a, b, c, d = _people(db)
    add_pair(db, "dedup", a, b, 0.55)
    add_pair(db, "dedup", c, d, 0.9)
    response = client.post(
        f"/staff/review/dedup/{a}/{b}/decide",
        data={"decision": "same"},
        headers={"Accept": "application/json"},
    )
    body = response.get_json()
    assert body["next_url"] == f"/staff/review/dedup/{c}/{d}"
    assert body["progress"] == {"open": 1, "decided": 1, "total": 2, "mine_today": 1}


@pytest.mark.parametrize("bad", ["maybe", ""])
def test_unknown_decision_rejected(client, db, reviewer, bad):
    a, b, *_ = _people(db)
    add_pair(db, "dedup", a, b)
    assert client.post(f"/staff/review/dedup/{a}/{b}/decide", data={"decision": bad}).status_code
    assert not list(db.query("SELECT * FROM decisions"))


def test_decide_on_unknown_pair_is_404(client, db, reviewer):
    a, b, *_ = _people(db)
    response = client.post(f"/staff/review/dedup/{a}/{b}/decide", data={"decision": "same"})
    assert response.status_code == 404


def test_queue_order_most_useful_first(db):
    ids = [add_submission(db, name=f"사람{i}", person_id=None) for i in range(8)]
    add_pair(db, "dedup", ids[0], ids[1], 0.93)  # far from 0.5
    add_pair(db, "dedup", ids[2], ids[3], 0.52)  # the most uncertain
    add_pair(db, "dedup", ids[4], ids[5], 0.80)
    add_pair(db, "dedup", ids[6], ids[7], 0.99, band="link")  # auto-linked: not in the queue
    order = [(r["id_l"], r["id_r"]) for r in review_store.queue(db)]
    assert order == [(ids[2], ids[3]), (ids[4], ids[5]), (ids[0], ids[1])]
    # a fraud signal on a submission moves its pair up
    flagged = review_store.queue(db, flagged={ids[0]})
    assert (flagged[0]["id_l"], flagged[0]["fraud"]) == (ids[0], 1)
    # a large cluster moves up too
    for sid in (ids[0], *[add_submission(db, name="x") for _ in range(6)]):
        db.execute(
            "INSERT OR REPLACE INTO match_results (id, person_id) VALUES (?, 'P-BIG00000')", [sid]
        )
    order = [r["id_l"] for r in review_store.queue(db)]
    assert order == [ids[2], ids[0], ids[4]]


def test_queue_skip_goes_last_and_decided_leave(client, db, reviewer):
    a, b, c, d = _people(db)
    add_pair(db, "dedup", a, b, 0.55)
    add_pair(db, "dedup", c, d, 0.9)
    client.post(f"/staff/review/dedup/{a}/{b}/decide", data={"decision": "skip"})
    rows = review_store.queue(db)
    assert [(r["id_l"], r["skipped"]) for r in rows] == [(c, 0), (a, 1)]
    assert [r["id_l"] for r in review_store.queue(db, include_skipped=False)] == [c]
    client.post(f"/staff/review/dedup/{c}/{d}/decide", data={"decision": "different"})
    assert [r["id_l"] for r in review_store.queue(db)] == [a]


def test_queue_page_filters_and_both_kinds(client, db, reviewer):
    a, b, *_ = _people(db)
    account = add_account(db, name="김민준", phone="010-1234-5678")
    add_pair(db, "dedup", a, b, 0.6)
    add_pair(db, "link", b, account, 0.7)
    page = client.get("/staff/review")
    assert page.data.count(b'class="queue-row') == 2
    only_links = client.get("/staff/review?filter=1&kind=link")
    assert only_links.data.count(b'class="queue-row') == 1
    assert f"/staff/review/link/{b}/{account}".encode() in only_links.data
    # the filter sticks for "next pair"
    assert client.get("/staff/review/next").location == f"/staff/review/link/{b}/{account}"


def test_pair_page_shows_differences_explanation_and_clusters(client, db, reviewer):
    a, b, *_ = _people(db)
    other = add_submission(db, name="김민준", email="other@daum.net")
    for sid in (a, other):
        db.execute(
            "INSERT OR REPLACE INTO match_results (id, person_id) VALUES (?, 'P-LEFT0000')", [sid]
        )
    add_pair(db, "dedup", a, b, 0.7)
    html = client.get(f"/staff/review/dedup/{a}/{b}").data.decode()
    assert "김민<mark>준</mark>" in html and "김민<mark>중</mark>" in html
    assert "ㅈㅜ<mark>ㄴ</mark>" in html and "ㅈㅜ<mark>ㅇ</mark>" in html  # jamo level
    # same number spelled differently: marked softly and labelled, not as a real difference
    assert '010<mark class="soft">-</mark>1234' in html and "same after normalising" in html
    assert "70.0%" in html  # the score
    assert 'class="level level-exact"' in html and "+9.5" in html  # explanation bits
    assert f"#{other}" in html and "P-LEFT0000" in html  # the other cluster member
    for key in ('data-key="s"', 'data-key="d"', 'data-key="k"'):
        assert key in html


def test_blind_mode_hides_the_score(client, db, reviewer):
    a, b, *_ = _people(db)
    add_pair(db, "dedup", a, b, 0.7)
    queue = client.get("/staff/review?filter=1&blind=1").data.decode()
    assert "0.70" not in queue
    html = client.get(f"/staff/review/dedup/{a}/{b}").data.decode()
    assert "70.0%" not in html and "+9.5" not in html and "bits" not in html
    assert "Blind mode" in html and 'class="level level-exact"' in html


def test_link_pair_page_compares_with_the_account_row(client, db, reviewer):
    a, *_ = _people(db)
    account = add_account(db, name="김민준", phone="010-1234-5679", account_id="C-998")
    add_pair(db, "link", a, account, 0.8)
    html = client.get(f"/staff/review/link/{a}/{account}").data.decode()
    assert "C-998" in html and "010-1234-567<mark>8</mark>" in html


def test_split_records_different_against_auto_links(client, db, reviewer):
    a, b, c, _d = _people(db)
    for sid in (a, b, c):
        db.execute(
            "INSERT OR REPLACE INTO match_results (id, person_id) VALUES (?, 'P-SPLIT000')", [sid]
        )
    add_pair(db, "dedup", a, b, 0.99, band="link")
    add_pair(db, "dedup", b, c, 0.97, band="link")
    page = client.get("/staff/persons/P-SPLIT000")
    assert page.status_code == 200 and page.data.count(b'class="card submission"') == 3
    response = client.post("/staff/persons/P-SPLIT000/split", data={"submission_id": b})
    assert response.status_code == 302
    assert effective_decisions(db, "dedup") == {(a, b): "different", (b, c): "different"}
    event = next(iter(db.query("SELECT * FROM audit WHERE action = 'person_split'")))
    assert event["target"] == "person:P-SPLIT000"
    assert json.loads(event["detail"]) == {"pairs": 2, "submission_id": b}


def test_lawyer_sees_person_but_no_split_button(client, db):
    a, b, *_ = _people(db)
    for sid in (a, b):
        db.execute(
            "INSERT OR REPLACE INTO match_results (id, person_id) VALUES (?, 'P-LAW00000')", [sid]
        )
    lawyer = make_user(db, "lawyer")
    login(client, lawyer["email"])
    html = client.get("/staff/persons/P-LAW00000").data.decode()
    assert "김민준" in html and "Split out" not in html


def test_dashboard_counts_and_fraud_signals(client, db, reviewer):
    a, b, *_ = _people(db)
    for i, name in enumerate(["박지훈", "최유나", "정하늘"]):
        add_submission(db, name=name, phone="010-9999-0000", ip_hash="ip1", person_id=f"P-X{i}")
    db.execute("UPDATE submissions SET account_status = 'verified' WHERE id = ?", [a])
    add_pair(db, "dedup", a, b, 0.7)
    html = client.get("/staff/").data.decode()
    assert 'id="backlog">1<' in html
    assert "Many names on one phone" in html and "Many names from one IP" in html
    from intake.store import dashboard

    counts = dashboard.counts(db)
    assert counts["submissions_total"] == 7 and counts["verified"] == 1
    assert counts["persons"] == 3 and counts["unmatched"] == 4


def test_bursts_detected(db):
    from intake.store import dashboard

    for minute in range(5):
        add_submission(
            db, name=f"n{minute}", ip_hash="burst", submitted_at=f"2026-01-01T10:0{minute}:00+00:00"
        )
    add_submission(db, name="slow", ip_hash="slow", submitted_at="2026-01-01T10:00:00+00:00")
    found = dashboard.bursts(db)
    assert [(b["kind"], b["submissions"]) for b in found] == [("burst", 5)]


@pytest.mark.parametrize(
    "a,b,left,right",
    [
        ("abc", "abc", [("abc", False)], [("abc", False)]),
        ("abc", "abd", [("ab", False), ("c", True)], [("ab", False), ("d", True)]),
        ("", "x", [], [("x", True)]),
        (None, None, [], []),
    ],
)
def test_char_diff(a, b, left, right):
    assert char_diff(a, b) == (left, right)


def test_jamo_diff_only_for_hangul():
    assert to_jamo("김민준 A") == "ㄱㅣㅁㅁㅣㄴㅈㅜㄴ A"
    assert field_diff("김민준", "김민중")["jamo"] is not None
    assert field_diff("Kim", "Kin")["jamo"] is None


def test_today_is_the_korean_day():
    from datetime import UTC, datetime

    from intake.store.dashboard import start_of_today

    # 2026-01-05 16:00 UTC is already 01:00 on the 6th in Seoul
    assert start_of_today(datetime(2026, 1, 5, 16, 0, tzinfo=UTC)) == "2026-01-05T15:00:00+00:00"
    assert start_of_today(datetime(2026, 1, 5, 14, 0, tzinfo=UTC)) == "2026-01-04T15:00:00+00:00"


def test_next_without_deciding_walks_forward_and_wraps(client, db, reviewer):
    ids = [add_submission(db, name=f"사람{i}") for i in range(6)]
    pairs = [(ids[0], ids[1], 0.52), (ids[2], ids[3], 0.6), (ids[4], ids[5], 0.8)]
    for a, b, p in pairs:
        add_pair(db, "dedup", a, b, p)
    urls = [f"/staff/review/dedup/{a}/{b}" for a, b, _p in pairs]
    assert client.get("/staff/review/next").location == urls[0]
    walk = []
    current = pairs[0]
    for _ in range(3):
        location = client.get(f"/staff/review/next?after=dedup:{current[0]}:{current[1]}").location
        walk.append(location)
        current = next(p for p, u in zip(pairs, urls, strict=True) if u == location)
    assert walk == [urls[1], urls[2], urls[0]]
    # a pair skipped after the order was ranked is not offered again straight away
    client.post(f"{urls[0]}/decide", data={"decision": "skip"})
    assert client.get("/staff/review/next").location == urls[1]
    assert client.get("/staff/review/next?after=x").status_code == 400


def test_cross_script_names_show_the_romanised_skeleton(client, db, reviewer):
    a = add_submission(db, name="김민준")
    b = add_submission(db, name="Kim Min-jun")
    add_pair(db, "dedup", a, b, 0.7)
    html = client.get(f"/staff/review/dedup/{a}/{b}").data.decode()
    assert html.count("→ kim minjun") == 2


def test_account_signals_from_the_cross_check_are_shown_and_rank_first(client, db, reviewer):
    account = add_account(db, name="김민준", phone="010-1234-5678")
    a = add_submission(db, name="김민준", person_id="P-ONE00000")
    b = add_submission(db, name="홍길동", person_id="P-TWO00000")
    for sid in (a, b):
        db.execute(
            "UPDATE submissions SET account_row = ?, account_status = 'probable' WHERE id = ?",
            [account, sid],
        )
    c, d = add_submission(db, name="x"), add_submission(db, name="y")
    add_pair(db, "dedup", c, d, 0.5)  # the most uncertain pair ...
    add_pair(db, "link", b, account, 0.9)  # ... comes after the flagged one
    assert "One listed account claimed by several persons" in client.get("/staff/").data.decode()
    assert client.get("/staff/review/next").location == f"/staff/review/link/{b}/{account}"
