"""Cross-check of submissions against the affected-account list: the three statuses, link pairs,
fraud signals, decisions, incremental vs new-list runs, privacy mode, and a public receipt that
is identical whether or not the claimant is on the list."""

from __future__ import annotations

import pytest
from test_claims import REF, post_claim, receipt_html
from test_imports import gen_csv

from intake import store
from intake.importing import import_accounts
from intake.match import linkscore
from intake.match.explain import decode as decode_explanation
from intake.match.link import Linker, LinkError, fraud_flags, link_submission, run_link
from intake.store.accounts import Lookup
from intake.store.decisions import add_decision
from intake.store.submissions import insert_submission

HEADER = ["name", "email", "phone", "address", "postal_code", "account_id"]
LIST = [
    [
        "김민준",
        "minjun@naver.com",
        "010-1234-5678",
        "서울 강남구 테헤란로 142, 101동 1203호",
        "06236",
        "A1",
    ],
    ["이서연", "seoyeon@daum.net", "010-9999-8888", "부산 해운대구 센텀중앙로 79", "48058", "A2"],
    ["박도윤", "", "010-5555-6666", "서울 송파구 올림픽로 300, 5동 101호", "05551", "A3"],
]


@pytest.fixture(params=["vectorised", "pair by pair"])
def scoring(request, monkeypatch):
    """Run a test through both scoring paths of ``linkscore`` (they must agree)."""
    monkeypatch.setattr(linkscore, "VECTOR_MIN", 0 if request.param == "vectorised" else 10**9)
    return request.param


@pytest.fixture
def listed(db, tmp_path):
    import_accounts(db, gen_csv(tmp_path / "list.csv", [HEADER, *LIST]))
    return db


def add(db, **record) -> int:
    return insert_submission(db, record)[0]


def row(db, sid: int) -> dict:
    return next(db.query("SELECT * FROM submissions WHERE id = ?", [sid]))


@pytest.mark.parametrize(
    "record, status, account",
    [
        ({"name": "김민준", "email": "MinJun@Naver.com"}, "verified", "A1"),
        ({"name": "김 민준", "phone": "+82 10 1234 5678"}, "verified", "A1"),
        ({"name": "Kim Minjun", "phone": "01012345678"}, "verified", "A1"),
        ({"name": "이서연", "email": "seoyeon@hanmail.net"}, "verified", "A2"),  # daum alias
        ({"name": "홍길동", "email": "minjun@naver.com"}, "probable", "A1"),  # login, other name
        (
            {
                "name": "박도윤",
                "address": "서울 송파구 올림픽로 300, 5동 101호",
                "postal_code": "05551",
            },
            "probable",
            "A3",
        ),
        ({"name": "홍길동", "phone": "010-5555-6666"}, "unverified", None),  # household phone
        ({"name": "최하은", "email": "haeun@naver.com"}, "unverified", None),
        ({"name": "박도윤"}, "unverified", None),  # a common name alone proves nothing
    ],
)
def test_statuses(listed, scoring, record, status, account):
    sid = add(listed, **record)
    report = run_link(listed)
    assert report.submissions == 1
    r = row(listed, sid)
    assert (r["account_status"], r["account_id"]) == (status, account)
    if status == "unverified":
        assert r["account_row"] is None and r["account_score"] is None
    else:
        assert 0 < r["account_score"] <= 1
        levels = {e["field"]: e["level"] for e in decode_explanation(r["account_explanation"])}
        assert set(levels) >= {"name", "email", "phone"}
        (pair,) = listed.query("SELECT * FROM pairs WHERE kind = 'link' AND id_l = ?", [sid])
        assert pair["id_r"] == r["account_row"]
        assert pair["band"] == ("link" if status == "verified" else "review")


def test_link_submission_single_and_batch_agree(listed):
    assert run_link(listed).full  # the first run after a list arrives checks everyone
    sid = add(listed, name="이서연", phone="010-9999-8888")
    assert link_submission(listed, sid) == "verified"
    assert row(listed, sid)["linked_at"] is not None
    assert run_link(listed).submissions == 0  # already linked: nothing new (list unchanged)
    other = add(listed, name="김민준", email="minjun@naver.com")
    report = run_link(listed)
    assert (report.full, report.submissions, report.verified) == (False, 1, 1)
    assert row(listed, other)["account_id"] == "A1"
    assert run_link(listed, full=True).verified == 2


def test_new_list_rechecks_everyone(db, tmp_path):
    import_accounts(db, gen_csv(tmp_path / "one.csv", [HEADER, LIST[0]]))
    sid = add(db, name="이서연", email="seoyeon@daum.net")
    assert run_link(db).unverified == 1
    assert run_link(db).submissions == 0
    import_accounts(db, gen_csv(tmp_path / "fix.csv", [HEADER, LIST[1]]), replace=True)
    report = run_link(db)
    assert report.full and report.verified == 1
    assert row(db, sid)["account_id"] == "A2"


def test_one_account_claimed_by_several_persons_goes_to_review(listed):
    a = add(listed, name="김민준", email="minjun@naver.com")
    b = add(listed, name="김민준", phone="010-1234-5678", birth_date="1990-01-01")
    listed.execute("INSERT OR REPLACE INTO match_results (id, person_id) VALUES (?, 'P-A')", [a])
    listed.execute("INSERT OR REPLACE INTO match_results (id, person_id) VALUES (?, 'P-B')", [b])
    report = run_link(listed)
    assert report.shared_accounts == 1 and report.sent_to_review == 2
    assert {row(listed, s)["account_status"] for s in (a, b)} == {"probable"}
    bands = {p["band"] for p in listed.query("SELECT band FROM pairs WHERE kind = 'link'")}
    assert bands == {"review"}
    (flag,) = fraud_flags(listed)
    assert flag["kind"] == "account_many_claimants" and flag["submission_ids"] == [a, b]
    assert flag["count"] == 2


def test_same_person_twice_is_not_a_fraud_signal(listed):
    a = add(listed, name="김민준", email="minjun@naver.com")
    b = add(listed, name="김민준", phone="010-1234-5678")
    listed.conn.executemany(
        "INSERT OR REPLACE INTO match_results (id, person_id) VALUES (?, 'P-A')", [[a], [b]]
    )
    run_link(listed)
    assert fraud_flags(listed) == []
    assert {row(listed, s)["account_status"] for s in (a, b)} == {"verified"}


def test_claimant_matching_many_accounts_goes_to_review(db, tmp_path):
    rows = [["김민준", f"m{i}@naver.com", "010-1234-5678", "", "", f"A{i}"] for i in range(3)]
    import_accounts(db, gen_csv(tmp_path / "list.csv", [HEADER, *rows]))
    sid = add(db, name="김민준", phone="010-1234-5678")
    report = run_link(db)
    assert report.many_account_claimants == 1
    assert row(db, sid)["account_status"] == "probable"
    kinds = [f["kind"] for f in fraud_flags(db)]
    assert "claimant_many_accounts" in kinds


def test_reviewer_decisions_are_honoured(listed, scoring):
    sid = add(listed, name="홍길동", email="minjun@naver.com")
    run_link(listed)
    account = row(listed, sid)["account_row"]
    add_decision(listed, "link", sid, account, "same", user_id=None)
    run_link(listed, full=True)
    assert row(listed, sid)["account_status"] == "verified"
    add_decision(listed, "link", sid, account, "different", user_id=None)
    run_link(listed, full=True)
    assert row(listed, sid)["account_status"] == "unverified"


def test_privacy_mode_matches_exactly_on_hashes(db, tmp_path):
    import_accounts(db, gen_csv(tmp_path / "list.csv", [HEADER, *LIST]), hash_key="k1")
    sid = add(db, name="김민준", email="minjun@naver.com")
    with pytest.raises(LinkError, match="ACCOUNT_HASH_KEY"):
        run_link(db)
    with pytest.raises(LinkError, match="differs"):
        run_link(db, hash_key="other")
    assert run_link(db, hash_key="k1").verified == 1
    assert row(db, sid)["account_id"] == "A1"
    phone = add(db, name="이서연", phone="01099998888")
    assert link_submission(db, phone, hash_key="k1") == "verified"


def test_no_list_means_nothing_to_do(db):
    sid = add(db, name="김민준", email="minjun@naver.com")
    assert run_link(db).note == "no affected-account list loaded"
    assert link_submission(db, sid) == "unverified"


def test_link_and_loaders_never_import_flask():
    """Like the matcher test: none of these modules imports Flask or the web layer."""
    import ast
    from pathlib import Path

    import intake

    root = Path(intake.__file__).parent
    files = ["match/link.py", "importing.py", "loading.py", "batches.py", "imports.py"]
    files += ["store/accounts.py", "store/imports.py", "store/links.py"]
    for rel in files:
        tree = ast.parse((root / rel).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = [node.module or ""] if isinstance(node, ast.ImportFrom) else []
                names += [a.name for a in node.names]
                for name in names:
                    assert not name.startswith("flask"), rel
                    assert name not in ("web", "db", "claims", "staff"), rel


def test_receipt_is_identical_for_listed_and_unlisted_claimants(app, tmp_path):
    db = store.connect(app.config["DB"])
    import_accounts(db, gen_csv(tmp_path / "list.csv", [HEADER, *LIST]))
    pages, posts = [], []
    listed = {"phone": "010-1234-5678", "email": "minjun@naver.com"}
    unlisted = {"phone": "010-3333-4444", "email": "x@naver.com", "postal_code": "48000"}
    unlisted["address"] = "부산 해운대구 해운대로 1"
    for contact in (listed, unlisted):
        client = app.test_client()
        response = post_claim(client, name="김민준", **contact)
        posts.append((response.status_code, response.location, response.get_data()))
        pages.append(REF.sub("CL-REF", receipt_html(client)))
    statuses = [r[0] for r in db.execute("SELECT account_status FROM submissions ORDER BY id")]
    assert statuses == ["verified", "unverified"]  # the cross-check really ran for both
    assert posts[0] == posts[1]
    assert pages[0] == pages[1]


def test_worker_processes_give_the_same_results(listed):
    records = [
        {"name": "김민준", "email": "minjun@naver.com"},
        {"name": "홍길동", "email": "minjun@naver.com"},
        {"name": "이서연", "phone": "01099998888"},
        {"name": "최하은", "phone": "01011112222"},
    ]
    ids = [add(listed, **r) for r in records * 3]
    run_link(listed, workers=0)
    serial = [(r["account_status"], r["account_row"]) for r in map(lambda s: row(listed, s), ids)]
    report = run_link(listed, full=True, workers=2)
    assert report.submissions == len(ids)
    parallel = [(r["account_status"], r["account_row"]) for r in map(lambda s: row(listed, s), ids)]
    assert parallel == serial


# Claims that exercise every probe and status against LIST, plus near misses.
MIXED = [
    {"name": "김민준", "email": "MinJun@Naver.com"},
    {"name": "김 민준", "phone": "+82 10 1234 5678", "birth_date": "1990-01-01"},
    {"name": "Kim Minjun", "phone": "01012345678"},
    {"name": "이서연", "email": "seoyeon@hanmail.net", "postal_code": "48058"},
    {"name": "홍길동", "email": "minjun@naver.com"},
    {"name": "박도윤", "address": "서울 송파구 올림픽로 300, 5동 101호", "postal_code": "05551"},
    {"name": "박도윤", "address": "서울 송파구 올림픽로 300, 5동 102호", "postal_code": "05551"},
    {"name": "박도윤", "phone": "010-5555-6666", "address": "서울 송파구 올림픽로 300"},
    {"name": "홍길동", "phone": "010-5555-6666"},
    {"name": "최하은", "email": "haeun@naver.com"},
    {"name": "박도윤"},
]


def stored(db) -> list[tuple]:
    subs = db.execute(
        "SELECT id, account_status, account_id, account_row, account_score, account_explanation"
        " FROM submissions ORDER BY id"
    ).fetchall()
    pairs = db.execute(
        "SELECT id_l, id_r, probability, weight, band, explanation, rule FROM pairs"
        " WHERE kind = 'link' ORDER BY id_l, id_r"
    ).fetchall()
    return subs + pairs


def test_batch_and_single_submissions_store_the_same(listed, monkeypatch):
    """The batch (sorted probes, vectorised scoring) and the web path (one statement, pair by
    pair) store byte-identical statuses, scores, explanations and pairs."""
    ids = [add(listed, **r) for r in MIXED]
    monkeypatch.setattr(linkscore, "VECTOR_MIN", 0)
    report = run_link(listed, full=True, workers=0)
    assert (report.verified, report.probable) == (5, 3)  # every status is exercised
    batch = stored(listed)
    monkeypatch.setattr(linkscore, "VECTOR_MIN", 10**9)
    listed.execute("DELETE FROM pairs WHERE kind = 'link'")
    listed.execute("UPDATE submissions SET account_status = 'unverified', account_row = NULL")
    for sid in ids:
        link_submission(listed, sid)
    assert stored(listed) == batch


def test_link_many_equals_link_per_claim(listed):
    for r in MIXED * 2:
        add(listed, **r)
    rows = listed.execute(
        "SELECT id, person_id, k_name, k_email, k_phone, k_phone_tail, k_birth, k_postcode,"
        " k_addr, k_unit FROM submissions_with_matches ORDER BY id"
    ).fetchall()
    linker = Linker(listed)
    decisions = {(rows[0][0], 1): "different", (rows[4][0], 1): "same"}
    many = linker.link_many(rows, decisions)
    assert many == [linker.link(r, decisions) for r in rows]
    assert many[0].status == "unverified" and many[4].status == "verified"


def test_lookup_probe_many_limits_and_keys(db, tmp_path):
    rows = [["김민준", f"m{i}@naver.com", "010-1234-5678", "", "06236", f"A{i}"] for i in range(5)]
    rows.append(["이서연", "minjun@naver.com", "010-9999-8888", "", "48058", "B"])
    import_accounts(db, gen_csv(tmp_path / "list.csv", [HEADER, *rows]))
    lookup = Lookup(db, limit=3)
    keys = ["+821012345678", "+821099998888", "+821000000000", "+821012345678"]
    phone = lookup.probe_many("phone", keys)
    assert phone == {"+821012345678": [1, 2, 3], "+821099998888": [6]}  # capped, misses left out
    by_name = lookup.probe_many("name_postcode", [("김민준", "06236"), ("김민준", "48058")])
    assert by_name == {("김민준", "06236"): [1, 2, 3]}
    assert lookup.probe_many("email", []) == {}
    found = lookup.rows([6, 2, 6, 99])
    assert sorted(found) == [2, 6] and found[6][1] == "B"
    single = lookup.candidates({"k_phone": "+821012345678"})
    assert sorted(single) == phone["+821012345678"]  # the same capped hits as one submission


def test_batch_restores_the_connection_settings(listed):
    """run_link enlarges the page cache and spaces out WAL checkpoints only while it writes."""
    before = [
        listed.execute(f"PRAGMA {p}").fetchone()[0] for p in ("cache_size", "wal_autocheckpoint")
    ]
    add(listed, name="김민준", email="minjun@naver.com")
    assert run_link(listed).verified == 1
    after = [
        listed.execute(f"PRAGMA {p}").fetchone()[0] for p in ("cache_size", "wal_autocheckpoint")
    ]
    assert after == before
