"""Cross-boundary jurisdiction in a real browser on the demo: draw an outfall pipe across two communities of
two streets, preview, save, dispute, and have the district designate."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from gisgrid.auth.demo import DEMO_PASSWORD
from tests.browser.conftest import browser_login, live_server, screenshot

pytestmark = pytest.mark.browser

# two communities of two streets with a long shared edge; the pipe runs from one into the other across it
# (demo communities are convex Voronoi cells, so points near the edge are inside)
NEIGHBOUR_SQL = """
SELECT c.code AS case_code, n.code, n.name, c.name AS case_name,
       ST_X(pa) AS ax, ST_Y(pa) AS ay, ST_X(pb) AS bx, ST_Y(pb) AS by
FROM grid c JOIN grid n ON n.version_id = c.version_id AND n.level = c.level AND n.parent_id <> c.parent_id
     AND ST_Length(ST_Intersection(ST_Boundary(c.geom), ST_Boundary(n.geom))::geography) > 150
CROSS JOIN LATERAL (SELECT ST_LineInterpolatePoint(ST_LineMerge(ST_Intersection(ST_Boundary(c.geom),
                    ST_Boundary(n.geom))), 0.5) AS m) e
CROSS JOIN LATERAL (SELECT ST_LineInterpolatePoint(ST_MakeLine(e.m, ST_Centroid(c.geom)), 0.3) AS pa,
                           ST_LineInterpolatePoint(ST_MakeLine(e.m, ST_Centroid(n.geom)), 0.3) AS pb) p
WHERE c.version_id = (SELECT id FROM boundary_version WHERE status = 'published') AND c.level = 3
  AND GeometryType(ST_LineMerge(ST_Intersection(ST_Boundary(c.geom), ST_Boundary(n.geom)))) = 'LINESTRING'
ORDER BY c.code, n.code LIMIT 1
"""


@pytest.fixture()
def demo_case(tmp_path):
    """A live demo server with a public report in a community next to another street's; yields
    (url, case id, the pair of communities and the pipe's end points)."""
    with live_server("gisgrid_browser_jur", {"MEDIA_DIR": str(tmp_path / "media")}) as url:
        from gisgrid.db import db
        from gisgrid.incidents import intake
        from gisgrid.incidents.demo import load_demo
        from gisgrid.incidents.report import Report

        with db.new_session() as session:
            load_demo(session)
            pair = session.execute(text(NEIGHBOUR_SQL)).one()
            report = Report("web", "wastewater", "暗管向相邻社区排放污水", pair.ax, pair.ay)
            case, _ = intake.report(session, report, None)
            assert case.grid_codes[-1] == pair.case_code
        yield url, case.id, pair


def _click_at(page, lon, lat):
    point = page.evaluate(
        "([lon, lat]) => { const p = window.gisgridRecord.map.latLngToContainerPoint([lat, lon]); return [p.x, p.y]; }",
        [lon, lat],
    )
    box = page.locator("#map").bounding_box()
    page.mouse.click(box["x"] + point[0], box["y"] + point[1])


def test_record_dispute_and_designate_across_two_streets(page, demo_case):
    url, case_id, n = demo_case
    browser_login(page, url, "dispatcher", DEMO_PASSWORD)
    page.goto(f"{url}/incidents/{case_id}")
    page.wait_for_selector("#jurisdiction .j-body >> text=尚未登记")
    page.click("#jurisdiction a.button")
    page.wait_for_function("() => window.gisgridRecord !== undefined")
    page.wait_for_load_state("networkidle")  # the page fits the map to the case's grid once its data arrives
    page.evaluate(
        "([lon, lat]) => window.gisgridRecord.map.setView([lat, lon], 17, {animate: false})",
        [(n.ax + n.bx) / 2, (n.ay + n.by) / 2],
    )
    page.wait_for_function("() => window.gisgridRecord.map.getZoom() === 17")
    page.click("[data-draw=act][data-shape=Line]")
    _click_at(page, n.ax, n.ay)
    _click_at(page, n.bx, n.by)
    _click_at(page, n.bx, n.by)  # clicking the last vertex finishes the line
    assert page.evaluate("window.gisgridRecord.groups.act.getLayers().length") == 1
    page.check("input[name=use_buffer]")
    page.fill("input[name=radius_m]", "100")
    page.fill("input[name=title]", "排污管跨街道")
    page.click("#preview")
    page.wait_for_selector(".j-preview-jurisdiction")
    assert n.name in page.inner_text(".j-preview-jurisdiction") and n.case_name in page.inner_text(
        ".j-preview-jurisdiction"
    )
    assert n.case_name in page.inner_text(".j-preview-holder")  # the case's community received the report
    page.wait_for_timeout(600)  # let the map finish zooming to the result
    assert page.locator("#map path.leaflet-interactive").count() >= 3  # act, buffer, grids
    screenshot(page, "jurisdiction-record")
    page.click("#save")
    page.wait_for_url("**/jurisdiction/events/*")
    page.wait_for_selector("#map path.leaflet-interactive")
    assert n.case_name in page.inner_text("#panel .j-holder") and "西城区" in page.inner_text("#panel .j-deciding")
    screenshot(page, "jurisdiction-event")
    page.fill("#dispute-form textarea[name=reason]", "管道出口在相邻街道一侧，应由其管辖")
    page.click("#dispute-form button[type=submit]")
    page.wait_for_selector("#panel >> text=管辖争议待指定")
    assert page.is_hidden("#decide-form")  # a dispatcher does not designate
    event_url = page.url

    page.context.clear_cookies()  # log out: the login form is then the only form with a submit
    browser_login(page, url, "leader_xicheng", DEMO_PASSWORD)
    page.goto(event_url)
    page.wait_for_selector("#decide-form:not([hidden])")
    page.select_option("#decide-form select[name=designated]", n.code)
    page.fill("#decide-form textarea[name=reason]", "排污口位于该社区，由其管辖")
    page.click("#decide-form button[type=submit]")
    page.wait_for_selector("#panel >> text=管辖已确定")
    assert n.name in page.inner_text("#panel .j-holder")
    assert page.is_hidden("#dispute-form")  # the designation is final
    shares = page.eval_on_selector_all(
        ".j-grids tr td:nth-child(3)", "cells => cells.map(c => parseFloat(c.textContent))"
    )
    assert len(shares) == 2 and all(share > 5 for share in shares)  # the pipe really runs through both
    screenshot(page, "jurisdiction-designated")

    page.goto(f"{url}/incidents/{case_id}")
    page.wait_for_selector("#jurisdiction .j-map path.leaflet-interactive")
    assert "跨界管辖" in page.inner_text("#timeline") and n.code in page.inner_text("main")
    page.goto(f"{url}/jurisdiction")
    page.wait_for_selector("#map path.leaflet-interactive")
    assert "排污管跨街道" in page.inner_text("#events")
    screenshot(page, "jurisdiction-list")
    assert page.watch.console_errors == [] and page.watch.external_requests == []
