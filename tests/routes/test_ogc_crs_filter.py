"""OGC API – Features Part 2 (crs, bbox-crs, Content-Crs, axis order) and Part 3 (queryables, CQL2 filters)."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest

from tests import public_worlds, worlds

EPSG = "http://www.opengis.net/def/crs/EPSG/0/"
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"


@pytest.fixture()
def world(session, tmp_path):
    return public_worlds.load(session, tmp_path)


def _items(client, query: str) -> dict:
    resp = client.get(f"/ogc/collections/grids/items?{query}")
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return resp


def _ids(client, query: str) -> list[str]:
    return [f["id"] for f in _items(client, query).get_json()["features"]]


def _corner(feature) -> tuple[float, float]:
    ring = feature["geometry"]["coordinates"][0][0]
    return min(p[0] for p in ring), min(p[1] for p in ring)


def test_default_is_crs84_lon_lat(client, world):
    resp = _items(client, "filter=code%3D'B'")
    assert resp.headers["Content-Crs"] == f"<{CRS84}>"
    lon, lat = _corner(resp.get_json()["features"][0])
    assert (lon, lat) == pytest.approx(worlds.wgs84(3000, 0), abs=1e-4)


@pytest.mark.parametrize("code", [4326, 4490])
def test_geographic_epsg_crs_is_lat_lon(client, world, code):
    resp = _items(client, f"filter=code%3D'B'&crs={EPSG}{code}")
    assert resp.headers["Content-Crs"] == f"<{EPSG}{code}>"
    first, second = _corner(resp.get_json()["features"][0])
    lon, lat = worlds.wgs84(3000, 0)
    assert (first, second) == pytest.approx((lat, lon), abs=1e-4)  # CGCS2000 ≈ WGS 84 within centimetres


def test_gauss_kruger_zone_gives_the_source_metres_northing_first(client, world):
    # the test world is drawn in EPSG:4528 (zone 40): the served coordinates are the drawn ones
    resp = _items(client, f"filter=code%3D'B'&crs={EPSG}4528")
    north, east = _corner(resp.get_json()["features"][0])
    assert (east, north) == pytest.approx((worlds.X0 + 3000, worlds.Y0), abs=0.01)
    item = client.get("/ogc/collections/grids/items/B?crs=EPSG:4528")
    assert item.headers["Content-Crs"] == f"<{EPSG}4528>"


def test_bbox_crs_in_each_axis_order(client, world):
    w, s = worlds.wgs84(3100, 100)
    e, n = worlds.wgs84(3200, 200)
    assert _ids(client, f"bbox={w},{s},{e},{n}") == ["B"]
    assert _ids(client, f"bbox={s},{w},{n},{e}&bbox-crs={EPSG}4490") == ["B"]
    x0, y0 = worlds.X0, worlds.Y0
    box = f"{y0 + 100},{x0 + 3100},{y0 + 200},{x0 + 3200}"  # northing, easting
    assert _ids(client, f"bbox={box}&bbox-crs={EPSG}4528") == ["B"]


@pytest.mark.parametrize(
    "query",
    ["bbox=0,0,1e12,1e12&bbox-crs=EPSG:4528", "bbox=100,200,101,201&bbox-crs=EPSG:4490", "crs=EPSG:3857"],
)
def test_out_of_domain_or_unsupported_crs_is_400(client, world, query):
    resp = client.get(f"/ogc/collections/grids/items?{query}")
    assert resp.status_code == 400 and resp.get_json()["error"]["code"] == "invalid_input"


def test_collection_lists_the_crs(client, world):
    body = client.get("/ogc/collections/grids").get_json()
    assert body["crs"][0] == CRS84 and f"{EPSG}4490" in body["crs"] and f"{EPSG}4554" in body["crs"]
    assert len([c for c in body["crs"] if c.startswith(EPSG + "45")]) == 42 and body["storageCrs"] == CRS84


def test_queryables_are_the_public_fields(client, world):
    body = client.get("/ogc/collections/grids/queryables")
    assert body.mimetype == "application/schema+json"
    props = body.get_json()["properties"]
    assert props["level"]["type"] == "integer" and props["name"]["title"] == "网格名称"
    assert "geometry" in props
    assert "leader_phone_public" not in props and "contact_phone_public" not in props


@pytest.mark.parametrize(
    "cql,expected",
    [
        ("level = 3", ["A1a", "A1b", "A2a", "A2b"]),
        ("level = 2 OR code = 'B'", ["B", "A1", "A2"]),
        ("level >= 2 AND NOT (code IN ('A1', 'A2a'))", ["A2", "A1a", "A1b", "A2b"]),
        ("name LIKE '甲二镇%'", ["A2", "A2a", "A2b"]),
        ("code LIKE 'A_'", ["A1", "A2"]),
        ("parent_code IS NULL", ["A", "B"]),
        ("level BETWEEN 2 AND 2", ["A1", "A2"]),
        ("CASEI(code) = casei('a1a')", ["A1a"]),
    ],
)
def test_cql2_text(client, world, cql, expected):
    assert _ids(client, f"filter={quote(cql)}&filter-lang=cql2-text") == expected


def test_cql2_spatial_predicates_in_filter_crs(client, world):
    lon, lat = worlds.wgs84(300, 300)  # inside A2b (the exclave), in the hole of A1a
    hits = _ids(client, "filter=" + quote(f"S_INTERSECTS(geometry, POINT({lon} {lat}))"))
    assert hits == ["A", "A2", "A2b"]
    x, y = worlds.X0 + 300, worlds.Y0 + 300
    in_zone = f"filter={quote(f'S_CONTAINS(geometry, POINT({y} {x}))')}&filter-crs=EPSG:4528"
    assert _ids(client, in_zone) == ["A", "A2", "A2b"]
    w, s = worlds.wgs84(-10, -10)
    e, n = worlds.wgs84(1010, 1010)
    assert _ids(client, "filter=" + quote(f"S_WITHIN(geometry, BBOX({w},{s},{e},{n}))")) == [
        "A1",
        "A1a",
        "A1b",
        "A2b",
    ]


def test_cql2_json(client, world):
    expr = {
        "op": "and",
        "args": [
            {"op": "=", "args": [{"property": "level"}, 3]},
            {"op": "like", "args": [{"property": "name"}, "%飞地%"]},
        ],
    }
    assert _ids(client, f"filter={quote(json.dumps(expr))}&filter-lang=cql2-json") == ["A2b"]


def test_private_phone_cannot_be_matched(client, world):
    # A1a's contact phone is private: the view hides it, so a filter on it finds nothing
    assert _ids(client, "filter=" + quote("contact_phone = '138-0013-8000'")) == []
    assert _ids(client, "filter=" + quote("leader_phone = '010-6666-0002'")) == ["A2"]


@pytest.mark.parametrize(
    "cql,needle",
    [
        ("level = = 3", "column 9"),
        ("nosuch = 1", "nosuch"),
        ("leader_phone_public = true", "leader_phone_public"),
        ("level = 'x'", "类型"),
        ("S_INTERSECTS(name, POINT(1 2))", "geometry"),
        ("S_INTERSECTS(geometry, POINT(500 500))", "filter"),
        ("code = 'A'; DROP TABLE grid", "filter"),
    ],
)
def test_bad_filters_are_400_naming_the_problem(client, world, cql, needle):
    resp = client.get(f"/ogc/collections/grids/items?filter={quote(cql)}")
    assert resp.status_code == 400, resp.get_data(as_text=True)
    assert needle in resp.get_json()["error"]["message"]


def test_bad_cql2_json_is_400(client, world):
    for text in ("{", '{"op": "bogus", "args": []}', "[1, 2]"):
        resp = client.get(f"/ogc/collections/grids/items?filter={quote(text)}&filter-lang=cql2-json")
        assert resp.status_code == 400
