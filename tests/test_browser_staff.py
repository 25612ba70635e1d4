"""Headless Chromium: a paralegal reviews three pairs with the keyboard while the counter moves;
an admin deactivates the paralegal in another browser, whose next click lands on the login page.
Screenshots go to test-artifacts/ for people to look at."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from staff_helpers import PASSWORD, add_account, add_pair, add_submission, make_user

from intake import store

pytestmark = pytest.mark.browser

EXPLANATION = [
    {"field": "name", "level": "close", "bits": 4.1},
    {"field": "phone", "level": "exact", "bits": 8.7},
    {"field": "email", "level": "far", "bits": -3.6},
    {"field": "address", "level": "close", "bits": 2.2},
    {"field": "birth_date", "level": "missing", "bits": 0.0},
]


def _seed(db) -> dict:
    a = add_submission(
        db,
        name="김민준",
        phone="010-1234-5678",
        email="minjun.kim@naver.com",
        address="서울특별시 강남구 테헤란로 152, 101동 1203호",
        postal_code="06236",
        birth_date="1985-03-14",
        person_id="P-MINJUN00",
    )
    b = add_submission(
        db,
        name="김민중",
        phone="01012345678",
        email="minjun.kim@nave.com",
        address="서울 강남구 테헤란로 152 101-1203",
        postal_code="06236",
        person_id="P-MINJUN01",
    )
    extra = add_submission(db, name="김민준", phone="010-1234-5678", person_id="P-MINJUN00")
    c = add_submission(db, name="이서연", phone="010-2222-3333", email="sy@daum.net")
    d = add_submission(db, name="Lee Seoyeon", phone="010 2222 3333", email="sy@hanmail.net")
    e = add_submission(db, name="박지훈", phone="010-5555-1111", address="부산 해운대구 우동 1")
    account = add_account(db, name="박지훈", phone="010-5555-1112", account_id="C-10023")
    add_pair(db, "dedup", a, b, 0.62, explanation=EXPLANATION)
    add_pair(db, "dedup", c, d, 0.71, explanation=EXPLANATION[:3])
    add_pair(db, "link", e, account, 0.78, explanation=EXPLANATION[1:4])
    paralegal = make_user(db, "paralegal", email="para@firm.example")
    admin = make_user(db, "admin", email="admin@firm.example")
    return {"pairs": 3, "extra": extra, "paralegal": paralegal, "admin": admin}


def _login(page, base, email):
    page.goto(f"{base}/staff/login?lang=en")
    page.fill('input[name="email"]', email)
    page.fill('input[name="password"]', PASSWORD)
    page.click('button[type="submit"]')


def rows_undone(db) -> int:
    return db.execute("SELECT COUNT(*) FROM decisions WHERE undone_at IS NOT NULL").fetchone()[0]


def _decided(page) -> int:
    return int(page.text_content('[data-counter="decided"]'))


def test_paralegal_reviews_with_keyboard_then_is_revoked(browser, live_server, artifacts_dir):
    base, app = live_server
    db = store.connect(app.config["DB"])
    seeded = _seed(db)
    desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    page = desk.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on(
        "response",
        lambda r: (
            errors.append(f"{r.status} {r.url}")
            if r.status >= 400 and not r.url.endswith("/favicon.ico")
            else None
        ),
    )

    _login(page, base, "para@firm.example")
    page.goto(f"{base}/staff/review")
    page.screenshot(path=str(artifacts_dir / "staff-queue.png"), full_page=True)
    page.keyboard.press("j")  # select the first row
    page.keyboard.press("Enter")
    page.wait_for_selector("#review-root")
    assert _decided(page) == 0
    page.screenshot(path=str(artifacts_dir / "staff-pair.png"), full_page=True)

    seen = {page.url}
    for key, expected in (("s", 1), ("d", 2), ("k", 2)):
        before = page.url
        page.keyboard.press(key)
        # (CSP forbids eval, so no wait_for_function: wait on the URL and the counter text)
        page.wait_for_url(lambda url, before=before: url != before)
        expect(page.locator('[data-counter="decided"]')).to_have_text(str(expected))
        assert _decided(page) == expected
        seen.add(page.url)
        if key == "s":
            page.screenshot(path=str(artifacts_dir / "staff-pair-after-s.png"), full_page=True)
            # U undoes it: back to the first pair, counter back to 0; then decide it again
            decided_url = page.url
            page.keyboard.press("u")
            page.wait_for_url(lambda url, d=decided_url: url != d)
            expect(page.locator('[data-counter="decided"]')).to_have_text("0")
            page.keyboard.press("s")
            page.wait_for_url(decided_url)
            expect(page.locator('[data-counter="decided"]')).to_have_text("1")
    pair_pages = {url for url in seen if "/staff/review/" in url}
    assert len(pair_pages) == 3  # three different pairs were shown
    assert "/staff/review?done=1" in page.url  # skipping the last open pair ends at the queue
    mine = int(page.text_content('[data-counter="mine"]'))
    assert mine == 3  # same, different and skip were all recorded for this reviewer
    page.screenshot(path=str(artifacts_dir / "staff-queue-after-keys.png"), full_page=True)
    rows = list(db.query("SELECT decision, user_id FROM decisions ORDER BY id"))
    assert [r["decision"] for r in rows] == ["same", "same", "different", "skip"]
    assert rows_undone(db) == 1
    assert {r["user_id"] for r in rows} == {seeded["paralegal"]["id"]}

    # an admin, in another browser context, deactivates the paralegal
    office = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    admin = office.new_page()
    _login(admin, base, "admin@firm.example")
    admin.goto(f"{base}/staff/users")
    row = admin.locator(f"#user-{seeded['paralegal']['id']}")
    row.locator("button", has_text="Deactivate").click()
    admin.wait_for_selector(f"#user-{seeded['paralegal']['id']}.inactive")
    admin.screenshot(path=str(artifacts_dir / "staff-users.png"), full_page=True)
    for name, url in (
        ("dashboard", "/staff/"),
        ("person", "/staff/persons/P-MINJUN00"),
        ("search", "/staff/search?q=Kim+Minjun"),
        ("audit", "/staff/audit"),
    ):
        admin.goto(base + url)
        admin.screenshot(path=str(artifacts_dir / f"staff-{name}.png"), full_page=True)

    page.click("nav.mainnav >> text=Search")  # the paralegal's next click
    page.wait_for_url(re.compile(r"/staff/login"))
    assert page.locator('input[name="password"]').is_visible()
    page.screenshot(path=str(artifacts_dir / "staff-login-after-revoke.png"))
    assert not errors, errors
    desk.close()
    office.close()


def test_pair_page_works_without_javascript(browser, live_server):
    base, app = live_server
    db = store.connect(app.config["DB"])
    _seed(db)
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    _login(page, base, "para@firm.example")
    page.goto(f"{base}/staff/review")
    page.click("#start")
    first = page.url
    page.click('button[value="different"]')
    page.wait_for_load_state()
    assert page.url != first and "/staff/review/" in page.url
    assert page.text_content('[data-counter="decided"]') == "1"
    context.close()


def test_review_page_in_korean(browser, live_server, artifacts_dir):
    base, app = live_server
    _seed(store.connect(app.config["DB"]))
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ko-KR")
    page = context.new_page()
    page.goto(f"{base}/staff/login")
    page.fill('input[name="email"]', "para@firm.example")
    page.fill('input[name="password"]', PASSWORD)
    page.click('button[type="submit"]')
    page.goto(f"{base}/staff/review/next")
    expect(page.locator('button[data-key="s"]')).to_contain_text("같은 사람")
    page.screenshot(path=str(artifacts_dir / "staff-pair-ko.png"), full_page=True)
    context.close()
