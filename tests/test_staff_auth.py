"""Staff access: every route x role, login hardening, and sessions that end when they must."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from conftest import make_config
from staff_helpers import PASSWORD, add_pair, add_submission, login, make_user

from intake import create_app, store
from intake.store import staff as users
from intake.store.decisions import add_decision

P, L, A = "paralegal", "lawyer", "admin"
ALL = (P, L, A)
REVIEW = (P, A)


@pytest.fixture
def seeded(app, db):
    """Two submissions of one person, a review pair between them and one decision."""
    a = add_submission(db, name="김민준", phone="010-1234-5678", person_id="P-TEST0001")
    b = add_submission(db, name="김민중", phone="01012345678", person_id="P-TEST0001")
    add_pair(db, "dedup", a, b, 0.7)
    decision = add_decision(db, "dedup", a, b, "skip", user_id=None)
    target = make_user(db, P, email="target@firm.example")
    return {"a": a, "b": b, "decision": decision, "target": target["id"]}


# (method, url template, roles allowed). Admin is always allowed.
ROUTES = [
    ("GET", "/staff/", ALL),
    ("GET", "/staff/review", REVIEW),
    ("GET", "/staff/review/next", REVIEW),
    ("GET", "/staff/review/dedup/{a}/{b}", REVIEW),
    ("POST", "/staff/review/dedup/{a}/{b}/decide", REVIEW),
    ("POST", "/staff/decisions/{decision}/undo", REVIEW),
    ("GET", "/staff/persons/P-TEST0001", ALL),
    ("GET", "/staff/submissions/{a}", ALL),
    ("POST", "/staff/persons/P-TEST0001/split", REVIEW),
    ("GET", "/staff/search?q=CL-0000-0000", ALL),
    ("GET", "/staff/users", (A,)),
    ("POST", "/staff/users/add", (A,)),
    ("POST", "/staff/users/{target}", (A,)),
    ("GET", "/staff/audit", (A,)),
]
FORMS = {
    "/decide": {"decision": "skip"},
    "/split": {"submission_id": "{b}"},
    "/users/add": {"email": "new@firm.example", "password": PASSWORD, "role": "lawyer"},
    "/users/{target}": {"action": "role", "role": "lawyer"},
}


def _request(client, method, template, ids):
    url = template.format(**ids)
    if method == "GET":
        return client.get(url)
    form = next((f for suffix, f in FORMS.items() if template.endswith(suffix)), {})
    return client.post(url, data={k: v.format(**ids) for k, v in form.items()})


@pytest.mark.parametrize("method,template,allowed", ROUTES, ids=[r[1] for r in ROUTES])
@pytest.mark.parametrize("role", [None, P, L, A])
def test_every_route_for_every_role(client, db, seeded, method, template, allowed, role):
    if role:
        user = make_user(db, role)
        assert login(client, user["email"]).status_code == 302
    response = _request(client, method, template, seeded)
    if role is None:
        assert response.status_code == 302
        assert response.location.startswith("/staff/login")
    elif role in allowed:
        assert response.status_code in (200, 302), response.data[:500]
        assert not (response.location or "").startswith("/staff/login")
    else:
        assert response.status_code == 403


def test_route_table_covers_every_staff_route(app):
    """A new staff route without a row above fails here (other areas' routes excepted)."""
    own = {"intake.staff." + m for m in ("review", "persons", "search", "users", "audit_views")}
    own.add("intake.staff.dashboard")
    covered = {t.split("?")[0].format(a=1, b=2, decision=3, target=4) for _m, t, _r in ROUTES}
    missing = []
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        if getattr(view, "__module__", "") in own:
            sample = rule.rule.replace("<kind>", "dedup").replace("<person_id>", "P-TEST0001")
            for name, value in (("id_l", 1), ("id_r", 2), ("decision_id", 3), ("user_id", 4)):
                sample = sample.replace(f"<int:{name}>", str(value))
            sample = sample.replace("<int:submission_id>", "1")
            if sample not in covered:
                missing.append(rule.rule)
    assert not missing


def test_every_staff_url_denies_anonymous_including_other_areas(app, client):
    """Every /staff rule except login/logout/static redirects anonymous visitors to login."""
    checked = 0
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/staff") or rule.endpoint in ("staff.login", "staff.logout"):
            continue
        url = rule.rule
        for arg in rule.arguments:
            url = url.replace(f"<int:{arg}>", "1").replace(f"<{arg}>", "dedup")
            url = url.replace(f"<path:{arg}>", "x")
        method = "GET" if "GET" in rule.methods else "POST"
        response = client.open(url, method=method)
        assert response.status_code == 302, url
        assert response.location.startswith("/staff/login"), url
        checked += 1
    assert checked >= len(ROUTES)


def test_login_success_failure_and_same_message(client, db):
    user = make_user(db, P)
    unknown = login(client, "nobody@firm.example", PASSWORD)
    wrong = login(client, user["email"], "wrong password")
    assert unknown.status_code == wrong.status_code == 401
    strip = lambda r: r.data.decode().split('name="csrf-token"')[0]  # noqa: E731
    assert b"Sign-in failed" in wrong.data
    assert strip(unknown) == strip(wrong)  # the page does not tell which one existed
    ok = login(client, user["email"].upper(), PASSWORD, next="/staff/search")
    assert ok.status_code == 302 and ok.location == "/staff/search"


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/staff", "/elsewhere", "/staff/login"]
)
def test_login_never_redirects_off_site(client, db, target):
    user = make_user(db, P)
    assert login(client, user["email"], next=target).location == "/staff/"


def test_lockout_after_repeated_failures(app, client, db, monkeypatch):
    app.config.update(LOGIN_MAX_FAILURES=3, LOGIN_LOCKOUT_MINUTES=15)
    user = make_user(db, P)
    start = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    monkeypatch.setattr(users, "utcnow", lambda: start)
    for _ in range(3):
        assert login(client, user["email"], "nope nope nope").status_code == 401
    # locked: even the right password is refused, with the same message
    locked = login(client, user["email"], PASSWORD)
    assert locked.status_code == 401 and b"Sign-in failed" in locked.data
    monkeypatch.setattr(users, "utcnow", lambda: start + timedelta(minutes=16))
    assert login(client, user["email"], PASSWORD).status_code == 302
    reasons = [json.loads(e["detail"]).get("reason") for e in _events(db, "login_failed")]
    assert reasons == ["locked", "locked_now", "bad_password", "bad_password"]


def test_login_rate_limit(tmp_path):
    app = create_app(make_config(tmp_path, RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute"))
    client = app.test_client()
    codes = [login(client, "x@firm.example", "whatever pw").status_code for _ in range(4)]
    assert codes == [401, 401, 401, 429]


def test_csrf_enforced_on_login_when_enabled(tmp_path):
    app = create_app(make_config(tmp_path, WTF_CSRF_ENABLED=True))
    db = store.connect(app.config["DB"])
    user = make_user(db, P)
    response = login(app.test_client(), user["email"])
    assert response.status_code == 400


def _signed_in(client, db, role=P):
    user = make_user(db, role)
    assert login(client, user["email"]).status_code == 302
    assert client.get("/staff/").status_code == 200
    return user


def _lands_on_login(response):
    return response.status_code == 302 and response.location.startswith("/staff/login")


@pytest.mark.parametrize(
    "change",
    [
        lambda db, uid: users.deactivate(db, uid),
        lambda db, uid: users.set_role(db, uid, "lawyer"),
        lambda db, uid: users.set_password(db, uid, "another password 1"),
        lambda db, uid: users.set_expiry(db, uid, "2020-01-01"),
    ],
    ids=["deactivate", "role_change", "password", "expired"],
)
def test_open_session_ends_on_next_request(client, db, change):
    user = _signed_in(client, db)
    change(db, user["id"])
    assert _lands_on_login(client.get("/staff/"))
    assert _lands_on_login(client.get("/staff/"))  # and stays signed out


def test_admin_page_deactivation_ends_the_other_session(app, db):
    admin, victim = app.test_client(), app.test_client()
    _signed_in(admin, db, A)
    target = _signed_in(victim, db, P)
    response = admin.post(f"/staff/users/{target['id']}", data={"action": "deactivate"})
    assert response.status_code == 302
    assert _lands_on_login(victim.get("/staff/search"))
    assert login(victim, target["email"]).status_code == 401


def test_expired_account_cannot_sign_in(client, db, monkeypatch):
    user = make_user(db, P, expires_at="2026-03-31")
    monkeypatch.setattr(users, "utcnow", lambda: datetime(2026, 3, 31, 23, 0, tzinfo=UTC))
    assert login(client, user["email"]).status_code == 302
    monkeypatch.setattr(users, "utcnow", lambda: datetime(2026, 4, 1, 0, 0, 1, tzinfo=UTC))
    assert _lands_on_login(client.get("/staff/"))
    assert login(client, user["email"]).status_code == 401


def test_idle_timeout_and_absolute_lifetime(app, client, db, monkeypatch):
    app.config.update(STAFF_IDLE_MINUTES=30, STAFF_SESSION_HOURS=2)
    clock = {"now": datetime(2026, 1, 5, 9, 0, tzinfo=UTC)}
    monkeypatch.setattr(users, "utcnow", lambda: clock["now"])
    _signed_in(client, db)
    for _ in range(4):  # active every 29 minutes: still in
        clock["now"] += timedelta(minutes=29)
        assert client.get("/staff/").status_code == 200
    clock["now"] += timedelta(minutes=5)  # 2h01 after sign-in: absolute lifetime over
    assert _lands_on_login(client.get("/staff/"))
    _signed_in(client, db)
    clock["now"] += timedelta(minutes=31)  # idle too long
    response = client.get("/staff/")
    assert _lands_on_login(response)
    assert b"inactivity" in client.get(response.location).data


def test_logout_ends_session_and_replayed_cookie(app, db):
    client = app.test_client()
    _signed_in(client, db)
    stolen = client.get_cookie("session").value
    assert client.post("/staff/logout").status_code == 302
    assert _lands_on_login(client.get("/staff/"))
    replay = app.test_client()
    replay.set_cookie("session", stolen)
    assert _lands_on_login(replay.get("/staff/"))


def test_login_regenerates_session(app, db):
    client = app.test_client()
    client.get("/staff/login")
    with client.session_transaction() as sess:
        sess["planted"] = "attacker"
    user = make_user(db, P)
    login(client, user["email"])
    with client.session_transaction() as sess:
        assert "planted" not in sess and sess["staff_uid"] == user["id"]


def test_session_cookie_flags(tmp_path):
    app = create_app(make_config(tmp_path, SESSION_COOKIE_SECURE=True))
    db = store.connect(app.config["DB"])
    user = make_user(db, P)
    response = login(app.test_client(), user["email"])
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie


def test_staff_pages_are_not_cached_and_have_csp(client, db):
    _signed_in(client, db)
    response = client.get("/staff/")
    assert response.headers["Cache-Control"] == "no-store"
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert b"<script>" not in response.data and b" style=" not in response.data


def _events(db, action):
    return list(db.query("SELECT * FROM audit WHERE action = ? ORDER BY id DESC", [action]))


def test_audit_of_logins_without_pii(client, db):
    user = make_user(db, P, email="secret.person@firm.example")
    login(client, "nobody.at.all@firm.example", "pw pw pw pw")
    login(client, user["email"], "wrong wrong")
    login(client, user["email"])
    failed = _events(db, "login_failed")
    assert [(e["target"], json.loads(e["detail"])) for e in failed] == [
        (f"user:{user['id']}", {"reason": "bad_password"}),
        (None, {"reason": "unknown"}),
    ]
    assert _events(db, "login")[0]["user_id"] == user["id"]
    dump = json.dumps([dict(r) for r in db.query("SELECT * FROM audit")])
    assert "secret.person" not in dump and "nobody.at.all" not in dump


def test_admin_user_changes_are_audited(client, db):
    _signed_in(client, db, A)
    client.post(
        "/staff/users/add",
        data={"email": "new@firm.example", "password": PASSWORD, "role": "lawyer"},
    )
    new = users.get_user_by_email(db, "new@firm.example")
    assert new["role"] == "lawyer"
    client.post(f"/staff/users/{new['id']}", data={"action": "role", "role": "paralegal"})
    client.post(f"/staff/users/{new['id']}", data={"action": "deactivate"})
    actions = [(e["action"], e["target"]) for e in db.query("SELECT * FROM audit ORDER BY id")]
    target = f"user:{new['id']}"
    assert ("user_add", target) in actions
    assert ("user_role", target) in actions
    assert ("user_deactivate", target) in actions
    assert "new@firm.example" not in json.dumps(actions)
    page = client.get("/staff/audit?action=user_role")
    assert page.status_code == 200
    assert b'class="action-user_role"' in page.data
    assert b'class="action-user_add"' not in page.data


@pytest.mark.parametrize(
    "email,password,role,message",
    [
        ("bad-email", PASSWORD, "lawyer", "e-mail"),
        ("ok@firm.example", "short", "lawyer", "at least 10"),
        ("ok@firm.example", PASSWORD, "boss", "role must be"),
    ],
)
def test_add_user_validation(db, email, password, role, message):
    with pytest.raises(users.UserError, match=message):
        users.add_user(db, email, password, role)


def test_password_stored_as_scrypt(db):
    user = make_user(db, L)
    assert users.get_user(db, user["id"])["password_hash"].startswith("scrypt:")


def test_forbidden_page_is_friendly(client, db):
    _signed_in(client, db, L)
    response = client.get("/staff/users")
    assert response.status_code == 403 and b"Not allowed for your role" in response.data


def test_audit_filters_by_day(client, db):
    from intake.store.audit import audit

    _signed_in(client, db, A)
    db.execute("UPDATE audit SET at = '2026-01-02T10:00:00+00:00'")
    audit(db, "export", user_id=None, target=None)
    db.execute("UPDATE audit SET at = '2026-01-05T23:59:59+00:00' WHERE action = 'export'")
    html = client.get("/staff/audit?since=2026-01-05&until=2026-01-05").data.decode()
    assert 'class="action-export"' in html and 'class="action-login"' not in html
    html = client.get("/staff/audit?until=2026-01-04&since=nonsense").data.decode()
    assert 'class="action-login"' in html and 'class="action-export"' not in html


def test_staff_ui_is_korean_by_default(app):
    assert "직원 로그인" in app.test_client().get("/staff/login").data.decode()


def test_every_staff_string_has_a_korean_translation():
    from pathlib import Path

    from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_file
    from babel.messages.pofile import read_po

    root = Path(__file__).resolve().parent.parent
    keywords = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
    with (root / "intake/translations/ko/LC_MESSAGES/messages.po").open("rb") as fh:
        catalog = read_po(fh, locale="ko")
    sources = [*sorted((root / "intake/staff").glob("*.py"))]
    sources += sorted((root / "templates/staff").glob("*.html"))
    missing = []
    for path in sources:
        method = "python" if path.suffix == ".py" else "jinja2"
        for _line, message, _c, _x in extract_from_file(method, str(path), keywords=keywords):
            msgid = message if isinstance(message, str) else message[0]
            entry = catalog.get(msgid)
            if not (entry and entry.string and not entry.fuzzy):
                missing.append(f"{path.name}: {msgid}")
    assert len(sources) > 10 and not missing, missing


def test_the_last_admin_cannot_be_removed(db):
    only = make_user(db, A)
    with pytest.raises(users.UserError, match="last active admin"):
        users.deactivate(db, only["id"])
    with pytest.raises(users.UserError, match="last active admin"):
        users.set_role(db, only["id"], "lawyer")
    second = make_user(db, A)
    assert users.set_role(db, only["id"], "lawyer")
    with pytest.raises(users.UserError):
        users.deactivate(db, second["id"])


def test_admin_sets_a_new_password(client, db):
    _signed_in(client, db, A)
    target = make_user(db, P)
    response = client.post(
        f"/staff/users/{target['id']}", data={"action": "password", "password": "brand new pw 1"}
    )
    assert response.status_code == 302
    assert users.verify_login(db, target["email"], "brand new pw 1").ok
    client.post(f"/staff/users/{target['id']}", data={"action": "password", "password": "short"})
    assert users.verify_login(db, target["email"], "brand new pw 1").ok  # refused, unchanged
