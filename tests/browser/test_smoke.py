"""The browser stack itself: Chromium loads our pages with no errors and nothing from outside."""

from __future__ import annotations

import pytest

from gisgrid.auth.demo import DEMO_PASSWORD
from tests.browser.conftest import browser_login, screenshot

pytestmark = pytest.mark.browser


def test_landing_page_loads_cleanly(page, server_url):
    page.goto(server_url + "/")
    page.wait_for_load_state("networkidle")
    assert "网格" in page.title()
    assert page.watch.console_errors == []
    assert page.watch.external_requests == []
    assert screenshot(page, "smoke-landing").stat().st_size > 0


def test_login_through_the_browser(page, server_url):
    browser_login(page, server_url, "dispatcher", DEMO_PASSWORD)
    assert "调度员" in page.inner_text("header")
    page.click("header button:has-text('退出')")
    page.wait_for_load_state("networkidle")
    assert "工作人员登录" in page.inner_text("header")
    assert page.watch.console_errors == []
