"""The claim form in headless Chromium on a phone-sized screen, in Korean, with CSRF on."""

from __future__ import annotations

import re

import pytest

from intake import store

pytestmark = pytest.mark.browser

REF = re.compile(r"CL-[0-9A-Z]{4}-[0-9A-Z]{4}")


def fill_valid(page, *, phone: str = "010-1234-5678") -> None:
    """Fill every required field the way a claimant would, finding fields by their labels."""
    page.get_by_label("이름", exact=True).fill("홍길동")
    page.get_by_label("생년월일", exact=True).fill("1985.3.14")
    page.get_by_label("휴대전화", exact=True).fill(phone)
    page.get_by_label("이메일", exact=True).fill("hong@naver.com")
    page.get_by_label("주소", exact=True).fill("서울 강남구 테헤란로 123, 101동 1203호")
    page.get_by_label("우편번호 (선택)").fill("06236")
    page.get_by_label("쿠팡 회원", exact=True).check()
    page.get_by_label("정정 안내 (2025년 12월, “유출” 통지)").check()
    page.get_by_label("대략 언제 받으셨나요?").select_option("2025-12")
    page.get_by_label("실제 주문 내역을 언급하는 스미싱·피싱 문자나 전화").check()
    page.get_by_label("아니요", exact=True).check()
    page.get_by_label("개인정보 수집·이용에 동의합니다 (필수)").check()
    page.get_by_label("법원 및 공동 소송대리인에 대한 개인정보 제공에 동의합니다 (필수)").check()
    page.get_by_label("입력한 정보가 사실이며 본인의 정보임을 확인합니다 (필수)").check()
    page.get_by_label("만 14세 이상입니다").check()


def test_claimant_files_in_korean_on_a_phone_and_sees_the_receipt(
    live_server, phone_page, artifacts_dir
):
    base, app = live_server
    page = phone_page
    page.goto(base + "/")
    assert page.locator("html").get_attribute("lang") == "ko"
    page.screenshot(path=str(artifacts_dir / "claims-form-ko-phone.png"), full_page=True)
    # nothing sticks out sideways on a 390 px screen
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    fill_valid(page)
    page.get_by_role("button", name="신청서 제출").click()
    page.wait_for_url(re.compile(r"/receipt$"))
    heading = page.get_by_role("heading", level=1)
    assert "접수되었습니다" in heading.inner_text()
    ref = page.locator(".ref").inner_text().strip()
    assert REF.fullmatch(ref)
    page.screenshot(path=str(artifacts_dir / "claims-receipt-ko-phone.png"), full_page=True)
    db = store.connect(app.config["DB"])
    row = next(db.query("SELECT * FROM submissions WHERE ref = ?", [ref]))
    assert row["phone"] == "+821012345678" and row["birth_date"] == "1985-03-14"
    assert row["held"] == 0


def test_bad_phone_shows_a_korean_error_beside_the_field(live_server, phone_page, artifacts_dir):
    base, app = live_server
    page = phone_page
    page.goto(base + "/")
    fill_valid(page, phone="010-12")
    page.get_by_role("button", name="신청서 제출").click()
    page.wait_for_load_state()
    error = page.locator("#phone-error")
    assert error.is_visible()
    assert "올바른 전화번호가 아닙니다" in error.inner_text()
    phone = page.get_by_label("휴대전화", exact=True)
    assert "phone-error" in phone.get_attribute("aria-describedby")
    assert phone.get_attribute("aria-invalid") == "true"
    assert phone.input_value() == "010-12"  # what was typed is kept for correction
    assert "아래 항목을 고쳐 주세요" in page.locator(".error-summary").inner_text()
    # the error sits right beside the phone field: between its label and its input
    label_box = page.locator("label[for=phone]").bounding_box()
    error_box = error.bounding_box()
    input_box = phone.bounding_box()
    assert label_box["y"] < error_box["y"] < input_box["y"]
    error.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts_dir / "claims-phone-error-ko-phone.png"))
    assert store.connect(app.config["DB"])["submissions"].count == 0


def test_form_works_without_javascript(live_server, browser, artifacts_dir):
    base, app = live_server
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="ko-KR", java_script_enabled=False
    )
    try:
        page = context.new_page()
        page.goto(base + "/")
        fill_valid(page)
        page.get_by_role("button", name="신청서 제출").click()
        page.wait_for_url(re.compile(r"/receipt$"))
        assert REF.fullmatch(page.locator(".ref").inner_text().strip())
    finally:
        context.close()
    assert store.connect(app.config["DB"])["submissions"].count == 1
