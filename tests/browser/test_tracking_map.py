"""Browser: the district leader's 督办 list shows its items on a Leaflet map — the demo's escalated 督办 at its
case in the escalated colour, the meeting decisions in their owners' grids — and the overdue filter narrows
the map as it narrows the list."""

from __future__ import annotations

import pytest

from gisgrid.auth.demo import DEMO_PASSWORD
from tests.browser.conftest import browser_login, live_server, screenshot

pytestmark = pytest.mark.browser


@pytest.fixture()
def tracking_server(tmp_path):
    """A live 西城区 demo with the sample cases and the sample 督查督办 (an escalated 督办, decisions, a check)."""
    with live_server("gisgrid_browser_tmap", {"MEDIA_DIR": str(tmp_path / "media")}) as url:
        from gisgrid.db import db
        from gisgrid.deployment import load
        from gisgrid.incidents.demo import load_demo, load_demo_cases
        from gisgrid.supervision.demo import load_demo_supervision

        with db.new_session() as session:
            load_demo(session)
            load_demo_cases(session)
            load_demo_supervision(session, load("xicheng"), "110102000000")
            session.commit()
        yield url


def _markers(page):
    page.wait_for_function("() => document.getElementById('tracking-map').dataset.items !== undefined")
    return int(page.get_attribute("#tracking-map", "data-items"))


def test_the_duban_list_map_places_and_colours_the_items(page, tracking_server):
    url = tracking_server
    browser_login(page, url, "leader_xicheng", DEMO_PASSWORD)
    page.goto(f"{url}/tracking")
    listed = page.locator("#items tbody tr[data-item]").count()
    assert listed >= 3 and _markers(page) == listed  # every listed item is on the map
    escalated = page.locator("#tracking-map path.leaflet-interactive[stroke='#7b1fa2']")
    assert escalated.count() >= 1  # the demo's 督办 that escalated twice, in the escalated colour
    escalated.first.click()
    popup = page.locator(".leaflet-popup-content")
    assert "迅速督办" in popup.inner_text() and "已升级" in popup.inner_text() and "案件位置" in popup.inner_text()
    screenshot(page, "tracking-map")
    page.goto(f"{url}/tracking?overdue=true")
    overdue = page.locator("#items tbody tr[data-item]").count()
    assert 1 <= overdue < listed and _markers(page) == overdue
    assert page.watch.console_errors == [] and page.watch.external_requests == []
