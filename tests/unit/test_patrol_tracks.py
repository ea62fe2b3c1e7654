"""Reading GPX (safely), GeoJSON and phone JSON points."""

from datetime import UTC, datetime

import pytest

from gisgrid.errors import InvalidInput
from gisgrid.patrols import tracks

GPX = """<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1">
  <trk><name>示例巡查</name><trkseg>
    <trkpt lat="39.9100" lon="116.3600"><time>2026-11-02T01:00:00Z</time></trkpt>
    <trkpt lat="39.9101" lon="116.3601"><time>2026-11-02T01:00:10Z</time></trkpt>
    <trkpt lat="39.9102" lon="116.3602"></trkpt>
  </trkseg></trk>
</gpx>""".encode()


def test_gpx_points_with_times():
    pts = tracks.from_gpx(GPX)
    assert pts[0] == (116.36, 39.91, datetime(2026, 11, 2, 1, 0, tzinfo=UTC))
    assert pts[2][2] is None and len(pts) == 3


@pytest.mark.parametrize(
    "data",
    [
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
        b"<gpx><trk><name>&lol2;</name></trk></gpx>",  # entity expansion
        b'<?xml version="1.0"?><!DOCTYPE gpx [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><gpx>&xxe;</gpx>',  # XXE
        b"<gpx><trk>",  # truncated
        b"<kml></kml>",  # not GPX
    ],
)
def test_hostile_or_broken_gpx_is_refused(data):
    with pytest.raises(InvalidInput):
        tracks.from_gpx(data)


def test_geojson_times_from_coord_times_or_fourth_coordinate():
    feature = (
        b'{"type": "Feature", "properties": {"coordTimes": ["2026-11-02T09:00:00+08:00", "2026-11-02T09:00:10+08:00"]},'
        b' "geometry": {"type": "LineString", "coordinates": [[116.36, 39.91], [116.3601, 39.9101]]}}'
    )
    pts = tracks.from_geojson(feature)
    assert pts[1][2] == datetime(2026, 11, 2, 1, 0, 10, tzinfo=UTC)
    multi = (
        b'{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}, "geometry":'
        b' {"type": "MultiLineString", "coordinates": [[[116.36, 39.91, 0, 1793581200]], [[116.37, 39.92, 0, 1793581210]]]}}]}'
    )
    assert [p[2].timestamp() for p in tracks.from_geojson(multi)] == [1793581200, 1793581210]
    with pytest.raises(InvalidInput):
        tracks.from_geojson(b'{"type": "Feature", "geometry": {"type": "Point", "coordinates": [1, 2]}}')
    with pytest.raises(InvalidInput):
        tracks.from_geojson(b"not json")


def test_phone_points_in_gcj02_are_converted():
    body = {"crs": "gcj02", "points": [{"lon": 116.3662, "lat": 39.9126, "t": 1793581200000}, {"lon": "x", "lat": 1}]}
    pts = tracks.from_json_points(body, body["crs"])
    assert abs(pts[0][0] - 116.3600) < 0.01 and pts[0][0] != 116.3662  # moved by the GCJ-02 offset
    assert pts[0][2] == datetime.fromtimestamp(1793581200, tz=UTC)
    assert pts[1][0] != pts[1][0]  # NaN: dropped later by cleaning
    with pytest.raises(InvalidInput):
        tracks.from_json_points({"points": []}, "EPSG:999999")
    with pytest.raises(InvalidInput):
        tracks.from_json_points([1, 2])
