"""Staff search through the normalisers, and decisions honoured by later matcher runs."""

from __future__ import annotations

import pytest
from staff_helpers import add_submission, login, make_user

from intake.store.search import classify, search


@pytest.fixture
def people(db):
    ids = {
        "minjun": add_submission(
            db, name="김민준", phone="010-1234-5678", email="Min.Jun+claims@gmail.com"
        ),
        "seoyeon": add_submission(db, name="이서연", phone="02-312-4567", email="sy@hanmail.net"),
        "roman": add_submission(db, name="Kim Min-jun", phone="010-7777-8888"),
        "ryu": add_submission(db, name="류하늘", email="sky@naver.com"),
    }
    return ids


def _ids(db, query):
    return {row["id"] for row in search(db, query)[1]}


@pytest.mark.parametrize(
    "query,kind",
    [
        ("010-1234-5678", "phone"),
        ("+82 10 1234 5678", "phone"),
        ("a@b.c", "email"),
        ("CL-ABCD-1234", "ref"),
        ("cl abcd 1234", "ref"),
        ("P-ABCD1234", "person"),
        ("김민준", "name"),
        ("Park Jisu", "name"),
    ],
)
def test_classify(query, kind):
    assert classify(query) == kind


@pytest.mark.parametrize(
    "query",
    ["010-1234-5678", "01012345678", "+82 10 1234 5678", "(010) 1234.5678", "82-10-1234-5678"],
)
def test_search_phone_in_any_spelling(db, people, query):
    assert _ids(db, query) == {people["minjun"]}


def test_search_phone_tail_and_landline(db, people):
    assert _ids(db, "5678") == {people["minjun"]}
    assert _ids(db, "02 312 4567") == {people["seoyeon"]}


@pytest.mark.parametrize(
    "query,who",
    [
        ("min.jun+claims@gmail.com", "minjun"),
        ("MINJUN@googlemail.com", "minjun"),  # the same Gmail mailbox
        ("sy@daum.net", "seoyeon"),  # hanmail.net = daum.net
    ],
)
def test_search_email_by_mailbox(db, people, query, who):
    assert _ids(db, query) == {people[who]}


def test_search_claim_reference_typed_loosely(db, people):
    ref = next(
        iter(db.query("SELECT ref FROM submissions_with_matches WHERE id = ?", [people["ryu"]]))
    )["ref"]
    loose = ref.lower().replace("-", " ").replace("0", "o")
    assert _ids(db, loose) == {people["ryu"]}


def test_search_name_hangul_finds_romanised_spelling_too(db, people):
    kind, rows = search(db, "김민준")
    found = {r["id"]: r["why"] for r in rows}
    assert kind == "name"
    assert found[people["minjun"]] == "name"
    assert found[people["roman"]] == "name_spelling"


@pytest.mark.parametrize("query", ["Kim Minjun", "minjun kim", "Gim Min-jun"])
def test_search_romanised_name_finds_hangul(db, people, query):
    assert people["minjun"] in _ids(db, query)


def test_search_initial_sound_rule(db, people):
    assert people["ryu"] in _ids(db, "유하늘")  # 류/유 (두음법칙)


def test_name_index_is_incremental(db, people):
    from intake.store.search import refresh_name_index

    search(db, "김민준")
    assert refresh_name_index(db) == 0
    add_submission(db, name="박지성")
    assert refresh_name_index(db) == 1


def test_search_page_for_each_role_and_not_audited(client, db, people):
    for role in ("paralegal", "lawyer", "admin"):
        user = make_user(db, role)
        login(client, user["email"])
        html = client.get("/staff/search?q=010-1234-5678").data.decode()
        assert "김민준" in html and "phone number" in html
    audit_text = " ".join(r["detail"] or "" for r in db.query("SELECT detail FROM audit"))
    assert "1234" not in audit_text


# -- decisions honoured by later runs of H2's matcher -------------------------------------


def _person(db, sid):
    return next(
        iter(db.query("SELECT person_id FROM submissions_with_matches WHERE id = ?", [sid]))
    )["person_id"]


@pytest.fixture
def reviewer(client, db):
    user = make_user(db, "paralegal")
    login(client, user["email"])
    return user


def test_different_keeps_apart_and_undo_rejoins(client, db, reviewer):
    from intake.match import pipeline

    record = dict(name="김민준", phone="010-1234-5678", email="mj@naver.com")
    a = add_submission(db, birth_date="1985-03-14", **record)
    b = add_submission(db, birth_date="1985-03-14", **record)
    pipeline.run_match(db, full=True)
    assert _person(db, a) == _person(db, b)
    client.post(f"/staff/review/dedup/{a}/{b}/decide", data={"decision": "different"})
    assert _person(db, a) != _person(db, b)  # recluster ran at once
    pipeline.run_match(db, full=True)
    assert _person(db, a) != _person(db, b)  # and the batch run respects it
    c = add_submission(db, birth_date="1985-03-14", **record)
    pipeline.match_incremental(db, c)
    assert _person(db, a) != _person(db, b)  # so does the incremental one
    decision_id = next(iter(db.query("SELECT id FROM decisions WHERE decision = 'different'")))
    client.post(f"/staff/decisions/{decision_id['id']}/undo")
    pipeline.run_match(db, full=True)
    assert _person(db, a) == _person(db, b)


def test_same_joins_a_review_pair_forever(app, client, db, reviewer):
    from intake.match import pipeline
    from intake.match.settings import MatchSettings

    # a tiny store links almost anything (rare values), so raise the auto-link bar to get a
    # pair into the review band; the app reclusters with the same thresholds
    app.config["MATCH_UPPER"] = 0.9999999
    strict = MatchSettings(upper=0.9999999, lower=0.5)
    a = add_submission(
        db, name="김민준", phone="010-1234-5678", email="mj@naver.com", birth_date="1985-03-14"
    )
    b = add_submission(
        db, name="김민중", phone="010-9876-5432", email="mj2@daum.net", birth_date="1985-03-14"
    )
    pipeline.run_match(db, full=True, settings=strict)
    bands = {(r["id_l"], r["id_r"]): r["band"] for r in db.query("SELECT * FROM pairs")}
    assert bands.get((a, b)) == "review", bands
    assert _person(db, a) != _person(db, b)
    client.post(f"/staff/review/dedup/{a}/{b}/decide", data={"decision": "same"})
    assert _person(db, a) == _person(db, b)
    pipeline.run_match(db, full=True, settings=strict)
    assert _person(db, a) == _person(db, b)


def test_split_then_rerun_keeps_submission_out(client, db, reviewer):
    from intake.match import pipeline

    record = dict(name="이서연", phone="010-2222-3333", email="sy@naver.com")
    ids = [add_submission(db, **record) for _ in range(3)]
    pipeline.run_match(db, full=True)
    person = _person(db, ids[0])
    assert {_person(db, i) for i in ids} == {person}
    client.post(f"/staff/persons/{person}/split", data={"submission_id": ids[2]})
    pipeline.run_match(db, full=True)
    assert _person(db, ids[0]) == _person(db, ids[1]) != _person(db, ids[2])


def test_link_decision_updates_account_status_at_once(client, db, reviewer, tmp_path):
    from intake.importing import import_accounts
    from intake.match import link

    listing = tmp_path / "list.csv"
    listing.write_text(
        "name,email,phone,address,postal_code,account_id\n"
        "김민준,minjun@naver.com,010-1234-5678,,,A1\n",
        encoding="utf-8",
    )
    import_accounts(db, listing)
    sid = add_submission(db, name="홍길동", email="minjun@naver.com")  # listed login, other name
    link.run_link(db)
    row = next(iter(db.query("SELECT * FROM submissions_with_matches WHERE id = ?", [sid])))
    assert row["account_status"] == "probable"
    url = f"/staff/review/link/{sid}/{row['account_row']}"
    assert client.get(url).status_code == 200
    client.post(f"{url}/decide", data={"decision": "same"})
    status = lambda: _status(db, sid)  # noqa: E731
    assert status() == "verified"
    client.post(f"{url}/decide", data={"decision": "different"})
    assert status() == "unverified"
    link.run_link(db, full=True)
    assert status() == "unverified"


def _status(db, sid):
    return next(
        iter(db.query("SELECT account_status FROM submissions_with_matches WHERE id = ?", [sid]))
    )["account_status"]
