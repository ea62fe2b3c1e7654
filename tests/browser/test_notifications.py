"""Notifications in a real browser: closing with an outcome, the handler's bell, the list and mark-all-read."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from gisgrid.auth.demo import DEMO_PASSWORD
from gisgrid.auth.models import User
from gisgrid.incidents.models import Incident
from tests.browser.conftest import browser_login, screenshot
from tests.browser.test_incidents import incident_server  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser


def _verified_case(session) -> tuple[int, str]:
    """A demo case that was handled, verified by admin (standing in for the supervisor); → (id, handler name)."""
    from gisgrid.incidents import service

    case = session.scalar(select(Incident).where(Incident.state == "handled").order_by(Incident.id))
    admin = session.scalar(select(User).where(User.username == "admin"))
    service.act(session, admin, case.id, "verify", {})
    return case.id, f"handler_{case.department_codes[0]}"


def test_closing_with_an_outcome_rings_the_handlers_bell(page, incident_server):
    from gisgrid.db import db
    from gisgrid.incidents.demo import load_demo_cases

    with db.new_session() as session:
        load_demo_cases(session)
        case, handler = _verified_case(session)
    browser_login(page, incident_server, "dispatcher", DEMO_PASSWORD)
    page.goto(f"{incident_server}/incidents/{case}")
    page.select_option("select[name=outcome]", "unresolved")
    page.fill("input[name=outcome_reason]", "企业已停产，设备待拆除")
    page.click("button[data-action=close]")
    page.wait_for_load_state("networkidle")
    assert page.inner_text("#case-outcome") == "未解决（企业已停产，设备待拆除）"
    page.context.clear_cookies()
    browser_login(page, incident_server, handler, DEMO_PASSWORD)
    unread = int(page.inner_text("#notification-count"))
    assert unread >= 1  # at least the closing; the demo's own steps were told too
    page.set_viewport_size({"width": 390, "height": 844})
    page.click("#notification-bell")
    page.wait_for_selector("#notification-list")
    first = page.locator("#notification-list li").first
    assert "案件已结案" in first.inner_text() and f"案件 {case}" in first.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "notifications-list-phone")
    page.click("text=全部标为已读")
    page.wait_for_load_state("networkidle")
    assert page.locator("#notification-count").count() == 0 and "未读 0 条" in page.inner_text("#unread-total")
    assert page.watch.console_errors == [] and page.watch.external_requests == []
