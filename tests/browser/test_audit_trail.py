"""The audit administrator in Chromium: the menu shows only the audit trail, logins appear in it, the export downloads."""

from __future__ import annotations

import pytest

from gisgrid.auth.demo import DEMO_PASSWORD
from tests.browser.conftest import browser_login, screenshot

pytestmark = pytest.mark.browser


def test_the_auditor_finds_logins_and_exports_them(page, server_url):
    page.goto(f"{server_url}/login")
    page.fill("input[name=username]", "auditor")
    page.fill("input[name=password]", "not-the-password")
    page.click("button[type=submit]")
    browser_login(page, server_url, "auditor", DEMO_PASSWORD)
    nav = page.inner_text("header")
    assert "审计日志" in nav and "账号管理" not in nav and "案件" not in nav  # nothing outside the duty
    page.click("header a:has-text('审计日志')")
    page.select_option("select[name=entity]", "security")
    page.click("#audit-filters button[type=submit]")
    page.wait_for_load_state("networkidle")
    table = page.inner_text("#audit-table")
    assert "登录失败" in table and "登录" in table and "127.0.0.1" in table
    with page.expect_download() as download:
        page.click("#audit-export")
    content = open(download.value.path(), encoding="utf-8-sig").read()
    assert content.startswith("id,时间,事务") and "login_failed" in content
    refused_login = "Failed to load resource: the server responded with a status of 401 (UNAUTHORIZED)"
    assert page.watch.console_errors == [refused_login]  # the wrong password above, nothing else
    assert page.watch.external_requests == []
    assert screenshot(page, "audit-trail-auditor").stat().st_size > 0
