"""Shared fixtures: a fresh app on a real SQLite file per test (as flaskr), a live server and
a headless Chromium page for the browser tests."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings
from werkzeug.serving import make_server

from intake import create_app, store

# Property tests check behaviour, never speed: Hypothesis' default 200 ms deadline per example
# is a timing assert in disguise and failed on a loaded 2-core CI box.
settings.register_profile("intake", deadline=None)
settings.load_profile("intake")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def make_config(tmp_path: Path, **overrides) -> dict:
    """Test settings on a real SQLite file under tmp_path; limits off unless a test wants them."""
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "DB": str(tmp_path / "intake.db"),
        "UPLOAD_FOLDER": str(tmp_path / "uploads"),
        "MAIL_OUTBOX": str(tmp_path / "outbox"),
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "MIN_FILL_SECONDS": 0,
    }
    config.update(overrides)
    return config


@pytest.fixture
def app(tmp_path):
    return create_app(make_config(tmp_path))


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def db(app):
    database = store.connect(app.config["DB"])
    yield database
    database.conn.close()


@pytest.fixture
def live_server(tmp_path) -> Iterator[tuple[str, object]]:
    """The app served on a free loopback port in a thread: (base URL, app)."""
    app = create_app(make_config(tmp_path, WTF_CSRF_ENABLED=True))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", app
    finally:
        server.shutdown()


def _browser_unavailable() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} is not installed (apt-get install chromium fonts-nanum)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -e '.[test]')"
    return None


@pytest.fixture(scope="session")
def browser():
    """Debian's headless chromium under Playwright. In CI (INTAKE_REQUIRE_BROWSER=1) a missing
    browser fails the test instead of skipping it."""
    problem = _browser_unavailable()
    if problem:
        if os.environ.get("INTAKE_REQUIRE_BROWSER") == "1":
            pytest.fail(problem)
        pytest.skip(problem)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def phone_page(browser):
    """A phone-sized page (Galaxy S-class viewport), Korean locale."""
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="ko-KR", device_scale_factor=2
    )
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def artifacts_dir() -> Path:
    """Where browser tests leave screenshots for people to look at."""
    path = Path(__file__).resolve().parent.parent / "test-artifacts"
    path.mkdir(exist_ok=True)
    return path
