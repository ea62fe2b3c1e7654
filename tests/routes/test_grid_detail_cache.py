"""The grid detail is built once per boundary version: ETag per version/code/CRS, 304 on If-None-Match,
a new ETag and new content after a publication, the old version's still answered with ?at=."""

from __future__ import annotations

import json

import geopandas as gpd

from gisgrid.grids import service as grid_service
from gisgrid.public_map import detail_cache
from gisgrid.public_map import service as public_service
from tests import worlds


def _publish_renamed(session, tmp_path):
    rows = [{**row, "name": row["name"] + "（新）"} if row["code"] == "A1a" else row for row in worlds.world_ab_rows()]
    path = worlds.write(gpd.GeoDataFrame(rows, geometry="geometry", crs=worlds.PROJECTED), tmp_path / "v2.gpkg")
    return grid_service.import_file(session, path, publish=True)


def test_etag_and_304_per_version_code_and_crs(client, world_ab):
    first = client.get("/api/v1/grids/A1a")
    etag = first.headers["ETag"]
    assert first.status_code == 200 and etag and "max-age=60" in first.headers["Cache-Control"]
    again = client.get("/api/v1/grids/A1a", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == etag
    assert client.get("/api/v1/grids/A1a?crs=gcj02").headers["ETag"] != etag
    assert client.get("/api/v1/grids/A2").headers["ETag"] != etag


def test_the_cached_detail_equals_a_fresh_one(client, session, world_ab):
    detail_cache.clear()
    client.get("/api/v1/grids/A1a")  # fills the cache
    cached = client.get("/api/v1/grids/A1a").get_json()
    fresh = public_service.grid_detail(session, "A1a")
    assert cached == json.loads(json.dumps(fresh, ensure_ascii=False))  # the JSON clients get is the same
    assert [c["code"] for c in cached["chain"]] == ["A", "A1", "A1a"]


def test_a_publication_changes_etag_and_content(client, session, world_ab, tmp_path):
    old = client.get("/api/v1/grids/A1a")
    _publish_renamed(session, tmp_path)
    new = client.get("/api/v1/grids/A1a", headers={"If-None-Match": old.headers["ETag"]})
    assert new.status_code == 200 and new.headers["ETag"] != old.headers["ETag"]
    assert new.get_json()["grid"]["name"] == "甲一镇东村（新）"
    assert "甲一镇东村（新）" in client.get("/grids/A1a").get_data(as_text=True)  # the page shares the cache


def test_unknown_grid_is_404_not_cached_as_anything(client, world_ab):
    resp = client.get("/api/v1/grids/NOPE")
    assert resp.status_code == 404 and "ETag" not in resp.headers
