"""The public report form in a real browser: a pin on the map creates a case in the right grid."""
from __future__ import annotations

import pytest

from gisgrid.auth.demo import DEMO_PASSWORD
from tests.browser.conftest import browser_login, live_server, screenshot

pytestmark = pytest.mark.browser


@pytest.fixture()
def incident_server():
    """A live server on its own demo database with the demo duty matrix and handler accounts."""
    with live_server("gisgrid_browser_inc") as url:
        from gisgrid.db import db
        from gisgrid.incidents.demo import load_demo
        # the live server's create_app bound the shared db object to its database
        with db.new_session() as session:
            load_demo(session)
        yield url


def test_public_report_with_a_map_pin_creates_a_case(page, incident_server):
    page.goto(incident_server + "/report")
    page.wait_for_selector("#report-map path.leaflet-interactive")
    page.select_option("select[name=category]", "dust")
    page.fill("textarea[name=description]", "工地渣土未覆盖，刮风时扬尘严重")
    box = page.locator("#report-map").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    assert "经度" in page.inner_text("#where")
    page.click("#report-form button[type=submit]")
    page.wait_for_selector("#case-id")
    case_id = page.inner_text("#case-id")
    screenshot(page, "incidents-report")
    assert page.watch.console_errors == [] and page.watch.external_requests == []
    page.click("#case-status")
    assert page.inner_text("#status-state") == "已上报"
    browser_login(page, incident_server, "dispatcher", DEMO_PASSWORD)
    page.goto(f"{incident_server}/incidents/{case_id}")
    text = page.inner_text("main")
    assert "已上报" in text and "110102000000 →" in text
    page.click("button[data-action=register]")
    page.wait_for_load_state("networkidle")
    assert "已立案" in page.inner_text("h1")
    page.goto(f"{incident_server}/incidents")
    page.wait_for_selector("#cases-map .leaflet-interactive")
    screenshot(page, "incidents-list")
    assert page.watch.console_errors == []


def test_kpi_choropleth_and_case_detail_render(page, incident_server):
    from gisgrid.db import db
    from gisgrid.incidents.demo import load_demo_cases
    with db.new_session() as session:
        assert load_demo_cases(session) == 8
    browser_login(page, incident_server, "dispatcher", DEMO_PASSWORD)
    page.goto(incident_server + "/incidents/kpi")
    page.wait_for_selector("#kpi-map path.leaflet-interactive")
    assert page.locator("#kpi-map path.leaflet-interactive").count() == 15     # the 15 streets
    assert "按期处置率" in page.inner_text("#kpi-map .legend")
    assert "住房和城乡建设委员会" in page.inner_text("#kpi-dept")
    screenshot(page, "incidents-kpi")
    page.goto(incident_server + "/incidents/2")      # the sample case that was reworked
    assert "返工" in page.inner_text("#timeline")
    screenshot(page, "incidents-detail")
    assert page.watch.console_errors == [] and page.watch.external_requests == []


def test_report_form_fits_a_phone(page, incident_server):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(incident_server + "/report")
    page.wait_for_selector("#report-map path.leaflet-interactive")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert page.locator("#report-map").bounding_box()["width"] > 300
    assert page.locator("#report-form button[type=submit]").is_visible()
    screenshot(page, "incidents-report-phone")
