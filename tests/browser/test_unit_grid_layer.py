"""The public map's 重点监管单元网格 layer in headless Chromium: drawn, toggleable, listed in the lookup."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from tests import unit_grid_world as uw
from tests.browser.conftest import screenshot
from tests.conftest import fresh_database
from tests.servers import serve
from tests.worlds import wgs84

pytestmark = pytest.mark.browser


@contextmanager
def unit_world_server(tmp_path, planner=None):
    """A live server on world A/B with two unit grids (U1 across two villages, U2 in the county).

    ``planner``: (username, password) of a planner account to create.
    """
    from gisgrid import create_app
    from gisgrid.auth import service as auth_service

    with fresh_database("gisgrid_browser_units") as url:
        engine = create_engine(url)
        with Session(engine) as session:
            uw.import_world(session, tmp_path)
            if planner:
                auth_service.create_user(session, planner[0], planner[1], "planner")
        engine.dispose()
        with serve(create_app({"DATABASE_URL": url})) as base:
            yield base


def _unit_features(page) -> int:
    return page.evaluate("() => gisgrid.unitGridLayer.getLayers().length")


def test_unit_grids_are_their_own_toggleable_layer_and_show_in_the_lookup(page, tmp_path):
    with unit_world_server(tmp_path) as base:
        page.goto(base + "/")
        page.wait_for_load_state("networkidle")
        page.wait_for_function("() => gisgrid.unitGridLayer.getLayers().length === 2")
        toggle = page.get_by_label("重点监管单元网格")
        assert toggle.is_checked() and page.locator("path.unit-grid").count() == 2
        toggle.uncheck()
        assert page.locator("path.unit-grid").count() == 0
        assert not page.evaluate("() => gisgrid.publicMap.hasLayer(gisgrid.unitGridLayer)")
        toggle.check()
        assert page.locator("path.unit-grid").count() == 2 and _unit_features(page) == 2

        lon, lat = wgs84(*uw.U1_INSIDE_A1B)
        page.fill("#lookup input[name=lon]", f"{lon:.7f}")
        page.fill("#lookup input[name=lat]", f"{lat:.7f}")
        page.select_option("#lookup select[name=crs]", "wgs84")
        page.click("#lookup button")
        page.wait_for_selector("#result .unit-grids")
        text = page.inner_text("#result .unit-grids")
        assert "甲一镇化工园重点监管单元" in text and "由 2 级网格 甲一镇（A1） 重点监管" in text
        assert "199-1111-0001" not in page.content() and "199-1111-0002" not in text  # private phones
        assert page.watch.console_errors == [] and page.watch.external_requests == []
        screenshot(page, "public-map-unit-grids")
