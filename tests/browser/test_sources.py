"""Browser: import sources through the form, then the map pages draw them with a legend, cleanly."""

from __future__ import annotations

import pytest

from gisgrid.auth.demo import DEMO_PASSWORD
from tests.browser.conftest import browser_login, screenshot

pytestmark = pytest.mark.browser

# points inside 西城区 communities (WGS84)
ROWS = """code,name,kind,lon,lat,class,key_source
B1,示例·浏览器测试印刷厂,enterprise,116.3655,39.9405,A,否
B2,示例·浏览器测试工地,建筑工地,116.3750,39.9120,B,是
B3,示例·浏览器测试餐馆,catering,116.3500,39.9000,B,否
"""


def test_import_then_source_and_overdue_maps(page, fresh_live_server, tmp_path):
    base = fresh_live_server
    browser_login(page, base, "admin", DEMO_PASSWORD)
    (tmp_path / "sources.csv").write_text(ROWS, encoding="utf-8")
    page.goto(base + "/sources/import")
    page.set_input_files("input[name=file]", str(tmp_path / "sources.csv"))
    page.click("main form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "已导入 3 个污染源" in page.inner_text("#import-result")

    page.goto(base + "/sources")
    page.wait_for_selector("#map[data-loaded='3']")
    assert page.locator(".leaflet-interactive").count() >= 3
    legend = page.inner_text(".legend")
    assert "C类 重点监管" in legend and "逾期未检查" in legend
    assert "1\nC类 重点监管" in page.inner_text("#summary")  # the key source is class C
    assert page.locator("#source-table tbody tr").count() == 3
    page.fill("#filter", "工地")
    assert page.locator("#source-table tbody tr:visible").count() == 1
    screenshot(page, "sources-map")

    page.goto(base + "/inspections/overdue")  # rolled-up counts: the table and a level switch on the map
    page.wait_for_selector("#map[data-loaded]")
    assert "（合计）" in page.inner_text("#by-grid")
    page.select_option("#grid-level", "1")
    page.wait_for_selector("#map[data-level='1']")
    screenshot(page, "overdue-map-county")

    page.goto(base + "/lottery")
    page.fill("input[name=seed]", "浏览器测试种子")
    page.fill("input[name=override_reason]", "浏览器测试：规定时间外抽取")  # required unless inside the window
    page.click("#draw-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "浏览器测试种子" in page.inner_text("#seed") and "结果一致" in page.inner_text("#rerun")
    assert "浏览器测试：规定时间外抽取" in page.inner_text("#override")

    page.goto(base + "/patrols/coverage")
    page.wait_for_selector("#map[data-loaded]")
    assert "网格覆盖率" in page.inner_text(".legend")
    screenshot(page, "patrol-coverage")
    assert page.watch.console_errors == []
    assert page.watch.external_requests == []
