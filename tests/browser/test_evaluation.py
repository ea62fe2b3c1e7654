"""Browser: the 领导小组办公室 opens a 考评 round, a street fills and submits its self-evaluation, the district
reviews it upward, and the street appears ranked first with its reviewed score."""

from __future__ import annotations

import pytest

from gisgrid.auth.demo import DEMO_PASSWORD
from tests.browser.conftest import PageWatch, browser_login, screenshot

pytestmark = pytest.mark.browser

STREET = "110102001000"  # 西长安街街道, led by the demo account leader_xichang


def _as(browser, base, username):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.watch = PageWatch(page)
    browser_login(page, base, username, DEMO_PASSWORD)
    return context, page


def test_self_evaluation_is_filled_reviewed_upward_and_ranked(browser, fresh_live_server):
    base = fresh_live_server
    ctx, office = _as(browser, base, "dispatcher")
    office.goto(base + "/evaluation")
    office.select_option("#open-round select[name=period]", "year")
    office.fill("#open-round input[name=year]", "2025")
    office.click("#open-round button[type=submit]")
    office.wait_for_load_state("networkidle")
    assert "2025年度网格化环境监管考评" in office.inner_text("h1")
    round_url = office.url
    assert office.watch.console_errors == []
    ctx.close()

    ctx, street = _as(browser, base, "leader_xichang")
    street.goto(round_url)
    street.click("table.ranking a:has-text('西长安街')")
    street.wait_for_selector("#self-form")
    for key, score in (("plan", "23"), ("duties", "21"), ("rules", "24"), ("work", "20")):
        street.fill(f"input[name='score.{key}']", score)
    street.fill("textarea[name=note]", "浏览器测试：年度工作总结")
    street.click("#submit-self")
    street.wait_for_load_state("networkidle")
    assert street.inner_text("#form-state") == "待评审"
    form_url = street.url
    screenshot(street, "evaluation-self-submitted")
    ctx.close()

    ctx, district = _as(browser, base, "leader_xicheng")
    district.goto(form_url)
    district.wait_for_selector("#review-form")
    assert "浏览器测试：年度工作总结" in district.inner_text("main")
    district.fill("input[name='score.work']", "18")  # the others keep the grid's own scores
    district.fill("textarea[name=note]", "材料齐全，巡查覆盖不足")
    district.click("#accept-review")
    district.wait_for_load_state("networkidle")
    assert district.locator("#form-state").count() == 1, district.inner_text("main")
    assert district.inner_text("#form-state") == "已评审"
    district.goto(round_url)
    row = district.locator("table.ranking tr", has_text="西长安街")
    cells = row.locator("td").all_inner_texts()
    assert cells[0] == "1" and cells[2] == "已评审" and cells[3] == "88.0" and cells[4] == "86.0"
    assert "86.0" in district.inner_text("#chart-2")
    screenshot(district, "evaluation-ranking")
    assert district.watch.console_errors == [] and district.watch.external_requests == []
    ctx.close()
