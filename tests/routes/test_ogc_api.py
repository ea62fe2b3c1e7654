"""OGC API – Features at /ogc over the Flask client: documents, paging, bbox, errors, public fields."""

from __future__ import annotations

import pytest

from tests import public_worlds, worlds


@pytest.fixture()
def world(session, tmp_path):
    return public_worlds.load(session, tmp_path)


def _rel(body, rel):
    return next((link["href"] for link in body["links"] if link["rel"] == rel), None)


def test_landing_conformance_collections(client, world):
    landing = client.get("/ogc").get_json()
    assert _rel(landing, "conformance").endswith("/ogc/conformance") and _rel(landing, "data").endswith(
        "/ogc/collections"
    )
    conf = client.get("/ogc/conformance").get_json()["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core" in conf
    colls = client.get("/ogc/collections").get_json()["collections"]
    assert [c["id"] for c in colls] == ["grids"]
    grids = client.get("/ogc/collections/grids?f=json").get_json()
    w, s, e, n = grids["extent"]["spatial"]["bbox"][0]
    assert (w, s) == pytest.approx(worlds.wgs84(0, 0), abs=1e-4) and e == pytest.approx(
        worlds.wgs84(4000, 0)[0], abs=1e-4
    )


def test_items_paging(client, world):
    first = client.get("/ogc/collections/grids/items?limit=3")
    assert first.mimetype == "application/geo+json"
    body = first.get_json()
    assert (body["numberMatched"], body["numberReturned"]) == (8, 3)
    assert [f["id"] for f in body["features"]] == ["A", "B", "A1"]
    assert _rel(body, "prev") is None
    codes, url = [], "/ogc/collections/grids/items?limit=3"
    while url:
        page = client.get(url.replace("http://localhost", "")).get_json()
        codes += [f["id"] for f in page["features"]]
        url = _rel(page, "next")
    assert codes == ["A", "B", "A1", "A2", "A1a", "A1b", "A2a", "A2b"]
    last = client.get("/ogc/collections/grids/items?limit=3&offset=6").get_json()
    # an offset is still read; the links it gets are keyset cursors (the key of its first feature)
    assert "before=3%3AA2a" in _rel(last, "prev") and _rel(last, "next") is None
    back = client.get(_rel(last, "prev").replace("http://localhost", "")).get_json()
    assert [f["id"] for f in back["features"]] == ["A2", "A1a", "A1b"]


def test_items_bbox_and_level(client, world):
    w, s = worlds.wgs84(1100, 100)
    e, n = worlds.wgs84(1200, 200)
    body = client.get(f"/ogc/collections/grids/items?bbox={w},{s},{e},{n}").get_json()
    assert {f["id"] for f in body["features"]} == {"A", "A2", "A2a"}
    level = client.get(f"/ogc/collections/grids/items?bbox={w},{s},{e},{n}&level=3&limit=1").get_json()
    assert [f["id"] for f in level["features"]] == ["A2a"] and "level=3" in _rel(level, "self")


def test_item_and_public_fields(client, world):
    feature = client.get("/ogc/collections/grids/items/A1a").get_json()
    assert feature["type"] == "Feature" and feature["properties"]["name"] == "甲一镇东村"
    assert feature["geometry"]["type"] == "MultiPolygon"
    every = client.get("/ogc/collections/grids/items?limit=100")
    public_worlds.assert_no_private(every.data, "/ogc items")
    assert "199-0000-0001" in every.get_data(as_text=True)


@pytest.mark.parametrize(
    "query",
    [
        "limit=0",
        "limit=x",
        "offset=-1",
        "offset=1e99",
        "offset=99999999999999999999",
        "level=99999999999",
        "bbox=1,2,3",
        "bbox=3,2,1,0",
        "bbox=0,0,inf,1",
        "bbox=0,0,1,1&bbox-crs=http://example.com/crs",
        "ooga=booga",
        "crs=EPSG:9999",
        "f=xml",
        "datetime=2020-01-01/..",
        "filter-lang=ecql",
    ],
)
def test_bad_parameters_are_json_400(client, world, query):
    resp = client.get(f"/ogc/collections/grids/items?{query}", headers={"Accept": "text/html"})
    assert resp.status_code == 400 and resp.get_json()["error"]["code"] == "invalid_input"


@pytest.mark.parametrize(
    "path", ["", "/conformance", "/collections", "/collections/grids", "/collections/grids/queryables"]
)
def test_unknown_parameter_is_400_on_every_resource(client, world, path):
    resp = client.get(f"/ogc{path}?ooga=booga")
    assert resp.status_code == 400 and resp.get_json()["error"]["message"].startswith("ooga:")


def test_unknown_item_is_json_404(client, world):
    resp = client.get("/ogc/collections/grids/items/NOPE")
    assert resp.status_code == 404 and "error" in resp.get_json()
