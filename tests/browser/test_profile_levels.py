"""The public map's scripts name levels from the profile's data block: under 虎林 the top is 二级网格 · 市."""

from __future__ import annotations

import pytest

from tests.browser.conftest import live_server


@pytest.fixture(scope="module")
def hulin_url():
    # the demo data (three levels) served with the 虎林 profile: depth 1 shows as 二级, depth 3 as 四级
    with live_server("gisgrid_browser_hulin", {"DEPLOYMENT": "hulin"}) as url:
        yield url


def test_public_map_switcher_and_legend_use_hulin_levels(page, hulin_url):
    page.goto(hulin_url + "/")
    page.wait_for_function("() => document.querySelectorAll('#levels label').length > 3")
    switcher = page.inner_text("#levels")
    assert "市 · 2 级" in switcher and "村（居）委会 · 4 级" in switcher and "1 级" not in switcher
    page.wait_for_function("() => document.querySelector('.legend') !== null")
    legend = page.inner_text(".legend")
    assert "二级网格 · 市" in legend and "四级网格 · 村（居）委会" in legend
    assert page.evaluate("() => gisgrid.level(2).label") == "三级网格 · 乡（镇、街道）及开发区/园区"
    assert page.watch.console_errors == [] and page.watch.external_requests == []
