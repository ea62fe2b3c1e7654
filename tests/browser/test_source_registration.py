"""Browser: a 新增污染源 report → the pre-filled 登记污染源 form → the source; its violation → a linked case."""

from __future__ import annotations

import re

import pytest

from gisgrid.auth.demo import DEMO_PASSWORD
from tests.browser.conftest import browser_login, live_server, screenshot

pytestmark = pytest.mark.browser


@pytest.fixture()
def server(tmp_path):
    """A live server on its own demo database with the demo duty matrix (which has 新增污染源)."""
    with live_server("gisgrid_browser_src", {"MEDIA_DIR": str(tmp_path / "media")}) as url:
        from gisgrid.db import db
        from gisgrid.incidents.demo import load_demo

        with db.new_session() as session:  # the live server's create_app bound db to its database
            load_demo(session)
        yield url


def test_new_source_report_registration_and_inspection_case(page, server):
    base = server
    browser_login(page, base, "admin", DEMO_PASSWORD)
    page.goto(base + "/report")
    token = page.get_attribute("meta[name=csrf-token]", "content")
    form = {
        "category": "new_source",
        "description": "示例·胡同里新开一家汽修店，露天喷漆",
        "lon": "116.3655",
        "lat": "39.9405",
    }
    resp = page.request.post(
        base + "/api/v1/incidents", form={**form, "address": "示例胡同 8 号"}, headers={"X-CSRFToken": token}
    )
    assert resp.status == 201, resp.text()
    case_id = resp.json()["id"]

    page.goto(f"{base}/incidents/{case_id}")
    page.click("tr[data-link=register_source] a")
    page.wait_for_selector("#register-form")
    assert (
        page.input_value("input[name=lon]") == "116.3655" and page.input_value("input[name=address]") == "示例胡同 8 号"
    )
    assert "露天喷漆" in page.inner_text("#case-description")
    page.fill("input[name=name]", "示例·胡同汽修店")
    page.select_option("select[name=kind]", "vehicle_repair")
    screenshot(page, "source-register-form")
    page.click("#register-form button[type=submit]")
    page.wait_for_url(re.compile(r"/sources/\d+$"))
    source_url = page.url
    assert "示例·胡同汽修店" in page.inner_text("main") and f"案件 {case_id}" in page.inner_text("#class-history")

    page.select_option("select[name=violation]", "1")
    page.fill("input[name=findings]", "示例·露天喷漆无废气收集")
    page.select_option("select[name=category]", "other")
    page.click("form[action$='/inspections'] button[type=submit]")
    page.wait_for_url(source_url)
    link = page.locator("#inspections a[data-case]")
    assert link.count() == 1
    link.click()
    page.wait_for_selector("tr[data-link=inspection]")
    assert "现场检查发现违法" in page.inner_text("main")
    screenshot(page, "case-from-inspection")
    page.click("tr[data-link=inspection] a")
    page.wait_for_url(source_url)
    assert page.watch.console_errors == []
    assert page.watch.external_requests == []
