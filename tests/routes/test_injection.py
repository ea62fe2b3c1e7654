"""SQL, script and template injection through the text fields people type into: stored verbatim, shown escaped.

Every payload goes in through the real form or API, is read back unchanged (so no SQL was built from it),
and every page that shows it carries it HTML-escaped (the page scripts put user text in with
textContent or gisgrid.escapeHtml, reviewed by hand in gisgrid/static/js).
"""

from __future__ import annotations

import io
from urllib.parse import quote

import pytest
from markupsafe import escape

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
        assert resp.status_code == 200, url
        _clean(resp.get_data(as_text=True))
    detail = dispatcher.get(f"/incidents/{case.id}").get_data(as_text=True)
    assert str(escape(payload + " 扬尘")) in detail  # shown, and shown escaped
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
def test_login_and_search_fields_take_any_text(app, client, case_world, make_user, payload):
    make_user("grid_staff", username="someone")
    token = csrf_from(client.get("/login").get_data(as_text=True))
    resp = client.post("/login", data={"username": payload, "password": payload or PASSWORD, "csrf_token": token})
    assert resp.status_code in (400, 401)
    _clean(resp.get_data(as_text=True))
    assert client.get("/api/v1/me").get_json() == {"user": None}
    # matched as text, never as SQL: "' OR '1'='1" finds nothing, while real names are still found
    found = client.get("/api/v1/grids/search", query_string={"q": payload})
    assert found.status_code == 200 and found.get_json()["results"] == []
    assert client.get("/api/v1/grids/search", query_string={"q": "甲一镇"}).get_json()["results"]
    feature = client.get(f"/ogc/collections/grids/items/{quote(payload, safe='')}")
    assert feature.status_code == 404 and feature.get_json()["error"]["code"] == "not_found"
    page = client.get(f"/grids/{quote(payload, safe='')}", headers={"Accept": "text/html"})
    assert page.status_code == 404
    _clean(page.get_data(as_text=True))
    dispatcher = As(app, case_world["dispatcher"])
    listing = dispatcher.client.get("/incidents", query_string={"q": payload}, headers={"Accept": "text/html"})
    assert listing.status_code == 200
    _clean(listing.get_data(as_text=True))
