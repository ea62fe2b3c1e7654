"""A planner's full flow in headless Chromium: open a draft, edit (attributes, drag a vertex, merge), validate, publish."""

from __future__ import annotations

import json
import urllib.request

import pytest
import shapely.geometry

from gisgrid.auth.demo import DEMO_PASSWORD
from tests.browser.conftest import browser_login, screenshot

pytestmark = pytest.mark.browser
COMMUNITY = "110102001004"  # 府右街南社区


def wait_ready(page) -> str:
    """Wait until the editor finished the last edit (saved, reloaded, validated); returns the status line."""
    page.wait_for_function("() => document.getElementById('map').getAttribute('data-state') === 'ready'")
    return page.inner_text("#message")


def wait_message(page, text: str) -> str:
    wait_ready(page)
    page.wait_for_function("t => document.getElementById('message').textContent.includes(t)", arg=text)
    return page.inner_text("#message")


def lookup(base_url: str, lon: float, lat: float) -> dict:
    with urllib.request.urlopen(f"{base_url}/api/v1/lookup?lon={lon}&lat={lat}") as resp:
        return json.load(resp)


def test_edit_validate_publish(page, fresh_live_server):
    page.on("dialog", lambda dialog: dialog.accept())
    browser_login(page, fresh_live_server, "planner", DEMO_PASSWORD)
    page.goto(fresh_live_server + "/editor")
    page.click("#open-draft")
    page.wait_for_url("**/editor/drafts/*")
    draft = int(page.url.rstrip("/").rsplit("/", 1)[1])
    wait_message(page, "已加载")
    page.wait_for_function("() => document.getElementById('validation-summary').textContent.includes('校验结果')")

    page.select_option("#grid-select", COMMUNITY)
    assert page.is_checked("#attrs input[name=contact_phone_public]")  # demo contact phones are public
    page.fill("#attrs input[name=entity]", "府右街南社区居委会（浏览器测试）")
    page.click("#save-attrs")
    assert COMMUNITY in wait_message(page, "已保存")

    # drag one vertex of the selected community with the Geoman handles
    page.click("#tool-vertex")
    handle = page.locator(".leaflet-marker-icon.marker-icon").first
    handle.wait_for()
    box = handle.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 30, y + 20, steps=8)  # beyond the snapping distance back to the neighbours' vertex
    page.mouse.up()
    moved = wait_message(page, "已保存")
    assert COMMUNITY in moved or "已保存" in moved
    page.wait_for_function("() => document.getElementById('validation-summary').textContent.includes('校验结果')")

    neighbour = page.eval_on_selector("#merge-with", "s => s.options[0].value")
    page.select_option("#grid-select", COMMUNITY)
    page.select_option("#merge-with", neighbour)
    page.click("#do-merge")
    assert neighbour in wait_message(page, "已保存")
    screenshot(page, "editor-after-edits")

    page.click("#validate")
    page.wait_for_function("() => document.getElementById('validation-summary').textContent.includes('可以发布')")
    assert page.locator("#problems li.err").count() == 0
    page.click("#publish")
    assert f"版本 {draft}" in wait_message(page, "已发布")
    screenshot(page, "editor-published")

    # the public lookup answers from the new version at once, with the merged grid
    geometry = page.evaluate(
        f"""c => fetch('/api/v1/editor/versions/{draft}/grids').then(r => r.json())
        .then(fc => fc.features.find(x => x.properties.code === c).geometry)""",
        COMMUNITY,
    )
    point = shapely.geometry.shape(geometry).representative_point()
    centre = (point.x, point.y)
    answer = lookup(fresh_live_server, *centre)
    assert answer["version"]["id"] == draft and answer["grid"]["code"] in (COMMUNITY, neighbour)
    assert answer["grid"]["entity"] == "府右街南社区居委会（浏览器测试）" or answer["grid"]["code"] == neighbour

    # versions, history map and the diff map of what was just published
    page.goto(fresh_live_server + "/editor")
    assert page.locator("#versions tr[data-version]").count() == 2
    page.goto(fresh_live_server + "/editor/history")
    page.wait_for_function("() => document.querySelectorAll('#map path.leaflet-interactive').length > 200")
    assert f"版本 {draft}" in page.inner_text("#history-version")
    page.goto(f"{fresh_live_server}/editor/diff?a=1&b={draft}")
    page.wait_for_function("() => document.getElementById('summary').textContent.includes('删除 1 个')")
    assert page.locator("#changes tr").count() > 3  # header, the merged pair, the reshaped street
    screenshot(page, "editor-diff")
    assert page.watch.console_errors == []
    assert page.watch.external_requests == []


def test_second_planner_gets_a_clear_conflict_and_nothing_is_lost(page, browser, fresh_live_server):
    other = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800}).new_page()
    try:
        for pg in (page, other):
            browser_login(pg, fresh_live_server, "planner", DEMO_PASSWORD)
            pg.goto(fresh_live_server + "/editor")
            pg.click("#open-draft")
            pg.wait_for_url("**/editor/drafts/*")
            wait_message(pg, "已加载")
            pg.select_option("#grid-select", COMMUNITY)
        page.fill("#attrs input[name=entity]", "甲的修改")
        page.click("#save-attrs")
        wait_message(page, "已保存")
        other.fill("#attrs input[name=entity]", "乙的修改")
        other.click("#save-attrs")
        message = wait_message(other, "冲突")
        assert COMMUNITY in message and "planner" in message and "未保存" in message
        other.wait_for_function("() => document.getElementById('message').textContent.includes('乙的修改')")
        screenshot(other, "editor-conflict")
        # the conflicting page reloaded the draft: it now shows the first planner's value, and a retry works
        other.select_option("#grid-select", COMMUNITY)
        assert other.input_value("#attrs input[name=entity]") == "甲的修改"
        other.fill("#attrs input[name=entity]", "乙的修改")
        other.click("#save-attrs")
        wait_message(other, "已保存")
    finally:
        other.context.close()
    page.set_viewport_size({"width": 390, "height": 844})  # a phone: map above, panel below
    page.reload()
    wait_message(page, "已加载")
    assert page.locator("#map").bounding_box()["width"] <= 390
    assert page.locator("#panel").bounding_box()["y"] > page.locator("#map").bounding_box()["y"]
    screenshot(page, "editor-phone")
    assert page.watch.console_errors == []


def test_split_reparent_and_delete_in_the_browser(page, fresh_live_server):
    page.on("dialog", lambda dialog: dialog.accept())
    browser_login(page, fresh_live_server, "planner", DEMO_PASSWORD)
    page.goto(fresh_live_server + "/editor")
    page.click("#open-draft")
    page.wait_for_url("**/editor/drafts/*")
    wait_message(page, "已加载")
    page.select_option("#grid-select", COMMUNITY)
    page.wait_for_timeout(400)  # let Leaflet finish zooming to the grid before reading its screen box

    # split: draw a Geoman line from left of the grid to right of it, through its middle
    page.click("#tool-split")
    box = page.locator('#map path[fill="#f08c00"]').bounding_box()
    y = box["y"] + box["height"] / 2
    left, right = box["x"] - 12, box["x"] + box["width"] + 12
    page.mouse.click(left, y)
    page.mouse.click(right, y)
    page.mouse.click(right, y)  # clicking the last vertex again finishes the line
    assert f"{COMMUNITY}-1" in wait_message(page, "已保存")

    # give the split-off piece back (delete into its neighbour), then move the community to another street
    page.select_option("#grid-select", f"{COMMUNITY}-1")
    page.select_option("#delete-into", COMMUNITY)
    page.click("#do-delete")
    assert f"{COMMUNITY}-1" in wait_message(page, "已保存")
    assert page.locator(f'#grid-select option[value="{COMMUNITY}-1"]').count() == 0
    page.select_option("#grid-select", COMMUNITY)
    street = page.eval_on_selector("#parent-select", "s => s.options[0].value")
    page.select_option("#parent-select", street)
    page.click("#do-reparent")
    wait_message(page, "已保存")
    page.select_option("#grid-select", COMMUNITY)
    assert f"上级 {street}" in page.inner_text("#selected-info")

    page.click("#validate")
    page.wait_for_function("() => document.getElementById('validation-summary').textContent.includes('可以发布')")
    screenshot(page, "editor-split-reparent-delete")
    assert page.watch.console_errors == []
