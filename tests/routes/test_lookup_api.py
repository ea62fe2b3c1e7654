"""GET /api/v1/lookup over HTTP against a real PostGIS."""

import pytest

from gisgrid import coords
from tests import worlds


def codes(body):
    return [g["code"] for g in body["chain"]]


def get(client, **params):
    return client.get("/api/v1/lookup", query_string=params)


@pytest.mark.parametrize(
    "x,y,expected",
    [
        (100, 100, ["A", "A1", "A1a"]),
        (700, 900, ["A", "A1", "A1b"]),
        (1500, 500, ["A", "A2", "A2a"]),
        (300, 300, ["A", "A2", "A2b"]),  # inside A1's hole: the enclave/exclave of A2
        (3500, 500, ["B"]),  # a level-1 grid with no children
    ],
)
def test_point_resolves_to_expected_chain(client, world_ab, x, y, expected):
    lon, lat = worlds.wgs84(x, y)
    resp = get(client, lon=lon, lat=lat)
    assert resp.status_code == 200, resp.json
    assert codes(resp.json) == expected
    assert resp.json["grid"]["code"] == expected[-1]
    assert [g["level"] for g in resp.json["chain"]] == list(range(1, len(expected) + 1))


def test_half_metre_either_side_of_a_shared_edge_in_projected_crs(client, world_ab):
    west = get(client, x=worlds.X0 + 999.5, y=worlds.Y0 + 500, crs="EPSG:4528")
    east = get(client, x=worlds.X0 + 1000.5, y=worlds.Y0 + 500, crs="EPSG:4528")
    assert codes(west.json) == ["A", "A1", "A1b"]
    assert codes(east.json) == ["A", "A2", "A2a"]
    # both are within GPS error of the other side, and say so
    assert "A2a" in [g["code"] for g in west.json["near_boundary"]]
    near = {g["code"]: g["distance_m"] for g in east.json["near_boundary"]}
    assert near["A1b"] == pytest.approx(0.5, abs=0.1)


def test_point_exactly_on_an_edge_resolves_by_documented_rule(client, world_e):
    resp = get(client, lon=116.01, lat=39.005)
    assert resp.status_code == 200
    # covered by E1 and E2 (same level): the smaller code wins
    assert codes(resp.json) == ["E", "E1"]
    near = {g["code"]: g["distance_m"] for g in resp.json["near_boundary"]}
    assert near == {"E2": 0.0}


def test_far_from_any_edge_has_no_near_boundary(client, world_ab):
    lon, lat = worlds.wgs84(1500, 500)
    assert get(client, lon=lon, lat=lat).json["near_boundary"] == []
    wide = get(client, lon=lon, lat=lat, near=600).json["near_boundary"]
    assert {g["code"] for g in wide} == {"A1", "A1b"}


def test_outside_every_grid_is_404_json(client, world_ab):
    lon, lat = worlds.wgs84(2500, 500)
    resp = get(client, lon=lon, lat=lat)
    assert resp.status_code == 404
    assert resp.json["error"]["code"] == "not_found"


@pytest.mark.parametrize("crs,forward", [("gcj02", coords.wgs84_to_gcj02), ("bd09", coords.wgs84_to_bd09)])
def test_chinese_offset_datums(client, world_ab, crs, forward):
    # 50 m west of the A1b/A2a edge: the ~500 m datum offset would land in A2a if ignored
    lon, lat = worlds.wgs84(950, 500)
    x, y = (float(v) for v in forward(lon, lat))
    unconverted = get(client, lon=x, lat=y)  # the offset is large enough to matter
    assert unconverted.status_code == 404 or codes(unconverted.json)[-1] != "A1b"
    resp = get(client, lon=x, lat=y, crs=crs)
    assert codes(resp.json) == ["A", "A1", "A1b"]
    assert resp.json["query"]["lon"] == pytest.approx(lon, abs=1e-8)


def test_cgcs2000_is_accepted(client, world_ab):
    lon, lat = worlds.wgs84(100, 100)
    assert codes(get(client, lon=lon, lat=lat, crs="cgcs2000").json)[-1] == "A1a"


def test_only_public_contacts_are_returned(client, world_ab):
    lon, lat = worlds.wgs84(100, 100)
    leaf = get(client, lon=lon, lat=lat).json["grid"]
    assert leaf["leader"] == {"name": "示例·甲一镇东村负责人", "title": "主任", "phone": None}
    assert leaf["contact_phone"] == "010-5555-0003"
    assert leaf["staff"] == [
        {"name": "示例·网格员甲", "role": "网格员", "phone": "199-0000-0001"},
        {"name": "示例·监督员乙", "role": "监督员", "phone": None},
    ]
    assert leaf["sample_data"] is True


@pytest.mark.parametrize(
    "params,fragment",
    [
        ({}, "lon"),
        ({"lon": "116.3"}, "lat"),
        ({"lon": "abc", "lat": "39"}, "lon"),
        ({"lon": "116", "lat": "nan"}, "lat"),
        ({"lon": "116", "lat": "inf"}, "lat"),
        ({"lon": "200", "lat": "39"}, "lon"),
        ({"lon": "116", "lat": "-91"}, "lat"),
        ({"lon": "116", "lat": "39", "crs": "EPSG:999999"}, "crs"),
        ({"lon": "116", "lat": "39", "crs": "mars"}, "crs"),
        ({"x": "1", "crs": "EPSG:4528"}, "y"),
        ({"x": "1e300", "y": "1e300", "crs": "EPSG:4528"}, "outside"),
        ({"lon": "116", "lat": "39", "near": "-1"}, "near"),
        ({"lon": "116", "lat": "39", "near": "1e9"}, "near"),
    ],
)
def test_bad_input_is_400_with_a_reason(client, world_ab, params, fragment):
    resp = get(client, **params)
    assert resp.status_code == 400, resp.data
    assert resp.is_json
    assert fragment in resp.json["error"]["message"]


def test_no_published_version_is_404(client):
    resp = get(client, lon=116.0, lat=39.0)
    assert resp.status_code == 404
    assert "published" in resp.json["error"]["message"]


def test_database_down_is_503_json(database_url):
    from sqlalchemy import make_url

    from gisgrid import create_app

    dead = make_url(database_url).set(port=1).render_as_string(hide_password=False)
    resp = create_app({"DATABASE_URL": dead}).test_client().get("/api/v1/lookup?lon=116&lat=39")
    assert resp.status_code == 503
    assert resp.json["error"]["code"] == "database_unavailable"
