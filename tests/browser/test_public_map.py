"""The public map in headless Chromium: tiles drawn, click → contacts, search, lookup, deep link, notice sheet."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from gisgrid.cli import DEMO_FILE
from gisgrid.grids import service
from tests.browser.conftest import screenshot
from tests.conftest import free_port, fresh_database

pytestmark = pytest.mark.browser
PRIVATE_LEADER = re.compile(r"010-0001-\d{4}")  # the demo's first-responsible-person phones are all private


def _open(page, url):
    page.goto(url)
    page.wait_for_load_state("networkidle")
    page.wait_for_selector(".legend")


def _drawn_pixels(page) -> int:
    """Non-transparent pixels over all vector-tile canvases."""
    return page.evaluate("""() => Array.from(document.querySelectorAll('.leaflet-tile-container canvas'))
        .reduce((n, c) => { const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            let k = 0; for (let i = 3; i < d.length; i += 16) { if (d[i]) k++; } return n + k; }, 0)""")


def _click_latlng(page, lat, lon):
    point = page.evaluate(
        f"() => {{ const m = gisgrid.publicMap; const p = m.latLngToContainerPoint([{lat}, {lon}]);"
        " const r = m.getContainer().getBoundingClientRect(); return [r.left + p.x, r.top + p.y]; }"
    )
    page.mouse.click(*point)


def test_map_loads_draws_polygons_and_labels(page, server_url):
    _open(page, server_url + "/")
    page.wait_for_function("() => document.querySelectorAll('.grid-label span').length > 5")
    assert _drawn_pixels(page) > 1000
    assert "2 级（15 个）" in page.inner_text("#levels")
    assert page.watch.console_errors == []
    assert page.watch.external_requests == []
    assert screenshot(page, "public-map").stat().st_size > 0


def test_labels_are_thinned_so_that_none_overlap(page, server_url):
    _open(page, server_url + "/")
    page.check("#levels input[value='3']")  # 263 communities: at zoom 13 most labels would collide
    page.wait_for_load_state("networkidle")
    page.evaluate("() => gisgrid.publicMap.setView([39.925, 116.37], 13, { animate: false })")
    page.wait_for_function("() => document.querySelectorAll('.grid-label.label-hidden').length > 5")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("() => gisgrid.publicMap.getZoom()") == 13
    boxes = page.evaluate("""() => Array.from(document.querySelectorAll('.grid-label:not(.label-hidden) span'))
        .map(s => { const r = s.getBoundingClientRect(); return [s.textContent, r.left, r.top, r.right, r.bottom]; })""")
    assert len(boxes) >= 10 and all(r > left and b > t for _, left, t, r, b in boxes)
    for i, (name, l1, t1, r1, b1) in enumerate(boxes):
        for other, l2, t2, r2, b2 in boxes[i + 1 :]:
            assert not (l1 < r2 and l2 < r1 and t1 < b2 and t2 < b1), f"labels {name} and {other} overlap"
    largest = page.evaluate("""() => { const b = gisgrid.publicMap.getBounds();
        return gisgrid.api.get(`/api/v1/grids/labels?level=3&bbox=${[b.getWest(), b.getSouth(), b.getEast(),
            b.getNorth()].map(v => v.toFixed(6)).join(',')}`).then(r => r.labels[0].name); }""")
    assert largest in [name for name, *_ in boxes]  # the largest grid's label always stays
    assert page.watch.console_errors == []
    screenshot(page, "public-map-labels-thinned")


def test_click_on_a_grid_shows_its_contacts(page, server_url):
    _open(page, server_url + "/")
    _click_latlng(page, 39.9405, 116.3655)
    page.wait_for_selector("#detail h2")
    detail = page.inner_text("#detail")
    assert "责任主体" in detail and "第一责任人" in detail and "联系电话" in detail
    assert "西城区" in page.inner_text("#result")
    assert not PRIVATE_LEADER.search(page.inner_text("#panel"))
    assert page.locator(".leaflet-overlay-pane path").count() >= 1  # the chosen grid is outlined
    assert page.watch.console_errors == []
    screenshot(page, "public-map-click")


def test_search_finds_a_grid(page, server_url):
    _open(page, server_url + "/")
    page.fill("#search input[name=q]", "府右街")
    page.click("#search button")
    page.wait_for_selector("#results li a")
    page.click("#results li a:has-text('府右街南社区')")
    page.wait_for_function("() => document.querySelector('#detail h2')?.textContent === '府右街南社区'")
    assert "西长安街街道" in page.inner_text("#detail .chainbar")
    assert page.evaluate("() => gisgrid.publicMap.getZoom()") >= 14
    assert page.watch.console_errors == []


def test_coordinate_lookup_shows_chain_and_near_boundary(page, server_url):
    _open(page, server_url + "/")
    # a vertex of a community's outline lies on a boundary: its neighbours are 0 m away
    lon, lat = page.evaluate("""() => gisgrid.api.get('/api/v1/grids/110102001004')
        .then(b => b.grid.geometry.coordinates[0][0][1])""")
    page.fill("#lookup input[name=lon]", str(lon))
    page.fill("#lookup input[name=lat]", str(lat))
    page.select_option("#lookup select[name=crs]", "wgs84")
    page.click("#lookup button")
    page.wait_for_selector("#result .near-boundary")
    assert "管辖可能存疑" in page.inner_text("#result")
    assert "西城区" in page.inner_text("#result .chainbar")
    assert page.watch.console_errors == []


def test_deep_link_opens_on_the_grid(page, server_url):
    tile_urls = []
    page.on("request", lambda r: "/tiles/" in r.url and tile_urls.append(r.url))
    _open(page, server_url + "/grids/110102001004")
    page.wait_for_function("() => document.querySelector('#detail h2')?.textContent === '府右街南社区'")
    center = page.evaluate("() => { const c = gisgrid.publicMap.getCenter(); return [c.lng, c.lat]; }")
    body = page.evaluate("() => gisgrid.api.get('/api/v1/grids/110102001004')")
    w, s, e, n = body["grid"]["bbox"]
    assert w <= center[0] <= e and s <= center[1] <= n
    assert any("level=2" in u for u in tile_urls)  # the streets' outlines are drawn over the communities
    assert page.watch.console_errors == [] and page.watch.external_requests == []
    screenshot(page, "public-map-deep-link")


def test_history_view_at_a_date(page, server_url):
    from datetime import date

    today = date.today().isoformat()
    _open(page, f"{server_url}/grids/110102001004?at={today}")
    page.wait_for_function("() => document.querySelector('#detail h2')?.textContent === '府右街南社区'")
    assert today in page.inner_text(".banner")
    page.goto(server_url + "/grids/110102001004?at=2000-01-01", wait_until="networkidle")
    # nothing was published then: the version resolver's one 404, as a page naming the day
    assert "2000-01-01 时尚无已发布的网格边界版本" in page.inner_text("main")


def test_notice_sheet_prints_map_and_contacts(page, server_url):
    page.goto(server_url + "/grids/110102001004/notice")
    page.wait_for_load_state("networkidle")
    assert page.locator("#notice-map path").count() == 1
    assert "府右街南社区居委会" in page.inner_text(".notice")
    page.emulate_media(media="print")
    assert not page.locator("header.topbar").is_visible() and not page.locator(".no-print").is_visible()
    assert not PRIVATE_LEADER.search(page.inner_text("body"))
    assert page.watch.console_errors == [] and page.watch.external_requests == []
    screenshot(page, "public-notice-sheet")


@contextmanager
def gcj02_server():
    """gunicorn in its own process on a demo database, with a GCJ-02 base map configured.

    Its own process, because an in-process live server would rebind the shared ``db`` object
    that the session's server_url uses.
    """
    with fresh_database("gisgrid_browser_gcj") as url:
        engine = create_engine(url)
        with Session(engine) as session:
            service.import_file(session, DEMO_FILE, label="demo", publish=True)
        engine.dispose()
        port = free_port()
        # a local image stands in for a GCJ-02 (AMap-style) tile server on the intranet
        env = {
            **os.environ,
            "GISGRID_DATABASE_URL": url,
            "GISGRID_TILE_CRS": "gcj02",
            "GISGRID_TILE_URL": "/static/vendor/leaflet/images/layers.png?{z}/{x}/{y}",
        }
        proc = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "gisgrid.wsgi:app",
            ],
            env=env,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(300):  # wait until the worker has imported the app
                assert proc.poll() is None, "gunicorn exited"
                try:
                    urllib.request.urlopen(base + "/static/js/api.js", timeout=5)
                    break
                except OSError:
                    time.sleep(0.1)
            yield base
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def test_gcj02_base_map_shifts_overlays(page):
    with gcj02_server() as url:
        tile_urls = []
        page.on("request", lambda r: "/tiles/" in r.url and tile_urls.append(r.url))
        _open(page, url + "/grids/110102001004")
        page.wait_for_function("() => document.querySelector('#detail h2')?.textContent === '府右街南社区'")
        assert tile_urls and all("crs=gcj02" in u for u in tile_urls)
        drawn = page.evaluate("""() => { let b = null; gisgrid.publicMap.eachLayer(l => {
            if (l.feature && l.getBounds) { b = l.getBounds(); } }); return b && [b.getWest(), b.getSouth()]; }""")
        plain = page.evaluate("() => gisgrid.api.get('/api/v1/grids/110102001004').then(b => b.grid.bbox)")
        assert drawn[0] - plain[0] > 0.004  # the outline on the map is the shifted one (~500 m east)
        _gcj02_markers_follow_the_base_map(page)
        assert page.watch.console_errors == [] and page.watch.external_requests == []


def _marker(page):
    """[lon, lat] of the lookup marker on the map and whether the highlighted grid's outline contains it."""
    page.wait_for_selector(".lookup-point")
    return page.evaluate("""() => { let p = null, box = null; gisgrid.publicMap.eachLayer(l => {
        if (l instanceof L.CircleMarker) { p = l.getLatLng(); }
        if (l.feature && l.getBounds) { box = l.getBounds(); } });
        return [p.lng, p.lat, !!box && box.contains(p)]; }""")


def _lookup_typed(page, lon, lat, crs):
    page.evaluate("() => { document.querySelector('#detail').replaceChildren(); gisgrid.publicMap.setZoom(12); }")
    page.fill("#lookup input[name=lon]", str(lon))
    page.fill("#lookup input[name=lat]", str(lat))
    page.select_option("#lookup select[name=crs]", crs)
    page.click("#lookup button")
    page.wait_for_selector("#detail h2")


def _gcj02_markers_follow_the_base_map(page):
    """Browser location and typed points: looked up in WGS84, drawn at their GCJ-02 position."""
    from gisgrid import coords

    lon, lat = 116.3655, 39.9405  # WGS84, as a browser reports it
    glon, glat = (float(v) for v in coords.wgs84_to_gcj02(lon, lat))
    expected = page.evaluate(f"() => gisgrid.api.get('/api/v1/lookup?lon={lon}&lat={lat}')")["grid"]["name"]
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"latitude": lat, "longitude": lon})
    page.click("#geolocate")
    page.wait_for_function(f"() => document.querySelector('#detail h2')?.textContent === '{expected}'")
    mlon, mlat, inside = _marker(page)
    assert (mlon, mlat) == pytest.approx((glon, glat), abs=1e-9) and inside
    assert mlon - lon > 0.004  # drawn ~500 m east of the raw WGS84 point, where the shifted grids are
    screenshot(page, "public-map-gcj02-location")
    _lookup_typed(page, lon, lat, "wgs84")
    assert page.inner_text("#detail h2") == expected
    assert _marker(page)[:2] == pytest.approx([glon, glat], abs=1e-9)
    blon, blat = (float(v) for v in coords.gcj02_to_bd09(glon, glat))
    _lookup_typed(page, blon, blat, "bd09")  # the same place typed as BD-09
    assert page.inner_text("#detail h2") == expected
    assert _marker(page)[:2] == pytest.approx([glon, glat], abs=1e-7)
    _lookup_typed(page, glon, glat, "gcj02")
    assert _marker(page)[:2] == pytest.approx([glon, glat], abs=1e-7)


def test_browser_location_finds_my_grid(browser, server_url):
    context = browser.new_context(
        locale="zh-CN", geolocation={"latitude": 39.9405, "longitude": 116.3655}, permissions=["geolocation"]
    )
    try:
        pg = context.new_page()
        errors = []
        pg.on("pageerror", lambda e: errors.append(str(e)))
        _open(pg, server_url + "/")
        pg.click("#geolocate")
        pg.wait_for_selector("#detail h2")
        lookup = pg.evaluate("() => gisgrid.api.get('/api/v1/lookup?lon=116.3655&lat=39.9405')")
        assert pg.inner_text("#detail h2") == lookup["grid"]["name"]
        assert _marker(pg) == pytest.approx([116.3655, 39.9405, True], abs=1e-12)  # no base map datum: unshifted
        assert errors == []
    finally:
        context.close()
