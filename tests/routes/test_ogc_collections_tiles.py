"""/ogc collections beyond the grids (重点监管单元网格) and OGC API – Tiles: tile sets, WebMercatorQuad, TileJSON, MVT."""

from __future__ import annotations

import pytest

from tests import public_worlds, unit_grid_world, worlds

MVT = "application/vnd.mapbox-vector-tile"


@pytest.fixture()
def unit_world(session, tmp_path):
    return unit_grid_world.import_world(session, tmp_path)


@pytest.fixture()
def world(session, tmp_path):
    return public_worlds.load(session, tmp_path)


def test_unit_grids_are_a_collection_with_private_phones_hidden(client, unit_world):
    ids = [c["id"] for c in client.get("/ogc/collections").get_json()["collections"]]
    assert ids == ["grids", "unit-grids"]
    body = client.get("/ogc/collections/unit-grids/items").get_json()
    assert [f["id"] for f in body["features"]] == ["A-U2", "A1-U1"] and body["numberMatched"] == 2
    text = client.get("/ogc/collections/unit-grids/items?f=json").get_data(as_text=True)
    assert "199-1111-0001" not in text and "199-1111-0002" in text  # U2's contact phone is public
    assert "staff" not in body["features"][0]["properties"]
    filtered = client.get("/ogc/collections/unit-grids/items?filter=parent_code%3D'A1'").get_json()
    assert [f["id"] for f in filtered["features"]] == ["A1-U1"]
    assert client.get("/ogc/collections/unit-grids/items/A1-U1").get_json()["properties"]["level"] == 2


def test_without_unit_grids_only_the_grids_are_listed(client, world):
    assert [c["id"] for c in client.get("/ogc/collections").get_json()["collections"]] == ["grids"]
    assert client.get("/ogc/collections/nosuch").status_code == 404
    assert client.get("/ogc/collections/nosuch/items").status_code == 404


def test_tile_discovery_chain(client, world):
    landing = client.get("/ogc").get_json()
    tiles_href = next(x["href"] for x in landing["links"] if x["rel"].endswith("tilesets-vector"))
    listing = client.get(tiles_href.replace("http://localhost", "")).get_json()
    tileset_href = listing["tilesets"][0]["links"][0]["href"]
    tileset = client.get(tileset_href.replace("http://localhost", "")).get_json()
    assert tileset["dataType"] == "vector" and tileset["tileMatrixSetURI"].endswith("WebMercatorQuad")
    template = next(x["href"] for x in tileset["links"] if x["rel"] == "item")
    assert template.endswith("/WebMercatorQuad/{tileMatrix}/{tileRow}/{tileCol}")
    tms = client.get("/ogc/tileMatrixSets/WebMercatorQuad").get_json()
    assert tms["tileMatrices"][0]["matrixWidth"] == 1 and len(tms["tileMatrices"]) == 23


def _tile_of(lon, lat, z):
    import math

    n = 1 << z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


def test_tilejson_and_tiles_serve_the_cached_mvt(client, world):
    doc = client.get("/ogc/collections/grids/tiles/WebMercatorQuad?f=tilejson").get_json()
    assert doc["tilejson"] == "3.0.0" and doc["vector_layers"][0]["id"] == "grids"
    lon, lat = worlds.wgs84(1500, 500)
    assert doc["bounds"][0] <= lon <= doc["bounds"][2]
    x, y = _tile_of(lon, lat, 14)
    url = doc["tiles"][0].replace("http://localhost", "").format(z=14, x=x, y=y)
    tile = client.get(url)
    assert tile.status_code == 200 and tile.mimetype == MVT and b"grids" in tile.data
    same = client.get(f"/tiles/14/{x}/{y}.pbf")
    assert same.data == tile.data  # the public map's tile, same cache
    assert client.get(url, headers={"If-None-Match": tile.headers["ETag"]}).status_code == 304
    assert client.get(f"/ogc/tiles/WebMercatorQuad/14/{y}/{x}").data == tile.data
    assert client.get("/ogc/collections/grids/tiles/WebMercatorQuad/2/0/0").status_code == 204  # no grids there


@pytest.mark.parametrize(
    "path,status",
    [
        ("/ogc/collections/grids/tiles/WorldCRS84Quad", 404),
        ("/ogc/collections/grids/tiles/WebMercatorQuad/3/8/0", 404),
        ("/ogc/collections/grids/tiles/WebMercatorQuad/23/0/0", 404),
        ("/ogc/collections/unit-grids/tiles", 404),
        ("/ogc/collections/grids/tiles/WebMercatorQuad/1/0/0?ooga=1", 400),
    ],
)
def test_bad_tile_requests(client, world, path, status):
    assert client.get(path).status_code == status
