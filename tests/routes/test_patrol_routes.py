"""Patrol uploads and the phone API over HTTP, and the coverage page/API."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta, timezone

from gisgrid.patrols.models import PatrolTrack
from tests import worlds
from tests.helpers import anonymous_token, assert_login_required, login

T0 = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=3)


def walk_points(x1, x2, y=500, n=50):
    return [(*worlds.wgs84(x1 + (x2 - x1) * i / n, y), T0 + timedelta(seconds=20 * i)) for i in range(n + 1)]


def gpx(points):
    pts = "".join(f'<trkpt lat="{lat!r}" lon="{lon!r}"><time>{t.isoformat()}</time></trkpt>' for lon, lat, t in points)
    return f'<?xml version="1.0"?><gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg>{pts}</trkseg></trk></gpx>'.encode()


def test_phone_api_needs_login_role_and_csrf(client, world_ab, make_user, session):
    body = {"points": [{"lon": lon, "lat": lat, "t": t.isoformat()} for lon, lat, t in walk_points(3000, 4000)]}
    assert_login_required(
        client.post("/api/v1/patrols/tracks", json=body, headers={"X-CSRFToken": anonymous_token(client)})
    )
    make_user("grid_staff", grids=["B"], username="walker")
    login(client, "walker")
    assert client.post("/api/v1/patrols/tracks", json=body).status_code == 400  # no CSRF token
    token = client.get("/api/v1/patrols/csrf").json["csrf_token"]
    noisy = dict(body, points=body["points"][:10] + [body["points"][9]] + body["points"][10:])
    resp = client.post("/api/v1/patrols/tracks", json=noisy, headers={"X-CSRFToken": token})
    assert resp.status_code == 201, resp.json
    assert resp.json["cleaning"]["duplicates"] == 1 and resp.json["points"] == 51
    assert 990 < resp.json["length_m"] < 1010
    bad = client.post("/api/v1/patrols/tracks", json={"points": [{"lon": 1}]}, headers={"X-CSRFToken": token})
    assert bad.status_code == 400 and session.query(PatrolTrack).count() == 1


def test_gpx_and_geojson_uploads(client, world_ab, make_user, session):
    make_user("grid_staff", grids=["A"], username="walker")
    token = login(client, "walker")
    pts = walk_points(1000, 2000)
    spiked = pts[:20] + [(pts[20][0] + 0.05, pts[20][1], pts[20][2] - timedelta(seconds=5))] + pts[20:]
    resp = client.post(
        "/patrols/upload",
        data={"csrf_token": token, "file": (io.BytesIO(gpx(spiked)), "walk.gpx")},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 302
    track = session.query(PatrolTrack).one()
    assert track.cleaning["jumps"] == 1 and track.cleaning["kept"] == 51 and track.origin == "gpx"
    feature = {
        "type": "Feature",
        "properties": {"coordTimes": [t.isoformat() for _, _, t in pts]},
        "geometry": {"type": "LineString", "coordinates": [[lon, lat] for lon, lat, _ in pts]},
    }
    resp = client.post(
        "/patrols/upload",
        content_type="multipart/form-data",
        data={"csrf_token": token, "file": (io.BytesIO(json.dumps(feature).encode()), "walk.geojson")},
    )
    assert resp.status_code == 302 and session.query(PatrolTrack).count() == 2
    resp = client.post(
        "/patrols/upload",
        content_type="multipart/form-data",
        headers={"Accept": "application/json"},
        data={"csrf_token": token, "file": (io.BytesIO(b"<gpx/>"), "x.kml")},
    )
    assert resp.status_code == 400


def test_coverage_api_and_page(client, world_ab, make_user, session):
    from gisgrid.patrols import service

    staff = make_user("grid_staff", grids=["B"], username="walker")
    service.save_track(session, staff, walk_points(2900, 4100), "api")
    login(client, "walker")
    today = T0.astimezone(timezone(timedelta(hours=8))).date().isoformat()  # the track's day in China
    body = client.get(f"/api/v1/patrols/coverage?since={today}&until={today}&distance=100").json
    assert [(g["code"], round(g["share"], 2)) for g in body["grids"]] == [("B", 0.2)]
    assert body["never_patrolled"] == [] and body["layers"]["tracks"]["features"]
    page = client.get(f"/patrols/coverage?since={today}&until={today}").get_data(as_text=True)
    assert "20.0%" in page
    assert client.get("/api/v1/patrols/coverage?distance=abc").status_code == 400
    assert client.get("/api/v1/patrols/coverage?distance=nan").status_code == 400
    assert client.get("/api/v1/patrols/coverage?since=2026-02-01&until=2026-01-01").status_code == 400
