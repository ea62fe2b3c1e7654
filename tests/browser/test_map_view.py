"""A deployment whose grids are in Xinjiang: the Leaflet map opens there, not on Beijing's 西城区."""

from __future__ import annotations

import pytest

from gisgrid import create_app
from gisgrid.db import db
from gisgrid.grids import service
from tests import worlds
from tests.conftest import fresh_database
from tests.map_worlds import XINJIANG, world_x_frame
from tests.servers import serve

pytestmark = pytest.mark.browser


@pytest.fixture()
def xinjiang_server(tmp_path):
    """A live server whose only published version is two grids in Ürümqi."""
    path = worlds.write(world_x_frame(), tmp_path / "x.gpkg")
    with fresh_database("gisgrid_browser_x") as url:
        app = create_app({"DATABASE_URL": url})
        with app.app_context(), db.new_session() as session:
            service.import_file(session, path, label="xinjiang", publish=True)
        with serve(app) as base:
            yield base


def test_public_map_opens_on_the_published_extent(page, xinjiang_server):
    page.goto(xinjiang_server + "/")
    page.wait_for_load_state("networkidle")
    lat, lon = page.evaluate("() => { const c = gisgrid.publicMap.getCenter(); return [c.lat, c.lng]; }")
    west, south, east, north = XINJIANG
    assert south < lat < north and west < lon < east
    bounds = page.evaluate("() => gisgrid.publicMap.getBounds().toBBoxString()")
    w, s, e, n = (float(v) for v in bounds.split(","))
    assert w <= west + 0.01 and e >= east - 0.01  # the whole county is in view, not one corner of it
    assert page.watch.console_errors == [] and page.watch.external_requests == []


def test_the_shared_helper_alone_opens_a_new_map_there(page, xinjiang_server):
    # the public map later also fits the OGC extent; a bare map shows what the data block alone does
    page.goto(xinjiang_server + "/report")
    page.wait_for_load_state("networkidle")
    lat, lon, zoom = page.evaluate("""() => {
        const el = document.createElement("div");
        el.style.width = "600px"; el.style.height = "400px";
        document.body.appendChild(el);
        const map = gisgrid.initialView(L.map(el));
        const c = map.getCenter();
        return [c.lat, c.lng, map.getZoom()];
    }""")
    west, south, east, north = XINJIANG
    assert south < lat < north and west < lon < east and zoom >= 10
