"""身份鉴别 in a real browser: outside demo mode the demo password must be changed at login, the policy's
message shows on the page, then the user works, and the TOTP enrolment page shows its QR code."""

from __future__ import annotations

import pytest

from gisgrid.auth.demo import DEMO_PASSWORD
from tests.browser.conftest import browser_login, live_server, screenshot

pytestmark = pytest.mark.browser


@pytest.fixture()
def production_like_server():
    """A live demo server run as a production install would be: not in demo mode."""
    with live_server("gisgrid_browser_auth", config={"DEMO_MODE": False}) as url:
        yield url


def _submit_password(page, current: str, new: str) -> None:
    page.fill("input[name=current]", current)
    page.fill("input[name=new]", new)
    page.fill("input[name=repeat]", new)
    page.click("main button[type=submit]")
    page.wait_for_load_state("networkidle")


def test_the_demo_password_is_changed_at_the_first_login_outside_demo_mode(page, production_like_server):
    browser_login(page, production_like_server, "dispatcher", DEMO_PASSWORD)
    assert page.url.endswith("/account/password")
    assert "您使用的是演示密码" in page.inner_text("#forced-change")
    assert "上次成功登录：（首次登录）；此后登录失败 0 次。" in page.inner_text("main")
    page.goto(production_like_server + "/incidents")  # anything else leads back to the change
    assert page.url.endswith("/account/password")
    _submit_password(page, DEMO_PASSWORD, "abcdefgh1")
    assert "至少三类（当前只有：小写字母、数字）" in page.inner_text("main .err")
    _submit_password(page, DEMO_PASSWORD, "Dispatch-2026")
    assert "密码已修改" in page.inner_text("main")
    page.goto(production_like_server + "/incidents")
    assert page.url.endswith("/incidents")
    page.goto(production_like_server + "/account/totp")
    assert page.locator("#totp-qr svg").count() == 1 and page.inner_text("#totp-secret").strip()
    assert screenshot(page, "auth-totp-enrol").stat().st_size > 0
    # the refused weak password answered 400 (the page with the message): Chromium logs that status
    assert [e for e in page.watch.console_errors if "status of 400" not in e] == []
    assert page.watch.external_requests == []
