"""A leader runs 督办 and a 联席会议 in a real browser: 督办 on an overdue case → the owner reports done → the
leader accepts; a meeting decision becomes a tracked item and shows on the 落实情况 page."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from gisgrid.auth.demo import DEMO_PASSWORD
from tests.browser.conftest import browser_login, live_server, screenshot

pytestmark = pytest.mark.browser


@pytest.fixture()
def supervision_server(tmp_path):
    """A live server on its own 西城区 demo database with the sample cases, one of them made overdue."""
    with live_server("gisgrid_browser_sup", {"MEDIA_DIR": str(tmp_path / "media")}) as url:
        from gisgrid.db import db
        from gisgrid.incidents.demo import load_demo, load_demo_cases
        from gisgrid.incidents.models import Incident

        with db.new_session() as session:
            load_demo(session)
            load_demo_cases(session)
            case = session.scalars(
                select(Incident).where(Incident.state.in_(("dispatched", "in_progress"))).order_by(Incident.id)
            ).first()
            case.deadline = date(2026, 10, 9)
            session.commit()
            yield url, case.id, case.department_codes[0]


def _login(page, url, username):
    page.context.clear_cookies()
    browser_login(page, url, username, DEMO_PASSWORD)


def test_duban_on_an_overdue_case_is_reported_done_and_accepted(page, supervision_server):
    url, case_id, department = supervision_server
    _login(page, url, "leader_xicheng")
    page.goto(f"{url}/incidents/{case_id}")
    assert "尚无督办事项" in page.inner_text("#duban-chain")
    page.select_option("#duban-form select[name=priority]", "rapid")
    page.fill("#duban-form input[name=detail]", "三个工作日内整改到位")
    page.click("#duban-form button[type=submit]")
    page.wait_for_selector("#item-state")
    item_url = page.url
    assert "迅速督办" in page.inner_text("h1") and page.inner_text("#item-state") == "待办理"
    screenshot(page, "supervision-duban-opened")

    _login(page, url, f"handler_{department}")  # the case's department owns the 督办
    page.goto(f"{url}/tracking?view=mine")
    page.click(f"#items a[href='{item_url.removeprefix(url)}']")
    page.fill("form[data-action=report_done] textarea[name=text]", "已现场整改，覆盖裸土")
    page.click("form[data-action=report_done] button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.inner_text("#item-state") == "已报结"

    _login(page, url, "leader_xicheng")
    page.goto(item_url)
    page.click("form[data-action=accept] button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.inner_text("#item-state") == "已验收"
    assert "报结" in page.inner_text("#notes") and "验收通过" in page.inner_text("#notes")
    page.goto(f"{url}/incidents/{case_id}")
    assert "已验收" in page.inner_text("#case-duban")
    screenshot(page, "supervision-case-duban-chain")
    assert page.watch.console_errors == [] and page.watch.external_requests == []


def test_a_meeting_decision_shows_on_the_follow_up_page(page, supervision_server):
    url, _case, _dept = supervision_server
    _login(page, url, "leader_xicheng")
    page.goto(f"{url}/supervision/meetings")
    page.fill("#meeting-form input[name=title]", "网格化环境监管第一次联席会议")
    page.locator("#meeting-form input[name=attendees]").first.check()
    page.fill("#meeting-form textarea[name=agenda]", "部署：冬季扬尘治理\n督办：超期案件")
    page.fill("#meeting-form textarea[name=minutes]", "会议纪要（示例）")
    page.fill("#meeting-form textarea[name=decisions]", "西长安街街道完成裸土覆盖｜110102001000｜")
    page.click("#meeting-form button[type=submit]")
    page.wait_for_selector("#decisions")
    assert "西长安街街道完成裸土覆盖" in page.inner_text("#decisions")
    assert "【部署】冬季扬尘治理" in page.inner_text("main")
    page.goto(f"{url}/supervision/decisions")
    assert "西长安街街道完成裸土覆盖" in page.inner_text("#decision-items")
    assert "共 1 项" in page.inner_text("#decision-counts")
    screenshot(page, "supervision-decisions")
    _login(page, url, "leader_xichang")  # the owning street sees it among its own items
    page.goto(f"{url}/tracking?view=mine")
    assert "西长安街街道完成裸土覆盖" in page.inner_text("#items")
    assert page.watch.console_errors == [] and page.watch.external_requests == []


def test_a_campaign_launched_from_the_form_shows_its_area_on_the_map(page, supervision_server):
    url, _case, dept = supervision_server
    _login(page, url, "leader_xicheng")
    page.goto(f"{url}/campaigns")
    page.fill("#campaign-form input[name=title]", "冬季扬尘联合执法")
    page.fill("#campaign-form input[name=ends_on]", "2027-01-15")
    page.check(f"#campaign-form input[name=departments][value={dept}]")
    page.fill("#campaign-form input[name=area_codes]", "110102001000")
    page.click("#campaign-form button[type=submit]")
    page.wait_for_selector("#campaign-map path.leaflet-interactive")  # the area grid drawn from the map API
    assert "冬季扬尘联合执法" in page.inner_text("h1")
    assert "冬季扬尘联合执法" in page.inner_text("#campaign-tasks")  # the department's tracked task
    screenshot(page, "supervision-campaign")
    assert page.watch.console_errors == [] and page.watch.external_requests == []


def test_a_campaign_area_drawn_on_the_form_map(page, supervision_server):
    # no grid codes: the leader draws the target area across grid boundaries with the mouse
    url, _case, dept = supervision_server
    _login(page, url, "leader_xicheng")
    page.goto(f"{url}/campaigns")
    page.fill("#campaign-form input[name=title]", "河道两岸联合执法")
    page.fill("#campaign-form input[name=ends_on]", "2027-01-15")
    page.check(f"#campaign-form input[name=departments][value={dept}]")
    page.wait_for_function("() => window.gisgridCampaignForm && window.gisgridCampaignForm.map")
    page.click("#draw-area")
    box = page.locator("#area-map").bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    corners = [(-40, -30), (40, -30), (40, 30), (-40, 30), (-40, -30)]  # the last click on the first vertex closes it
    for dx, dy in corners:
        page.mouse.click(cx + dx, cy + dy)
    page.wait_for_function("() => document.getElementById('area-state').textContent.includes('已绘制 1 个区域')")
    drawn = page.eval_on_selector("#area-input", "el => JSON.parse(el.value)")
    assert drawn["type"] == "MultiPolygon" and len(drawn["coordinates"][0][0]) == 5
    page.click("#campaign-form button[type=submit]")
    page.wait_for_selector("#campaign-map path.leaflet-interactive")
    assert "河道两岸联合执法" in page.inner_text("h1")
    assert page.watch.console_errors == [] and page.watch.external_requests == []
