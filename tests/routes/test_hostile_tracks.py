"""Hostile patrol tracks: malformed GPX and phone-API bodies get a clear 4xx and store nothing."""

from __future__ import annotations

import io
import json

import pytest

from gisgrid.patrols import tracks
from gisgrid.patrols.models import PatrolTrack
from tests.helpers import login
from tests.routes.test_patrol_routes import gpx, walk_points

NS = 'xmlns="http://www.topografix.com/GPX/1/1"'


def _gpx(body: str, ns: str = NS, root: str = "gpx") -> bytes:
    return f'<?xml version="1.0"?><{root} version="1.1" {ns}>{body}</{root}>'.encode()


def _pts(*rows) -> str:
    return (
        "<trk><trkseg>"
        + "".join(f'<trkpt lat="{lat}" lon="{lon}"><time>{t}</time></trkpt>' for lat, lon, t in rows)
        + "</trkseg></trk>"
    )


T1, T2 = "2026-11-01T01:00:00Z", "2026-11-01T01:00:20Z"
HOSTILE_GPX = {
    "empty": (b"", "无法解析"),
    "binary": (b"\x00\xff\xfe garbage", "无法解析"),
    "json renamed .gpx": (b'{"type": "Feature"}', "无法解析"),
    "billion laughs": (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;">]><gpx>&lol2;</gpx>',
        "无法解析",
    ),
    "external entity": (
        b'<?xml version="1.0"?><!DOCTYPE gpx [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b"<gpx><trk><name>&x;</name></trk></gpx>",
        "无法解析",
    ),
    "unknown encoding": (b'<?xml version="1.0" encoding="x-nonsense"?><gpx/>', "无法解析"),
    "truncated": (gpx(walk_points(100, 400))[:-30], "无法解析"),
    "broken attribute": (_gpx('<trk><trkseg><trkpt lat="39.9 lon="116"/></trkseg></trk>'), "无法解析"),
    "KML root": (_gpx("", 'xmlns="http://www.opengis.net/kml/2.2"', "kml"), "不是 GPX"),
    "no points": (_gpx("<trk><trkseg></trkseg></trk>"), "不足 2 个"),
    "NaN and infinity": (_gpx(_pts(("NaN", "NaN", T1), ("inf", "-inf", T2))), "不足 2 个"),
    "off the globe": (_gpx(_pts((91, 181, T1), (-91, 500, T2))), "不足 2 个"),
    "no times": (_gpx(_pts((39.9, 116.4, ""), (39.901, 116.4, ""))), "不足 2 个"),
    "year 1": (
        _gpx(_pts((39.9, 116.4, "0001-01-01T00:00:00+14:00"), (39.901, 116.4, "0001-01-01T00:01:00+14:00"))),
        "不足 2 个",
    ),
    "year 9999": (
        _gpx(_pts((39.9, 116.4, "9999-12-31T23:59:00-12:00"), (39.901, 116.4, "9999-12-31T23:59:59-12:00"))),
        "不足 2 个",
    ),
    "50,000 nested elements": (_gpx("<a>" * 50_000 + "</a>" * 50_000), "不足 2 个"),
}


@pytest.fixture()
def walker(client, world_ab, make_user):
    make_user("grid_staff", grids=["A"], username="walker")
    return login(client, "walker")


def _upload(client, token, data, name="x.gpx"):
    return client.post(
        "/patrols/upload",
        data={"csrf_token": token, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
        headers={"Accept": "application/json"},
    )


@pytest.mark.parametrize("name", list(HOSTILE_GPX))
def test_hostile_gpx_is_refused_and_stores_nothing(client, walker, session, name):
    data, message = HOSTILE_GPX[name]
    resp = _upload(client, walker, data)
    assert resp.status_code == 400 and message in resp.get_json()["error"]["message"], resp.get_data(as_text=True)
    assert session.query(PatrolTrack).count() == 0


def test_a_gpx_in_another_namespace_or_none_is_read_by_element_name(client, walker, session):
    """Exporters write GPX 1.0, 1.1 or no namespace at all: the element names decide, not the namespace."""
    body = gpx(walk_points(100, 400)).decode()
    for ns in ('xmlns="http://www.topografix.com/GPX/1/0"', ""):
        assert _upload(client, walker, body.replace(NS, ns).encode()).status_code == 302
    assert session.query(PatrolTrack).count() == 2


def test_oversize_track_file_is_refused_before_parsing(client, walker, session, monkeypatch):
    monkeypatch.setattr(tracks, "MAX_FILE_BYTES", 1024)
    resp = _upload(client, walker, gpx(walk_points(100, 400)))
    assert resp.status_code == 413 and "上限" in resp.get_json()["error"]["message"]
    assert session.query(PatrolTrack).count() == 0


def test_too_many_points_are_refused(client, walker, session, monkeypatch):
    monkeypatch.setattr(tracks, "MAX_POINTS", 10)
    resp = _upload(client, walker, gpx(walk_points(100, 400)))
    assert resp.status_code == 400 and "轨迹点过多" in resp.get_json()["error"]["message"]
    assert session.query(PatrolTrack).count() == 0


POINT = {"lon": 116.4, "lat": 39.9, "t": T1}
HOSTILE_BODIES = [
    [],
    "points",
    {"points": "many"},
    {"points": None},
    {"points": [1, "x", None, [], True]},
    {"points": [{"lon": True, "lat": False, "t": T1}, {"lon": "116", "lat": {}, "t": T2}]},
    {"points": [{"lon": "NaN", "lat": "Infinity", "t": T1}] * 3},
    {"points": [POINT, dict(POINT, t=T2)], "crs": "mars"},
    {"points": [POINT, dict(POINT, t=T2)], "crs": ["wgs84"]},
    {"points": [dict(POINT, t=10**30), dict(POINT, t=-(10**30))]},
    {"points": [dict(POINT, t="yesterday"), dict(POINT, t={"$gt": 0})]},
]


@pytest.mark.parametrize("body", HOSTILE_BODIES, ids=[json.dumps(b)[:40] for b in HOSTILE_BODIES])
def test_hostile_phone_bodies_are_refused_and_store_nothing(client, walker, session, body):
    token = client.get("/api/v1/patrols/csrf").get_json()["csrf_token"]
    resp = client.post("/api/v1/patrols/tracks", json=body, headers={"X-CSRFToken": token})
    assert resp.status_code == 400, resp.get_data(as_text=True)
    assert resp.get_json()["error"]["message"]
    assert session.query(PatrolTrack).count() == 0
