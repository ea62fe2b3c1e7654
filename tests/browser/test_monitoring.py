"""Browser: the monitoring map colours stations by status; a source's page draws its charts with limits."""

from __future__ import annotations

import pytest

from gisgrid.auth.demo import DEMO_PASSWORD
from tests.browser.conftest import _load_demo, browser_login, screenshot
from tests.conftest import fresh_database
from tests.servers import serve

pytestmark = pytest.mark.browser

# points inside 西城区 communities (WGS84)
POINTS = [(116.3655, 39.9405), (116.3750, 39.9120), (116.3500, 39.9000), (116.3600, 39.9300), (116.3700, 39.9200)]
COLORS = {"#2e7d32": "normal", "#c62828": "exceeding", "#757575": "offline"}


@pytest.fixture(scope="module")
def monitoring_server():
    """A live server on the demo boundaries with five sample enterprises and the demo's four stations."""
    from gisgrid import create_app
    from gisgrid.db import db
    from gisgrid.incidents import matrix
    from gisgrid.monitoring.demo import load_demo_stations
    from gisgrid.sources import service as sources

    with fresh_database("gisgrid_browser_monitor") as url:
        _load_demo(url)
        app = create_app({"DATABASE_URL": url})
        with app.app_context(), db.new_session() as session:
            matrix.load_demo(session)
            for n, (lon, lat) in enumerate(POINTS):
                raw = {"code": f"DEMO-M{n}", "name": f"示例·监测企业{n}", "kind": "enterprise", "lon": lon, "lat": lat}
                sources.create_source(session, raw, by="test")
            assert load_demo_stations(session) == 4
        with serve(app) as base:
            yield base


def test_monitoring_map_and_source_charts(page, monitoring_server):
    base = monitoring_server
    browser_login(page, base, "admin", DEMO_PASSWORD)
    page.goto(base + "/monitoring/map")
    page.wait_for_selector("#map[data-loaded='4']")
    fills = [page.locator("path.leaflet-interactive").nth(i).get_attribute("fill") for i in range(4)]
    assert sorted(COLORS[f] for f in fills) == ["exceeding", "normal", "normal", "offline"]
    assert "超标" in page.inner_text(".legend") and "1\n超标" in page.inner_text("#summary")
    screenshot(page, "monitoring-map")

    page.goto(base + "/monitoring/alerts")
    assert "DEMO00000002" in page.inner_text("#alerts") and "未结束" in page.inner_text("#alerts")

    page.goto(base + "/monitoring")
    page.click("#stations tr[data-status='exceeding'] a")
    page.wait_for_selector("#monitoring-series[data-drawn='3']", state="attached")  # SO₂, NOx, PM: a chart each
    assert page.locator(".chart canvas").count() >= 3
    assert "限值 100" in page.inner_text("main")
    daily = page.inner_text("#daily")
    assert "二氧化硫" in daily and "100" in daily
    screenshot(page, "monitoring-source")
    assert page.watch.console_errors == [] and page.watch.external_requests == []
