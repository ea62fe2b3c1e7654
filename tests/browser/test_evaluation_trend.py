"""Browser: the district leader opens 考评趋势 on the demo's two finished yearly rounds; uPlot draws the score
and rank charts, one line per street, and the table under them carries the same numbers."""

from __future__ import annotations

import json
from datetime import date

import pytest

from gisgrid.auth.demo import DEMO_PASSWORD
from tests.browser.conftest import browser_login, live_server, screenshot

pytestmark = pytest.mark.browser


@pytest.fixture()
def trend_server():
    """A live server on its own 西城区 demo database with the demo's two finished 考评 rounds (2024, 2025)."""
    with live_server("gisgrid_browser_trend") as url:
        from gisgrid.db import db
        from gisgrid.deployment import load
        from gisgrid.evaluation.demo import load_demo_evaluation

        with db.new_session() as session:
            forms = load_demo_evaluation(session, load("xicheng"), today=date(2026, 3, 1))
            session.commit()
        yield url, forms


def test_the_trend_charts_draw_every_street_across_rounds(page, trend_server):
    url, forms = trend_server
    assert forms == 30  # 15 streets in each of the two rounds
    browser_login(page, url, "leader_xicheng", DEMO_PASSWORD)
    page.goto(f"{url}/evaluation/trend")
    page.wait_for_selector("#trend-scores .uplot")
    assert page.get_attribute("#trend-data", "data-drawn") == "2"  # the score chart and the rank chart
    data = json.loads(page.inner_text("#trend-data"))
    assert [r["label"][:4] for r in data["rounds"]] == ["2024", "2025"] and len(data["grids"]) == 15
    # a line per street: uPlot's legend lists the x series and then each grid
    legend = page.locator("#trend-scores .u-legend .u-series").all_inner_texts()
    assert len(legend) == 16 and any(data["grids"][0]["grid_name"] in text for text in legend)
    first = data["grids"][0]
    row = page.inner_text(f"tr[data-grid='{first['grid_code']}']")
    assert f"{first['scores'][0]}" in row and f"第 {first['ranks'][1]} 名" in row
    ranks_2025 = sorted(g["ranks"][1] for g in data["grids"])
    assert ranks_2025 == list(range(1, 16))
    screenshot(page, "evaluation-trend")
    assert page.watch.console_errors == [] and page.watch.external_requests == []
