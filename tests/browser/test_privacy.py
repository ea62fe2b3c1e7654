"""显示 in a real browser: a citizen's report with a phone; staff see it masked, the dispatcher unmasks it
with the button (audited), the district's grid leader has no button — all under the CSP."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from gisgrid.auth.demo import DEMO_PASSWORD
from tests.browser.conftest import browser_login, live_server

pytestmark = pytest.mark.browser


@pytest.fixture()
def privacy_server(tmp_path):
    """A live server on its own demo database with the demo duty matrix."""
    with live_server("gisgrid_browser_priv", {"MEDIA_DIR": str(tmp_path / "media")}) as url:
        from gisgrid.db import db
        from gisgrid.incidents.demo import load_demo

        with db.new_session() as session:
            load_demo(session)
        yield url


def _report_with_phone(page, base: str) -> str:
    page.goto(base + "/report")
    page.wait_for_selector("#report-map path.leaflet-interactive")
    page.select_option("select[name=category]", "dust")
    page.fill("textarea[name=description]", "工地渣土未覆盖，刮风时扬尘严重")
    page.fill("input[name=name]", "王小明")
    page.fill("input[name=contact]", "13912345678")
    box = page.locator("#report-map").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.click("#report-form button[type=submit]")
    page.wait_for_selector("#case-id")
    return page.inner_text("#case-id")


def test_the_dispatcher_unmasks_with_the_button_and_it_is_audited(page, privacy_server):
    case_id = _report_with_phone(page, privacy_server)
    browser_login(page, privacy_server, "dispatcher", DEMO_PASSWORD)
    page.goto(f"{privacy_server}/incidents/{case_id}")
    assert page.inner_text("#reporter-contact") == "139****5678"
    assert page.inner_text("#reporter-name") == "王**"
    page.fill("#reveal-reason", "电话回访")
    page.click("#reveal-reporter")
    page.wait_for_function("() => document.getElementById('reporter-contact').textContent === '13912345678'")
    assert page.inner_text("#reporter-name") == "王小明"
    assert "已记入审计日志" in page.inner_text("#reporter")
    assert page.watch.console_errors == []
    from gisgrid.db import db

    with db.new_session() as session:
        row = session.execute(text("SELECT entity_id, entity_key FROM audit_log WHERE action = 'reveal'")).one()
    assert row.entity_id == case_id and row.entity_key == "电话回访"


def test_the_district_leader_sees_the_mask_and_no_button(page, privacy_server):
    case_id = _report_with_phone(page, privacy_server)
    browser_login(page, privacy_server, "leader_xicheng", DEMO_PASSWORD)  # sees every case of the district
    assert page.goto(f"{privacy_server}/incidents/{case_id}").status == 200
    assert page.inner_text("#reporter-contact") == "139****5678"
    assert page.locator("#reveal-reporter").count() == 0
    assert "13912345678" not in page.content()
