"""The field app on an emulated phone: a patrol and a report with a photo recorded without signal, a reload
mid-patrol, then back online — the server holds exactly one track and one case, in the right grid."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select, text

from gisgrid.auth.demo import DEMO_PASSWORD
from tests.browser.conftest import live_server

pytestmark = pytest.mark.browser

DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img"
GRID = "110102001004"  # staff_fuyou's community (demo accounts)
PHONE = {  # a mid-size Android phone, at CSS pixel size so that the screenshots stay small
    "viewport": {"width": 393, "height": 760},
    "device_scale_factor": 1,
    "is_mobile": True,
    "has_touch": True,
    "user_agent": "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120 Mobile",
    "locale": "zh-CN",
    "permissions": ["geolocation"],
}
OFFLINE_NOISE = ("ERR_INTERNET_DISCONNECTED", "Failed to fetch")  # what an offline fetch logs: expected here


@pytest.fixture()
def media(tmp_path):
    return tmp_path / "media"


@pytest.fixture()
def field_server(media):
    """A live server on its own demo database with the duty matrix; yields (url, a point inside GRID)."""
    with live_server("gisgrid_browser_field", {"MEDIA_DIR": str(media)}) as url:
        from gisgrid.db import db
        from gisgrid.incidents.demo import load_demo
        from gisgrid.sources import service as sources

        with db.new_session() as session:
            load_demo(session)
            lon, lat = session.execute(
                text(
                    "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(g.geom) p FROM grid g "
                    "JOIN boundary_version v ON v.id = g.version_id AND v.status = 'published' WHERE g.code = :c) s"
                ),
                {"c": GRID},
            ).one()
            # a restaurant a few metres away, never inspected: it waits in my 待办 and on the 检查 tab
            raw = {"code": "FLD1", "name": "示例·府右街餐馆", "kind": "catering", "lon": lon + 0.0001, "lat": lat}
            sources.create_source(session, {**raw, "contacts": "示例·王经理 010-0000-0000"}, by="test")
        yield url, lon, lat


def _counts():
    from gisgrid.db import db
    from gisgrid.incidents.models import Incident
    from gisgrid.patrols.models import PatrolTrack

    with db.new_session() as session:
        tracks = session.scalar(select(func.count()).select_from(PatrolTrack))
        cases = list(session.execute(select(Incident.channel, Incident.grid_codes, Incident.client_request_id)))
    return tracks, cases


def _points(page) -> int:
    return int(page.get_attribute("#patrol-status", "data-points"))


def _stored_photos(media) -> list[tuple[str, int]]:
    from gisgrid.db import db
    from gisgrid.incidents.models import IncidentPhoto

    with db.new_session() as session:
        paths = session.scalars(select(IncidentPhoto.path)).all()
    found = []
    for path in paths:
        with Image.open(media / path) as img:
            found.append((img.format, max(img.size)))
    return sorted(found)


def _track_points() -> int:
    from gisgrid.db import db
    from gisgrid.patrols.models import PatrolTrack

    with db.new_session() as session:
        track = session.scalar(select(PatrolTrack))
        return track.cleaning["input"]


def _walk(context, page, lon, lat, start, steps):
    """Move the phone ~1.5 m north per step and wait until the app has stored each new fix."""
    for i in range(start, start + steps):
        before = _points(page)
        context.set_geolocation({"longitude": lon, "latitude": lat + (i + 1) * 0.0000135, "accuracy": 5})
        page.wait_for_function(f"() => Number(document.getElementById('patrol-status').dataset.points) > {before}")
        page.wait_for_timeout(250)  # walking pace between fixes (the cleaning drops >40 m/s jumps)


def _shot(page, name: str) -> None:
    DOCS_IMG.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(DOCS_IMG / f"field-{name}.png"))


def _photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (180, 120, 60)).save(out, "PNG")
    return out.getvalue()


def _camera_photo() -> bytes:
    """A photo as large as a phone camera's (noise does not compress: a few MB of PNG)."""
    out = io.BytesIO()
    Image.effect_noise((2400, 1600), 60).convert("RGB").save(out, "PNG")
    assert len(out.getvalue()) > 1_500_000
    return out.getvalue()


def _phone(browser, lon, lat):
    """A phone context placed at (lon, lat), its page, and the list its console errors go to."""
    context = browser.new_context(**PHONE, geolocation={"longitude": lon, "latitude": lat, "accuracy": 5})
    page = context.new_page()
    errors = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    return context, page, errors


def _open_app(page, base: str) -> None:
    """Log in as the community's 网格员 through the app's own redirect, and wait for the service worker."""
    page.goto(base + "/app/")  # nobody logged in: the login form, "keep me logged in" ticked
    assert page.is_checked("input[name=keep]")
    page.fill("input[name=username]", "staff_fuyou")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("body[data-ready='1']")
    assert page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()  # now controlled by the service worker
    page.wait_for_selector("body[data-ready='1']")
    assert page.evaluate("!!navigator.serviceWorker.controller")
    page.wait_for_selector("#patrol-map path.grid-outline")  # my grid's boundary


def test_offline_patrol_and_report_reach_the_server_once(browser, field_server, media):
    base, lon, lat = field_server
    context, page, errors = _phone(browser, lon, lat)

    _open_app(page, base)

    page.click("#patrol-start")
    _walk(context, page, lon, lat, 0, 4)
    _shot(page, "patrol")
    context.set_offline(True)
    page.wait_for_selector("#net[data-online='0']")
    _walk(context, page, lon, lat, 4, 3)
    recorded = _points(page)
    assert recorded >= 7

    page.reload()  # mid-patrol, without signal: the shell comes from the cache, the points from IndexedDB
    page.wait_for_selector("body[data-ready='1']")
    assert _points(page) >= recorded and page.is_visible("#patrol-stop")  # (+ the fix the resumed watch gets)
    # my 待办 and my grid's contacts, from the last bundle (service worker cache / IndexedDB), without signal
    page.wait_for_function("() => document.querySelectorAll('#contacts .card').length === 1")
    assert "府右街南社区" in page.text_content("#contacts") and "示例·府右街餐馆" in page.text_content("#inbox-list")
    _walk(context, page, lon, lat, 7, 3)
    recorded = _points(page)
    page.click("#patrol-stop")
    page.wait_for_selector("#queue-list li[data-kind=track][data-status=waiting]", state="attached")

    page.click("nav.tabs button[data-go=report]")
    page.select_option("#report-category", "dust")
    photos = [
        {"name": "现场.png", "mimeType": "image/png", "buffer": _photo()},
        {"name": "相机.png", "mimeType": "image/png", "buffer": _camera_photo()},  # scaled down in the browser
    ]
    page.set_input_files("#report-photo", files=photos)
    page.fill("#report-description", "巡查发现工地渣土未覆盖（离线上报）")
    _shot(page, "report")
    page.click("#report-form button[type=submit]")
    page.wait_for_selector("#queue-list li[data-kind=report][data-status=waiting]")
    assert page.locator("#queue-list li[data-status=waiting]").count() == 2
    _shot(page, "queue-offline")
    assert _counts() == (0, [])  # nothing reached the server without signal

    context.set_offline(False)  # the "online" event sends the queue
    page.wait_for_selector("#net[data-online='1']")
    page.wait_for_function("() => document.querySelectorAll('#queue-list li[data-status=sent]').length === 2")
    _shot(page, "queue-sent")

    # a retry of both items (as after a lost answer) stores nothing new
    page.evaluate(
        """() => new Promise((ok) => { const r = indexedDB.open('gisgrid-field', 1); r.onsuccess = () => {
             const t = r.result.transaction('queue', 'readwrite'), s = t.objectStore('queue');
             s.getAll().onsuccess = (e) => e.target.result.forEach((i) => { i.status = 'waiting'; s.put(i); });
             t.oncomplete = ok; }; })"""
    )
    page.click("nav.tabs button[data-go=queue]")
    page.click("#queue-sync")
    page.wait_for_function("() => document.querySelectorAll('#queue-list li[data-status=sent]').length === 2")
    tracks, cases = _counts()
    assert tracks == 1 and len(cases) == 1
    assert _track_points() == recorded  # every fix, across the reload, in the one track (none was a jump)
    channel, chain, request_id = cases[0]
    assert channel == "patrol" and chain[-1] == GRID and request_id
    assert _stored_photos(media) == [("JPEG", 1600), ("PNG", 64)]  # the camera photo at most 1600 px, as JPEG

    page.click("nav.tabs button[data-go=inbox]")
    page.wait_for_selector("#contacts .card")
    _shot(page, "inbox")
    assert [e for e in errors if not any(n in e for n in OFFLINE_NOISE)] == []
    context.close()


def test_an_offline_inspection_with_arrival_and_photo_opens_one_case(browser, field_server):
    base, lon, lat = field_server
    context, page, errors = _phone(browser, lon + 0.0001, lat)
    _open_app(page, base)
    page.click("nav.tabs button[data-go=inbox]")
    assert "从未检查 · 示例·府右街餐馆" in page.inner_text("#inbox-list")
    page.click("nav.tabs button[data-go=inspect]")
    context.set_offline(True)
    page.wait_for_selector("#net[data-online='0']")
    page.click("#source-list button[data-source='0']")
    assert "示例·王经理" in page.inner_text("#inspect-summary")
    page.click("#inspect-arrive")
    page.wait_for_function("() => document.getElementById('inspect-arrival').textContent.startsWith('已到达')")
    page.check("#inspect-checklist input[data-item='隔油池正常使用']")
    page.set_input_files("#inspect-photo", files=[{"name": "油烟.png", "mimeType": "image/png", "buffer": _photo()}])
    page.fill("#inspect-findings", "油烟净化设施未开启，油烟直排")
    page.check("#inspect-violation")
    page.select_option("#inspect-category", "dust")
    _shot(page, "inspect")
    page.click("#inspect-form button[type=submit]")
    page.wait_for_selector("#queue-list li[data-kind=inspection][data-status=waiting]")
    context.set_offline(False)
    page.wait_for_selector("#queue-list li[data-kind=inspection][data-status=sent]")

    from gisgrid.db import db
    from gisgrid.incidents.models import Incident
    from gisgrid.sources.models import Inspection

    with db.new_session() as session:
        (found,) = session.scalars(select(Inspection)).all()
        (case,) = session.scalars(select(Incident)).all()
        assert found.incident_id == case.id and case.channel == "inspection" and case.grid_codes[-1] == GRID
        assert found.checklist == {"油烟净化设施正常使用": False, "油烟净化设施定期清洗": False, "隔油池正常使用": True}
        assert abs(found.arrival_lon - (lon + 0.0001)) < 1e-9 and found.arrived_at is not None
    assert [e for e in errors if not any(n in e for n in OFFLINE_NOISE)] == []
    context.close()
