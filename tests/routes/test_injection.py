"""SQL, script and template injection through the text fields people type into: stored verbatim, shown escaped.

Every payload goes in through the real form or API, is read back unchanged (so no SQL was built from it),
and every page that shows it carries it HTML-escaped (the page scripts put user text in with
textContent or gisgrid.escapeHtml, reviewed by hand in gisgrid/static/js).
"""

from __future__ import annotations

import io

import pytest

from gisgrid.incidents.models import Incident
from gisgrid.sources.models import PollutionSource
from tests.helpers import PASSWORD, csrf_from
from tests.incident_support import As, _ok, _report
from tests.jurisdiction_world import line
from tests.worlds import wgs84

PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'; DROP TABLE incident; --",
    "' OR '1'='1",
    "{{7*7}}{% print 1 %}",
    "\\x00\\u202e反转",
]
RAW_MARKERS = ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>")


def _clean(html: str) -> None:
    for marker in RAW_MARKERS:
        assert marker not in html, f"unescaped {marker!r}"
    assert "{{7*7}}" not in html or "49" not in html.split("{{7*7}}")[0][-5:]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_report_description_is_stored_verbatim_and_shown_escaped(app, session, case_world, payload):
    body = _ok(_report(app.test_client(), description=payload + " 扬尘"), 201)
    case = session.get(Incident, body["id"])
    assert case.description == payload + " 扬尘"
    dispatcher = As(app, case_world["dispatcher"])
    assert _ok(dispatcher.get(f"/api/v1/incidents/{case.id}"))["description"] == payload + " 扬尘"
    for url in (f"/incidents/{case.id}", "/incidents", f"/report/status?id={case.id}"):
        resp = dispatcher.get(url)
        assert resp.status_code in (200, 400, 404)
        _clean(resp.get_data(as_text=True))
    assert session.query(Incident).count() >= 1  # the table is still there


@pytest.mark.parametrize("payload", PAYLOADS[:4])
def test_open311_description_and_the_public_list(app, session, case_world, payload):
    lon, lat = wgs84(100, 100)
    client = app.test_client()
    resp = client.post(
        "/open311/v2/requests.json", data={"service_code": "dust", "lat": lat, "long": lon, "description": payload}
    )
    assert resp.status_code == 201
    for fmt in ("json", "xml"):
        listing = client.get(f"/open311/v2/requests.{fmt}")
        assert listing.status_code == 200
        text = listing.get_data(as_text=True)
        if fmt == "xml":
            assert "<script>" not in text and "<img" not in text


@pytest.mark.parametrize("payload", PAYLOADS[:4])
def test_jurisdiction_event_title_and_source_name(app, session, case_world, make_user, payload):
    case = _ok(_report(app.test_client()), 201)["id"]
    staff = As(app, case_world["staff"])
    event = _ok(
        staff.put(f"/api/v1/incidents/{case}/jurisdiction", act=line((100, 100), (450, 100)), title=payload), 201
    )
    assert _ok(staff.get(f"/api/v1/jurisdiction/events/{event['id']}"))["title"] == payload
    for url in (f"/jurisdiction/events/{event['id']}", "/jurisdiction", f"/incidents/{case}/jurisdiction"):
        _clean(staff.get(url).get_data(as_text=True))
    admin = As(app, make_user("admin"))
    lon, lat = wgs84(100, 100)
    csv = f'code,name,kind,lon,lat,class\nX1,"{payload.replace(chr(34), chr(34) * 2)}",enterprise,{lon!r},{lat!r},A\n'
    resp = admin.client.post(
        "/sources/import",
        content_type="multipart/form-data",
        headers={"X-CSRFToken": admin.token, "Accept": "application/json"},
        data={"file": (io.BytesIO(csv.encode()), "s.csv")},
    )
    assert resp.status_code == 200, resp.get_data(as_text=True)
    source = session.query(PollutionSource).filter_by(code="X1").one()
    assert source.name == payload
    for url in (f"/sources/{source.id}", "/sources", "/sources/dashboard"):
        _clean(admin.get(url).get_data(as_text=True))


@pytest.mark.parametrize("payload", PAYLOADS)
def test_login_and_search_fields_take_any_text(client, make_user, payload):
    make_user("grid_staff", username="someone")
    token = csrf_from(client.get("/login").get_data(as_text=True))
    resp = client.post("/login", data={"username": payload, "password": payload or PASSWORD, "csrf_token": token})
    assert resp.status_code in (400, 401)
    _clean(resp.get_data(as_text=True))
    for url in (
        f"/api/v1/grids/search?q={payload}",
        f"/incidents?q={payload}",
        f"/grids/{payload}",
        f"/ogc/collections/grids/items?code={payload}",
    ):
        resp = client.get(url, headers={"Accept": "text/html"})
        assert resp.status_code < 500, url
        _clean(resp.get_data(as_text=True))
