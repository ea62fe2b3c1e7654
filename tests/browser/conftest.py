"""Browser tests: a real server on a fresh demo database, driven by Debian's headless Chromium.

The live server runs in a thread on its own database (committed data: a browser cannot share
a test's transaction). Tests that change data should use ``fresh_live_server`` so each gets
a database of its own; every app keeps its own engines, so several servers can run at once.
"""

from __future__ import annotations

import os
import shutil
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.conftest import fresh_database
from tests.servers import serve

CHROMIUM = os.environ.get("GISGRID_CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

pytestmark = pytest.mark.browser


def _load_demo(url: str) -> None:
    from gisgrid import create_app
    from gisgrid.auth.demo import load_demo_users
    from gisgrid.cli import DEMO_FILE
    from gisgrid.db import db
    from gisgrid.grids import service

    app = create_app({"DATABASE_URL": url})
    with app.app_context(), db.new_session() as session:
        service.import_file(session, DEMO_FILE, label="demo", publish=True)
        load_demo_users(session)
    db.dispose(app)


@contextmanager
def live_server(prefix: str = "gisgrid_browser", config: dict | None = None):
    """Serve the app with the demo deployment on 127.0.0.1:<free port>; yields the base URL."""
    from gisgrid import create_app

    with fresh_database(prefix) as url:
        _load_demo(url)
        # demo mode: the tests log in with the demo password (test_auth_security.py runs one without it)
        with serve(create_app({"DATABASE_URL": url, "DEMO_MODE": True, **(config or {})})) as base:
            yield base


@pytest.fixture(scope="session")
def server_url():
    """One read-mostly live server for the whole session."""
    with live_server() as url:
        yield url


@pytest.fixture()
def fresh_live_server():
    """A live server with a database of its own, for tests that change data."""
    with live_server("gisgrid_browser_rw") as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run scripts/dev setup (installs Debian's chromium)")
    with sync_playwright() as pw:
        # --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        yield browser
        browser.close()


class PageWatch:
    """Console errors, page errors and requests that leave 127.0.0.1, seen while a page is open."""

    def __init__(self, page) -> None:
        self.console_errors: list[str] = []
        self.external_requests: list[str] = []
        page.on("console", lambda m: m.type == "error" and self.console_errors.append(m.text))
        page.on("pageerror", lambda e: self.console_errors.append(str(e)))
        page.on("request", self._on_request)

    def _on_request(self, request) -> None:
        host = urlsplit(request.url).hostname
        if request.url.startswith(("http:", "https:", "ws:", "wss:")) and host not in ("127.0.0.1", "localhost"):
            self.external_requests.append(request.url)


@pytest.fixture()
def page(browser):
    """A fresh zh-CN browser context and page; ``page.watch`` records errors and external requests."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800})
    pg = context.new_page()
    pg.watch = PageWatch(pg)
    yield pg
    context.close()


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot under test-artifacts/ and return its path."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def browser_login(page, base_url: str, username: str, password: str) -> None:
    """Log in through the real login form."""
    page.goto(f"{base_url}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
