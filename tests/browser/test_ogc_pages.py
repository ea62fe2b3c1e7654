"""The /ogc HTML pages in Chromium: the items page draws its features on the small map, nothing from outside."""

from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser


def test_items_page_draws_the_features(page, server_url):
    page.goto(server_url + "/ogc/collections/grids/items?limit=20&filter=level%20%3D%202&f=html")
    page.wait_for_selector("#ogc-map[data-features]")
    assert page.get_attribute("#ogc-map", "data-features") == str(page.locator("table tr").count() - 1)
    assert page.locator("#ogc-map path.leaflet-interactive").count() >= 1
    assert page.watch.console_errors == [] and page.watch.external_requests == []
    assert screenshot(page, "ogc-items").stat().st_size > 0


def test_landing_page_by_accept_header_links_onwards(page, server_url):
    page.goto(server_url + "/ogc")  # a browser's Accept header: the HTML page
    page.click("text=数据集合 >> nth=0")
    page.wait_for_load_state("networkidle")
    assert "环境监管网格" in page.inner_text("main")
    assert page.watch.console_errors == []
