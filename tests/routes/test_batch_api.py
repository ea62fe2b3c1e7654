"""POST /api/v1/lookup/batch: CSV and GeoJSON, streamed, same answers as single lookups."""

import csv
import io
import json

import numpy as np
import pytest

from gisgrid import coords
from tests import worlds


def post_csv(client, text, **params):
    return client.post("/api/v1/lookup/batch", data=text.encode("utf-8"), content_type="text/csv", query_string=params)


def rows(resp):
    return list(csv.DictReader(io.StringIO(resp.get_data(as_text=True))))


def test_csv_rows_get_their_smallest_grid(client, world_ab):
    points = [(100, 100), (300, 300), (1500, 500), (2500, 500), (3500, 500)]
    lines = ["id,lon,lat"] + [
        f"p{i},{lon!r},{lat!r}" for i, (lon, lat) in enumerate(worlds.wgs84(x, y) for x, y in points)
    ]
    resp = post_csv(client, "\n".join(lines) + "\n")
    assert resp.status_code == 200
    assert resp.mimetype == "text/csv"
    out = rows(resp)
    assert [r["id"] for r in out] == ["p0", "p1", "p2", "p3", "p4"]
    assert [r["grid_code"] for r in out] == ["A1a", "A2b", "A2a", "", "B"]
    assert out[3]["error"].startswith("不在任何网格内")
    assert out[0]["grid_level"] == "3"


def test_bad_rows_get_an_error_column_not_a_failure(client, world_ab):
    lon, lat = worlds.wgs84(100, 100)
    resp = post_csv(client, f"lon,lat\nabc,1\n{lon},{lat}\n500,10\n,\n")
    out = rows(resp)
    assert resp.status_code == 200
    assert [bool(r["error"]) for r in out] == [True, False, True, True]
    assert out[1]["grid_code"] == "A1a"


def test_csv_in_gcj02(client, world_ab):
    lon, lat = worlds.wgs84(950, 500)
    glon, glat = (float(v) for v in coords.wgs84_to_gcj02(lon, lat))
    out = rows(post_csv(client, f"lon,lat\n{glon!r},{glat!r}\n", crs="gcj02"))
    assert out[0]["grid_code"] == "A1b"


@pytest.mark.parametrize("body,status", [("", 400), ("a,b\n1,2\n", 400)])
def test_unusable_csv_is_400(client, world_ab, body, status):
    resp = post_csv(client, body)
    assert resp.status_code == status
    assert resp.json["error"]["message"]


def test_unknown_crs_is_400(client, world_ab):
    lon, lat = worlds.wgs84(1500, 500)
    resp = post_csv(client, f"lon,lat\n{lon},{lat}\n", crs="nope")
    assert resp.status_code == 400
    err = resp.json["error"]
    assert err["code"] == "invalid_input" and "crs" in err["message"] and "'nope'" in err["message"]
    assert rows(post_csv(client, f"lon,lat\n{lon},{lat}\n", crs="wgs84"))[0]["grid_code"] == "A2a"  # the same body


def test_geojson_points(client, world_ab):
    lon, lat = worlds.wgs84(1500, 500)
    fc = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]}, "properties": {"n": 1}},
            {"type": "Feature", "geometry": {"type": "LineString", "coordinates": [[0, 0], [1, 1]]}, "properties": {}},
        ],
    }
    resp = client.post("/api/v1/lookup/batch", json=fc)
    assert resp.status_code == 200
    out = json.loads(resp.get_data(as_text=True))
    assert out["features"][0]["properties"] == {
        "n": 1,
        "grid_code": "A2a",
        "grid_name": "甲二镇本村",
        "grid_level": 3,
        "error": None,
    }
    assert "Point" in out["features"][1]["properties"]["error"]


@pytest.mark.parametrize("body", ["{not json", "[1, 2]", '{"type": "Point", "coordinates": [1, 2]}'])
def test_not_geojson_is_400(client, world_ab, body):
    resp = client.post("/api/v1/lookup/batch", data=body, content_type="application/json")
    assert resp.status_code == 400
    err = resp.json["error"]
    assert err["code"] == "invalid_input" and "GeoJSON" in err["message"]


def test_batch_agrees_with_single_lookups_including_edges(client, world_ab, world_e):
    rng = np.random.default_rng(1)
    xs, ys = rng.uniform(-100, 4100, 150), rng.uniform(-100, 1100, 150)
    pts = [worlds.wgs84(x, y) for x, y in zip(xs, ys)] + [(116.01, 39.005), (116.0, 39.0), (116.02, 39.01)]
    body = "lon,lat\n" + "".join(f"{lon!r},{lat!r}\n" for lon, lat in pts)
    batch = [r["grid_code"] or None for r in rows(post_csv(client, body))]
    single = []
    for lon, lat in pts:
        resp = client.get("/api/v1/lookup", query_string={"lon": repr(lon), "lat": repr(lat)})
        single.append(resp.json["grid"]["code"] if resp.status_code == 200 else None)
    assert batch == single
    assert batch[-3] == "E1"
