"""The editor's 重点监管单元网格 panel in headless Chromium: draw an outline across two villages, save, change, publish."""

from __future__ import annotations

import pytest

from tests.browser.conftest import browser_login, screenshot
from tests.browser.test_unit_grid_layer import unit_world_server
from tests.helpers import PASSWORD
from tests.worlds import wgs84

pytestmark = pytest.mark.browser


def _screen(page, x, y):
    """Page pixel of world metres (x, y) on the editor map."""
    lon, lat = wgs84(x, y)
    return page.evaluate(
        f"() => {{ const m = gisgrid.editorMap; const p = m.latLngToContainerPoint([{lat}, {lon}]);"
        " const r = m.getContainer().getBoundingClientRect(); return [r.left + p.x, r.top + p.y]; }"
    )


def _message(page, text):
    """The editor's message once it says ``text``; an error message fails at once, naming itself."""
    page.wait_for_function(
        f"() => {{ const m = document.getElementById('message'); return m.textContent.includes({text!r}) || m.className === 'err'; }}"
    )
    message = page.inner_text("#message")
    assert text in message, message
    return message


def test_draw_save_and_change_a_unit_grid_in_the_editor(page, tmp_path):
    page.on("dialog", lambda dialog: dialog.accept())
    with unit_world_server(tmp_path, planner=("planner_u", PASSWORD)) as base:
        browser_login(page, base, "planner_u", PASSWORD)
        page.goto(base + "/editor")
        page.click("#open-draft")
        page.wait_for_url("**/editor/drafts/*")
        page.wait_for_function("() => gisgrid.editorUnitLayer && gisgrid.editorUnitLayer.getLayers().length === 2")
        assert page.locator("#unit-select option").count() == 3  # new + the two unit grids

        # a new unit grid across the line between villages A1a and A1b, designated by township A1
        page.select_option("#unit-select", "")
        page.fill("#unit-code", "A1-U5")
        page.select_option("#unit-parent", "A1")
        page.fill("#unit-form input[name=name]", "浏览器划定单元")
        # draw at a known scale: the page's first view depends on the editor's layout (form height)
        (w, s), (e, n) = wgs84(200, 650), wgs84(900, 1050)
        page.evaluate(f"() => gisgrid.editorMap.fitBounds([[{s}, {w}], [{n}, {e}]], {{animate: false}})")
        page.click("#unit-draw")
        for corner in ((300, 750), (800, 750), (800, 950), (300, 950)):
            page.mouse.click(*_screen(page, *corner))
        page.mouse.click(*_screen(page, 300, 750))  # back on the first vertex closes the polygon
        _message(page, "轮廓已画好")
        page.click("#unit-save")
        _message(page, "单元网格 A1-U5 已保存")
        page.wait_for_function("() => gisgrid.editorUnitLayer.getLayers().length === 3")

        page.select_option("#unit-select", "A1-U1")
        page.fill("#unit-form input[name=entity]", "甲一镇生态环境办")
        page.click("#unit-save")
        _message(page, "单元网格 A1-U1 已保存")
        units = page.evaluate(
            "() => gisgrid.api.get(location.pathname.replace('/editor/drafts/', '/api/v1/editor/versions/') + '/unit-grids')"
        )
        props = {f["properties"]["code"]: f["properties"] for f in units["features"]}
        assert props["A1-U1"]["entity"] == "甲一镇生态环境办" and props["A1-U1"]["lock_version"] == 1
        assert props["A1-U5"]["parent_code"] == "A1" and props["A1-U5"]["level"] == 2
        assert 90_000 < props["A1-U5"]["area_m2"] < 125_000  # about 500 m x 200 m, drawn by hand (snapped, clipped)
        assert page.watch.console_errors == [] and page.watch.external_requests == []
        screenshot(page, "editor-unit-grids")
