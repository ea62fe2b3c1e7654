"""The repair report map of the editor's 修复 import, in Chromium: outlines and coloured slivers are drawn
on the draft's map and listed before anything is accepted (a preview writes nothing)."""

from __future__ import annotations

import pytest

from gisgrid.auth.demo import DEMO_PASSWORD
from tests import repair_world as rw
from tests.browser.conftest import browser_login, screenshot

pytestmark = pytest.mark.browser


def test_repair_report_is_shown_as_a_map(page, server_url, tmp_path):
    path = tmp_path / "messy.gpkg"
    rw.messy_county().drop(columns=["source_index"]).to_file(path, driver="GPKG", engine="pyogrio")
    browser_login(page, server_url, "planner", DEMO_PASSWORD)
    page.goto(server_url + "/editor")
    page.click("#open-draft")
    page.wait_for_url("**/editor/drafts/*")
    page.wait_for_function("() => document.getElementById('message').textContent.includes('已加载')")

    page.set_input_files("#import input[name=file]", str(path))
    page.check("#import input[name=repair]")
    page.fill("#import input[name=snap_m]", "3")
    page.fill("#import input[name=max_gap_width_m]", "10")
    page.click("#import button[type=submit]")
    page.wait_for_selector("#repair-report")

    summary = page.inner_text("#repair-report")
    assert "吸附 3 米" in summary and "最大缝隙宽度 10 米" in summary
    assert "缝隙补入 3" in summary and "重叠划分 1" in summary and "超出上级裁去 1" in summary
    assert page.locator("#repair-report table tr").count() == 1 + 2  # header + the two towns that moved
    # one dot per sliver (slivers are metres wide), plus the before (dashed) and after outlines
    assert page.locator("path.repair-sliver").count() == 5
    assert page.locator("path[stroke-dasharray='6 4']").count() == 2
    assert "0 个错误" in page.inner_text("#import-preview")
    screenshot(page, "editor-repair-report")
    assert page.watch.console_errors == [] and page.watch.external_requests == []
