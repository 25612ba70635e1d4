"""The public claim form through the Flask test client on a real SQLite file."""

from __future__ import annotations

import email
import io
import json
import logging
import re
import unicodedata
from datetime import date
from pathlib import Path

import pytest
from conftest import make_config

from intake import create_app, store
from intake.claims import mail
from intake.normalize import record_keys
from intake.store.submissions import get_by_ref, get_submission

VALID = {
    "name": " 홍길동 ",
    "birth_date": "1985. 03. 14.",
    "phone": "+82 010 1234 5678",
    "email": "Hong.GilDong@Naver.com",
    "address": "서울 강남구 테헤란로 123, 101동 1203호",
    "postal_code": "06236",
    "claimant_type": "member",
    "notice": "dec2025",
    "notice_date": "2025-12",
    "harms": ["smishing", "door_code"],
    "other_suit": "no",
    "consent_collect": "y",
    "consent_provide": "y",
    "consent_truth": "y",
    "consent_age14": "y",
}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
PDF = b"%PDF-1.7\n" + b"\x00" * 64
REF = re.compile(r"CL-[0-9A-Z]{4}-[0-9A-Z]{4}")


# -- helpers ------------------------------------------------------------------------------
def hidden(html: str, name: str) -> str | None:
    match = re.search(rf'name="{name}" type="hidden" value="([^"]*)"', html) or re.search(
        rf'name="{name}" value="([^"]*)"', html
    )
    return match.group(1) if match else None


def form_tokens(client) -> dict:
    """What a browser would send back from a fresh form: the signed start time and CSRF token."""
    html = client.get("/").get_data(as_text=True)
    tokens = {"ts": hidden(html, "ts")}
    csrf = hidden(html, "csrf_token")
    if csrf:
        tokens["csrf_token"] = csrf
    return tokens


def post_claim(client, *, tokens: bool = True, **overrides):
    """POST the form like a browser; closing the response runs the after-response work."""
    data = {**VALID, **(form_tokens(client) if tokens else {}), **overrides}
    data = {k: v for k, v in data.items() if v is not None}
    response = client.post("/", data=data, content_type="multipart/form-data")
    response.close()
    return response


def errors(response) -> dict[str, str]:
    html = response.get_data(as_text=True)
    found = re.findall(
        r'<p class="error" id="([^"]+)-error">(?:<span[^>]*>[^<]*</span>)?(.*?)</p>', html
    )
    return dict(found)


def only_row(db) -> dict:
    rows = list(db.query("SELECT id FROM submissions_with_matches"))
    assert len(rows) == 1
    return get_submission(db, rows[0]["id"])


def receipt_html(client) -> str:
    return client.get("/receipt").get_data(as_text=True)


def outbox(app) -> list[email.message.EmailMessage]:
    folder = Path(app.config["MAIL_OUTBOX"])
    files = sorted(folder.glob("*.eml")) if folder.exists() else []
    return [email.message_from_bytes(p.read_bytes(), policy=email.policy.default) for p in files]


@pytest.fixture
def make_app(tmp_path):
    def build(**overrides):
        return create_app(make_config(tmp_path, **overrides))

    return build


# -- rendering ----------------------------------------------------------------------------
def test_form_renders_in_korean_by_default(client):
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="ko">' in html
    assert "쿠팡 개인정보 유출 손해배상 소송 참여 신청" in html
    assert "휴대전화" in html and "생년월일" in html
    assert 'name="phone"' in html and 'inputmode="tel"' in html and 'autocomplete="tel"' in html
    assert 'autocomplete="bday"' in html and 'autocomplete="email"' in html
    assert 'enctype="multipart/form-data"' in html


def test_form_renders_in_english_on_request(client):
    html = client.get("/?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Join the claim over the Coupang data breach" in html
    assert "Mobile phone" in html
    # the choice is remembered for the next page
    assert "Date of birth" in client.get("/").get_data(as_text=True)


def test_form_fields_use_the_vocabulary_and_collect_nothing_forbidden(client):
    html = client.get("/").get_data(as_text=True)
    names = set(re.findall(r'name="([a-z_0-9]+)"', html))
    for field in ("name", "email", "phone", "birth_date", "address", "postal_code"):
        assert field in names
    forbidden = re.compile(r"rrn|resident|jumin|password|passwd|door_code_value|bank|account_no")
    assert not [n for n in names if forbidden.search(n)], names


def test_consent_boxes_are_separate_and_unticked(client):
    html = client.get("/").get_data(as_text=True)
    for name in ("consent_collect", "consent_provide", "consent_truth", "consent_age14"):
        tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', html).group(0)
        assert 'type="checkbox"' in tag and "checked" not in tag
    assert html.count('class="important"') >= 3  # retention and recipients emphasised


def test_form_has_no_inline_script_or_style(client):
    html = client.get("/").get_data(as_text=True)
    assert "<style" not in html and " style=" not in html
    assert "<script" not in html  # the public pages need no JavaScript at all
    assert not re.search(r"\son[a-z]+=", html)


def test_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Frame-Options"] == "DENY"


# -- CSRF ---------------------------------------------------------------------------------
def test_missing_csrf_token_is_rejected_with_400(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    response = post_claim(client, csrf_token=None)
    assert response.status_code == 400
    assert "페이지 유효 시간이 지났습니다" in response.get_data(as_text=True)
    response = post_claim(client, csrf_token="forged")
    assert response.status_code == 400
    db = store.connect(app.config["DB"])
    assert db["submissions"].count == 0
    assert post_claim(client).status_code == 303  # with the form's own token it goes through
    assert db["submissions"].count == 1


# -- validation tables ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("typed", "stored", "flag"),
    [
        ("010-1234-5678", "+821012345678", None),
        ("01012345678", "+821012345678", None),
        ("010 1234 5678", "+821012345678", None),
        ("+82 10 1234 5678", "+821012345678", None),
        ("+82 010-1234-5678", "+821012345678", None),
        ("0082-10-1234-5678", "+821012345678", None),
        ("02-123-4567", "+8221234567", "phone:landline"),
    ],
)
def test_phone_good(client, db, typed, stored, flag):
    assert post_claim(client, phone=typed).status_code == 303
    row = only_row(db)
    assert row["phone"] == stored and row["raw"]["phone"] == typed
    if flag:
        assert flag in row["flags"]


@pytest.mark.parametrize("typed", ["", "12345", "010-1234-567", "전화없음", "010-0000-0000"])
def test_phone_bad(client, db, typed):
    response = post_claim(client, phone=typed)
    assert response.status_code == 400
    assert "010-1234-5678" in errors(response)["phone"]
    assert db["submissions"].count == 0


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Hong.GilDong@Naver.com", "hong.gildong@naver.com"),
        ("  kim+coupang@gmail.com ", "kim+coupang@gmail.com"),
        ("lee@daum.net", "lee@daum.net"),
    ],
)
def test_email_good(client, db, typed, stored):
    assert post_claim(client, email=typed).status_code == 303
    assert only_row(db)["email"] == stored


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("", "이메일 주소를 입력해 주세요"),
        ("hong", "올바른 이메일 주소가 아닙니다"),
        ("hong@@naver.com", "올바른 이메일 주소가 아닙니다"),
        ("홍길동@naver.com", "영문"),
        ("test@test.com", "올바른 이메일 주소가 아닙니다"),
    ],
)
def test_email_bad(client, db, typed, says):
    response = post_claim(client, email=typed)
    assert response.status_code == 400
    assert says in errors(response)["email"]
    assert db["submissions"].count == 0


def test_email_typo_domain_is_suggested_and_the_person_decides(client, db):
    response = post_claim(client, email="kim@naver.con")
    assert response.status_code == 400
    assert "kim@naver.com" in errors(response)["email"]
    html = response.get_data(as_text=True)
    assert hidden(html, "email_checked") == "kim@naver.con"
    assert (
        post_claim(
            client, email="kim@naver.con", email_checked="kim@naver.con", email_choice="suggested"
        ).status_code
        == 303
    )
    assert only_row(db)["email"] == "kim@naver.com"


def test_email_typo_domain_can_be_kept_as_typed(client, db):
    response = post_claim(
        client, email="kim@naver.con", email_checked="kim@naver.con", email_choice="typed"
    )
    assert response.status_code == 303
    row = only_row(db)
    assert row["email"] == "kim@naver.con" and "email:typo_domain_kept" in row["flags"]


@pytest.mark.parametrize(
    "typed", ["1985-03-14", "19850314", "1985.3.14", "1985. 03. 14.", "1985/3/14"]
)
def test_birth_date_good(client, db, typed):
    assert post_claim(client, birth_date=typed).status_code == 303
    row = only_row(db)
    assert row["birth_date"] == "1985-03-14" and row["raw"]["birth_date"] == typed


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("", "생년월일을 입력해 주세요"),
        ("1985-02-30", "없는 날짜"),
        ("2999-01-01", "미래"),
        ("85-03-14", "연-월-일"),
        ("어제", "연-월-일"),
        ("1850-01-01", "120년"),
    ],
)
def test_birth_date_bad(client, db, typed, says):
    response = post_claim(client, birth_date=typed)
    assert response.status_code == 400
    assert says in errors(response)["birth_date"]


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("  홍길동  ", "홍길동"),
        (unicodedata.normalize("NFD", "홍길동"), "홍길동"),
        ("Kim  Min-jun", "Kim Min-jun"),
    ],
)
def test_name_good(client, db, typed, stored):
    assert post_claim(client, name=typed).status_code == 303
    row = only_row(db)
    assert row["name"] == stored and unicodedata.is_normalized("NFC", row["name"])
    assert row["raw"]["name"] == typed


@pytest.mark.parametrize(
    ("typed", "says"),
    [("", "이름을 입력"), ("홍길동2", "숫자"), ("가나다라" * 16, "60자"), ("없음", "실제 이름")],
)
def test_name_bad(client, typed, says):
    response = post_claim(client, name=typed)
    assert says in errors(response)["name"]


@pytest.mark.parametrize(
    ("field", "typed", "says"),
    [
        ("postal_code", "123", "5자리"),
        ("address", "", "주소를 입력"),
        ("claimant_type", None, "해당하는 경우"),
        ("claimant_type", "hacker", "해당하는 경우"),
        ("notice", None, "받은 안내"),
        ("notice_date", "1999-01", "월을 선택"),
        ("other_suit", None, "예"),
        ("harms", ["other"], None),
        ("consent_collect", None, "동의해야"),
        ("consent_provide", None, "동의해야"),
        ("consent_truth", None, "사실임을"),
        ("consent_age14", None, "만 14세 이상"),
        ("login_phone", "12", "전화번호"),
        ("login_email", "nope", "이메일"),
    ],
)
def test_other_rules_bad(client, db, field, typed, says):
    response = post_claim(client, **{field: typed})
    assert response.status_code == 400
    if field == "harms":  # ticking "other" needs the short text
        assert "기타" in errors(response)["harm_other"]
    else:
        assert says in errors(response)[field]
    assert db["submissions"].count == 0


@pytest.mark.parametrize(
    ("field", "typed", "column", "stored"),
    [
        ("postal_code", "", "postal_code", None),
        ("postal_code", "06236", "postal_code", "06236"),
        ("login_phone", "010.9876.5432", "login_phone", "+821098765432"),
        ("login_email", "Other@Gmail.com", "login_email", "other@gmail.com"),
        ("notice_date", "", "notice_date", None),
        ("other_suit", "yes", "other_suit", 1),
    ],
)
def test_other_rules_good(client, db, field, typed, column, stored):
    assert post_claim(client, **{field: typed}).status_code == 303
    assert only_row(db)[column] == stored


def test_other_harm_with_text_is_kept(client, db):
    assert post_claim(client, harms=["other", "parcels"], harm_other="스팸 전화").status_code == 303
    row = only_row(db)
    assert row["harms"] == ["other", "parcels"] and row["harm_other"] == "스팸 전화"


# -- storage ------------------------------------------------------------------------------
def test_valid_submission_is_stored_normalised_with_raw_input(client, db):
    response = post_claim(client)
    assert response.status_code == 303 and response.location.endswith("/receipt")
    row = only_row(db)
    assert REF.fullmatch(row["ref"])
    assert (row["name"], row["phone"], row["email"], row["birth_date"]) == (
        "홍길동", "+821012345678", "hong.gildong@naver.com", "1985-03-14",
    )  # fmt: skip
    assert row["raw"]["phone"] == VALID["phone"] and row["raw"]["email"] == VALID["email"]
    assert row["raw"]["birth_date"] == VALID["birth_date"] and row["raw"]["name"] == VALID["name"]
    assert row["source"] == "web" and row["held"] == 0 and row["hold_reason"] is None
    assert set(row["consents"]) == {"collect", "provide", "truth", "age14"}
    assert row["harms"] == ["smishing", "door_code"] and row["other_suit"] == 0
    assert row["claimant_type"] == "member" and row["notice"] == "dec2025"
    expected_keys = record_keys(
        {k: row[k] for k in ("name", "email", "phone", "address", "postal_code", "birth_date")}
    )
    assert {k: row[k] for k in expected_keys} == expected_keys
    assert row["k_phone"] and row["k_email"] and row["k_name"]
    # the client IP only as a keyed hash
    assert row["ip_hash"] and len(row["ip_hash"]) == 32
    assert "127.0.0.1" not in json.dumps(row, ensure_ascii=False)
    assert get_by_ref(db, row["ref"])["id"] == row["id"]


def test_under_14_takes_the_guardian_path(client, db):
    today = date.today()
    child = f"{today.year - 10}-01-01"
    response = post_claim(client, birth_date=child, consent_age14=None)
    assert response.status_code == 400
    found = errors(response)
    assert {"guardian_name", "guardian_relation", "guardian_contact", "consent_guardian"} <= set(
        found
    )
    assert " open" in response.get_data(as_text=True).split('class="guardian"')[1][:20]
    response = post_claim(
        client,
        birth_date=child,
        consent_age14=None,
        guardian_name="홍판서",
        guardian_relation="아버지",
        guardian_contact="010-5555-6666",
        consent_guardian="y",
    )
    assert response.status_code == 303
    row = only_row(db)
    assert (row["guardian_name"], row["guardian_relation"], row["guardian_contact"]) == (
        "홍판서", "아버지", "+821055556666",
    )  # fmt: skip
    assert {"under_14", "minor"} <= set(row["flags"])
    assert "guardian" in row["consents"] and "age14" not in row["consents"]


def test_guardian_fields_are_not_kept_for_adults(client, db):
    assert (
        post_claim(client, guardian_name="누군가", guardian_contact="010-5555-6666").status_code
        == 303
    )
    row = only_row(db)
    assert row["guardian_name"] is None and "guardian_name" not in row["raw"]


# -- holds: honeypot and minimum fill time --------------------------------------------------
def _normal_receipt(client) -> str:
    assert post_claim(client).status_code == 303
    return REF.sub("CL-REF", receipt_html(client))


def test_honeypot_is_held_silently_with_the_same_receipt(make_app):
    app = make_app()
    normal = _normal_receipt(app.test_client())
    client = app.test_client()
    response = post_claim(client, website="http://spam.example", phone="010-2222-3333")
    assert response.status_code == 303
    assert REF.sub("CL-REF", receipt_html(client)) == normal
    db = store.connect(app.config["DB"])
    held = [r for r in db.query("SELECT * FROM submissions_with_matches WHERE held = 1")]
    assert len(held) == 1 and held[0]["hold_reason"] == "honeypot"
    assert len(outbox(app)) == 1  # no confirmation mail for the held one


@pytest.mark.parametrize(
    ("min_seconds", "ts", "reason"),
    [(60, "form", "too_fast"), (0, None, "no_timestamp"), (0, "forged.value.x", "no_timestamp")],
)
def test_too_fast_or_unstamped_is_held_silently(make_app, min_seconds, ts, reason):
    app = make_app(MIN_FILL_SECONDS=min_seconds)
    client = app.test_client()
    overrides = {} if ts == "form" else {"ts": ts}
    assert post_claim(client, **overrides).status_code == 303
    assert REF.search(receipt_html(client))
    row = only_row(store.connect(app.config["DB"]))
    assert row["held"] == 1 and row["hold_reason"] == reason


def test_slow_enough_is_not_held(make_app, monkeypatch):
    app = make_app(MIN_FILL_SECONDS=4)
    client = app.test_client()
    tokens = form_tokens(client)
    import intake.claims.record as record

    monkeypatch.setattr(record, "stamp_age", lambda secret, stamp: 30.0)
    assert post_claim(client, **tokens).status_code == 303
    assert only_row(store.connect(app.config["DB"]))["held"] == 0


# -- rate limit ---------------------------------------------------------------------------
def test_submissions_are_rate_limited_per_ip(make_app):
    app = make_app(RATELIMIT_ENABLED=True, SUBMIT_RATE_LIMIT="2 per minute")
    client = app.test_client()
    assert post_claim(client).status_code == 303
    assert post_claim(client).status_code == 303
    blocked = post_claim(client)
    assert blocked.status_code == 429
    assert "너무 많은 신청" in blocked.get_data(as_text=True)
    assert client.get("/").status_code == 200  # reading the form is never limited
    other = app.test_client()
    response = other.post(
        "/", data={**VALID, **form_tokens(other)}, environ_base={"REMOTE_ADDR": "10.9.8.7"}
    )
    assert response.status_code == 303  # another address has its own budget


# -- uploads ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("content", "filename", "mime"),
    [
        (PNG, "notice.txt", "image/png"),
        (JPEG, "screenshot", "image/jpeg"),
        (PDF, "a.png", "application/pdf"),
    ],
)
def test_upload_type_is_decided_by_content(client, db, app, content, filename, mime):
    response = post_claim(client, evidence=(io.BytesIO(content), filename))
    assert response.status_code == 303
    row = only_row(db)
    assert row["evidence_type"] == mime
    stored = Path(app.config["UPLOAD_FOLDER"]) / row["evidence_file"]
    assert stored.read_bytes() == content
    assert filename not in row["evidence_file"] and re.fullmatch(
        r"[0-9a-f]{32}\.\w+", row["evidence_file"]
    )
    assert Path(app.static_folder) not in stored.parents


@pytest.mark.parametrize(
    ("content", "filename"),
    [(b"GIF89a" + b"\x00" * 20, "x.gif"), (b"<html>", "evil.jpg"), (b"MZ\x90\x00", "notice.pdf")],
)
def test_upload_of_other_types_is_refused(client, db, content, filename):
    response = post_claim(client, evidence=(io.BytesIO(content), filename))
    assert response.status_code == 400
    assert "JPEG" in errors(response)["evidence"]
    assert db["submissions"].count == 0


def test_upload_over_the_size_limit_is_refused(make_app):
    app = make_app(EVIDENCE_MAX_BYTES=1024)
    client = app.test_client()
    response = post_claim(client, evidence=(io.BytesIO(PNG + b"\x00" * 2048), "big.png"))
    assert response.status_code == 400
    assert "더 작은" in errors(response)["evidence"]
    folder = Path(app.config["UPLOAD_FOLDER"])
    assert not folder.exists() or not any(folder.iterdir())


def test_request_over_max_content_length_gets_a_korean_413(make_app):
    app = make_app(MAX_CONTENT_LENGTH=4096)
    client = app.test_client()
    response = post_claim(client, evidence=(io.BytesIO(PNG + b"\x00" * 8192), "big.png"))
    assert response.status_code == 413
    assert "파일이 너무 큽니다" in response.get_data(as_text=True)


# -- the receipt is no oracle -----------------------------------------------------------------
def test_receipt_is_identical_for_everyone_but_the_reference(make_app):
    app = make_app()
    db = store.connect(app.config["DB"])
    listed = {"name": "김영희", "email": "younghee@daum.net", "phone": "010-7777-8888",
              "address": "부산 해운대구 센텀중앙로 55", "postal_code": "48058"}  # fmt: skip
    keys = {k: v for k, v in record_keys(listed).items() if k in db["accounts"].columns_dict}
    db["accounts"].insert({"import_id": 1, "source_line": 2, "account_id": "A1", **listed, **keys})
    claimants = [
        {},  # someone not on the list
        {
            "name": "김영희",
            "email": "younghee@daum.net",
            "phone": "010-7777-8888",
            "address": listed["address"],
        },  # on the affected list  # fmt: skip
        {},  # files the very same data again
    ]
    pages, posts = [], []
    for overrides in claimants:
        client = app.test_client()
        response = post_claim(client, **overrides)
        posts.append((response.status_code, response.location, response.get_data()))
        html = receipt_html(client)
        assert REF.search(html)
        pages.append(html)
    refs = [REF.search(p).group(0) for p in pages]
    assert len(set(refs)) == 3
    assert len({REF.sub("CL-REF", p) for p in pages}) == 1
    assert len(set(posts)) == 1


def test_receipt_is_only_in_the_submitters_session(make_app):
    app = make_app()
    client = app.test_client()
    post_claim(client)
    ref = REF.search(receipt_html(client)).group(0)
    stranger = app.test_client()
    response = stranger.get("/receipt")
    assert response.status_code == 303 and ref not in response.get_data(as_text=True)
    assert stranger.get(f"/receipt/{ref}").status_code == 404
    assert client.get("/receipt").headers["Cache-Control"] == "no-store"


# -- confirmation e-mail ----------------------------------------------------------------------
def _link(message) -> str:
    body = message.get_body().get_content()
    return re.search(r"https?://\S+/confirm/\S+", body).group(0)


def test_confirmation_mail_link_confirms_the_address(make_app):
    app = make_app()
    client = app.test_client()
    post_claim(client)
    messages = outbox(app)
    assert len(messages) == 1
    message = messages[0]
    assert message["To"] == "hong.gildong@naver.com"
    ref = REF.search(receipt_html(client)).group(0)
    assert ref in message["Subject"] and ref in message.get_body().get_content()
    path = "/confirm/" + _link(message).rsplit("/confirm/", 1)[1]
    page = client.get(path)
    assert page.status_code == 200 and "이메일 확인하기" in page.get_data(as_text=True)
    db = store.connect(app.config["DB"])
    assert (
        get_by_ref(db, ref)["email_confirmed_at"] is None
    )  # a link scanner's GET confirms nothing
    done = client.post(path)
    assert done.status_code == 200 and "확인되었습니다" in done.get_data(as_text=True)
    assert get_by_ref(db, ref)["email_confirmed_at"]


def test_expired_confirmation_link_gets_the_neutral_page(make_app, monkeypatch):
    app = make_app(CONFIRM_MAX_AGE_SECONDS=3600)
    client = app.test_client()
    post_claim(client)
    ref = REF.search(receipt_html(client)).group(0)
    import itsdangerous.timed

    real_time = itsdangerous.timed.time.time
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: real_time() - 7200)
    token = mail.make_token(app.config["SECRET_KEY"], ref)
    monkeypatch.undo()
    for method in (client.get, client.post):
        response = method(f"/confirm/{token}")
        assert response.status_code == 400 and "사용할 수 없습니다" in response.get_data(
            as_text=True
        )
    assert get_by_ref(store.connect(app.config["DB"]), ref)["email_confirmed_at"] is None


@pytest.mark.parametrize("how", ["flipped", "other_key", "garbage", "unknown_ref"])
def test_tampered_confirmation_link_gets_the_neutral_page(make_app, how):
    app = make_app()
    client = app.test_client()
    post_claim(client)
    ref = REF.search(receipt_html(client)).group(0)
    token = mail.make_token(app.config["SECRET_KEY"], ref)
    token = {
        "flipped": token[:-3] + ("A" if token[-3] != "A" else "B") + token[-2:],
        "other_key": mail.make_token("another-secret", ref),
        "garbage": "not-a-token",
        "unknown_ref": mail.make_token(app.config["SECRET_KEY"], "CL-0000-0000"),
    }[how]
    response = client.post(f"/confirm/{token}")
    assert response.status_code == 400
    assert "사용할 수 없습니다" in response.get_data(as_text=True)
    assert ref not in response.get_data(as_text=True)
    assert get_by_ref(store.connect(app.config["DB"]), ref)["email_confirmed_at"] is None


# -- after_submit hooks and logs --------------------------------------------------------------
def test_after_submit_runs_the_matcher_hooks_with_the_new_id(client, db, monkeypatch):
    import intake.claims.hooks as hooks

    calls = []
    monkeypatch.setattr(
        hooks, "match_incremental", lambda db_, sid, **kw: calls.append(("match", sid))
    )
    monkeypatch.setattr(
        hooks, "link_submission", lambda db_, sid, **kw: calls.append(("link", sid))
    )
    post_claim(client)
    sid = only_row(db)["id"]
    assert calls == [("match", sid), ("link", sid)]


def test_hook_failures_never_reach_the_claimant_nor_leak_pii(client, db, monkeypatch, caplog):
    import intake.claims.hooks as hooks

    def boom(db_, sid, **kw):
        raise ValueError("hong.gildong@naver.com 010-1234-5678 홍길동")

    monkeypatch.setattr(hooks, "match_incremental", boom)
    monkeypatch.setattr(hooks, "link_submission", boom)
    with caplog.at_level(logging.DEBUG):
        response = post_claim(client)
    assert response.status_code == 303
    assert REF.search(receipt_html(client))
    assert "ValueError" in caplog.text
    assert "hong" not in caplog.text and "홍길동" not in caplog.text and "1234" not in caplog.text


def test_no_pii_in_logs(make_app, caplog):
    app = make_app()
    client = app.test_client()
    with caplog.at_level(logging.DEBUG):
        post_claim(client)
        post_claim(client, phone="12345")  # a rejected one too
        path = "/confirm/" + _link(outbox(app)[0]).rsplit("/confirm/", 1)[1]
        client.post(path)
    text = caplog.text
    assert "claim stored: submission" in text and "e-mail confirmed" in text
    for pii in ("홍길동", "hong.gildong", "naver", "1234", "5678", "테헤란로", "1985", "06236"):
        assert pii not in text, pii


def test_real_matcher_runs_after_submit_and_groups_a_repeat_filing(client, db):
    post_claim(client)
    post_claim(client, phone="010 1234 5678", email="hong.gildong@naver.com")
    rows = list(
        db.query("SELECT id, person_id, matched_at FROM submissions_with_matches ORDER BY id")
    )
    assert len(rows) == 2 and all(r["person_id"] for r in rows)
    assert rows[0]["person_id"] == rows[1]["person_id"]


def test_web_claim_is_cross_checked_in_privacy_mode(make_app, tmp_path):
    """With ACCOUNT_HASH_KEY the list holds only HMACs; the web claim still links (verified)."""
    from intake.importing import import_accounts

    app = make_app(ACCOUNT_HASH_KEY="firm-secret")
    listed = tmp_path / "affected.csv"
    listed.write_text(
        "회원번호,이름,이메일,휴대폰\nA-1,홍길동,hong.gildong@naver.com,010-1234-5678\n",
        encoding="utf-8",
    )
    database = store.connect(app.config["DB"])
    import_accounts(database, listed, hash_key="firm-secret")
    assert database.execute("SELECT email, phone FROM accounts").fetchone() == (None, None)
    post_claim(app.test_client())
    row = only_row(database)
    assert (row["account_status"], row["account_id"]) == ("verified", "A-1")


def test_smtp_transport_uses_the_configured_server(make_app, monkeypatch):
    sent = []

    class FakeSMTP:
        def __init__(self, host, port, timeout):
            sent.append(("connect", host, port))

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def starttls(self):
            sent.append(("starttls",))

        def login(self, user, password):
            sent.append(("login", user, password))

        def send_message(self, message):
            sent.append(("send", message["To"]))

    monkeypatch.setattr(mail.smtplib, "SMTP", FakeSMTP)
    app = make_app(
        MAIL_TRANSPORT="smtp",
        SMTP_HOST="mail.example",
        SMTP_PORT=587,
        SMTP_USER="u",
        SMTP_PASSWORD="p",
    )
    post_claim(app.test_client())
    assert sent == [
        ("connect", "mail.example", 587),
        ("starttls",),
        ("login", "u", "p"),
        ("send", "hong.gildong@naver.com"),
    ]
    assert outbox(app) == []
