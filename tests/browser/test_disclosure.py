"""Browser: the public register (no login) shows its map and a public source's charts; the hazard map its points."""

from __future__ import annotations

import pytest

from tests.browser.conftest import _load_demo, screenshot
from tests.conftest import fresh_database
from tests.servers import serve

pytestmark = pytest.mark.browser

# points inside 西城区 communities (WGS84), as in test_monitoring.py
POINTS = [(116.3655, 39.9405), (116.3750, 39.9120), (116.3500, 39.9000), (116.3600, 39.9300), (116.3700, 39.9200)]


@pytest.fixture(scope="module")
def disclosure_server():
    """A live server on the demo boundaries with sample enterprises, the demo stations and the 信息公开 demo."""
    from gisgrid import create_app
    from gisgrid.db import db
    from gisgrid.disclosure.demo import load_demo_disclosure
    from gisgrid.incidents import matrix
    from gisgrid.monitoring.demo import load_demo_stations
    from gisgrid.sources import service as sources

    with fresh_database("gisgrid_browser_disclose") as url:
        _load_demo(url)
        app = create_app({"DATABASE_URL": url})
        with app.app_context(), db.new_session() as session:
            matrix.load_demo(session)
            for n, (lon, lat) in enumerate(POINTS):
                raw = {"code": f"DEMO-D{n}", "name": f"示例·公开企业{n}", "kind": "enterprise", "lon": lon, "lat": lat}
                sources.create_source(session, raw, by="test")
            assert load_demo_stations(session) == 4
            assert load_demo_disclosure(session) == 3
        with serve(app) as base:
            yield base


def test_public_register_map_and_source_charts(page, disclosure_server):
    base = disclosure_server
    page.goto(base + "/public/sources")
    page.wait_for_selector("#map[data-loaded='2']")
    assert page.locator("path.leaflet-interactive").count() == 2
    assert page.locator("#public-sources tr[data-source]").count() == 2
    screenshot(page, "disclosure-register")
    page.click("#public-sources tr[data-source] a >> nth=0")
    page.wait_for_selector("#daily-series[data-drawn='3']", state="attached")  # SO₂, NOx, PM: a chart each
    assert page.locator(".chart canvas").count() >= 3
    assert "小时限值" in page.inner_text("main") and "示例·公开企业" in page.inner_text("h1")
    screenshot(page, "disclosure-source")
    assert page.watch.console_errors == [] and page.watch.external_requests == []


def test_public_hazard_map(page, disclosure_server):
    page.goto(disclosure_server + "/public/hazards")
    page.wait_for_selector("#map[data-loaded='2'][data-grids-drawn='1']")
    assert page.locator("path:not(.leaflet-interactive)").count() > 5  # the street outlines as context
    fills = sorted(page.locator("path.leaflet-interactive").nth(i).get_attribute("fill") for i in range(2))
    assert fills == ["#c62828", "#ef6c00"]  # 待整改 red, 整改中 orange
    assert page.locator("#public-hazards tr[data-hazard]").count() == 2
    assert "事故应急池" not in page.inner_text("main")  # the hazard not marked public
    screenshot(page, "disclosure-hazards")
    assert page.watch.console_errors == [] and page.watch.external_requests == []
