"""Vector tiles: decoded with GDAL's MVT driver; levels per zoom, GCJ-02 offset, caching, invalidation."""

from __future__ import annotations

import math

import pyogrio
import pytest
import shapely

from gisgrid import coords
from gisgrid.grids import versions as grid_versions
from gisgrid.public_map import tiles
from tests import public_worlds, worlds


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 1 << z
    y = (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n
    return int((lon + 180) / 360 * n), int(y)


def decode(body: bytes, z: int, x: int, y: int, tmp_path):
    """Features of a tile in WGS84 (GDAL reads z/x/y from the path)."""
    path = tmp_path / f"{z}/{x}/{y}.pbf"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(body)
    return pyogrio.read_dataframe(str(path), layer="grids").to_crs("EPSG:4326")


def enclosing_tile(geom, max_zoom: int = 16) -> tuple[int, int, int]:
    """The deepest tile (z, x, y) that holds all of ``geom``, so nothing is clipped."""
    w, s, e, n = geom.bounds
    for z in range(max_zoom, 0, -1):
        (x0, y0), (x1, y1) = tile_of(w, n, z), tile_of(e, s, z)
        if (x0, y0) == (x1, y1):
            return z, x0, y0
    raise AssertionError("no enclosing tile")


@pytest.fixture()
def world(session, tmp_path):
    return public_worlds.load(session, tmp_path)


def test_tile_levels_follow_zoom_and_choice(client, world, tmp_path):
    lon, lat = worlds.wgs84(1000, 500)
    z = 15
    x, y = tile_of(lon, lat, z)
    auto = client.get(f"/tiles/{z}/{x}/{y}.pbf")
    assert auto.status_code == 200 and auto.mimetype == "application/vnd.mapbox-vector-tile"
    frame = decode(auto.data, z, x, y, tmp_path / "auto")
    assert set(frame["level"]) == {3} and {"A1b", "A2a"} <= set(frame["code"])
    assert set(frame.columns) - {"mvt_id"} == {"code", "name", "level", "geometry"}  # no contact fields in tiles
    top = decode(client.get(f"/tiles/{z}/{x}/{y}.pbf?level=1").data, z, x, y, tmp_path / "top")
    assert list(top["code"]) == ["A"]
    zx, zy = tile_of(lon, lat, 6)  # 1 km grids are sub-pixel at zoom 6: only the top level, then nothing
    assert client.get(f"/tiles/6/{zx}/{zy}.pbf?level=3").data == b""


def test_tile_geometry_matches_the_grid(client, world, tmp_path):
    a2a = shapely.box(*worlds.wgs84(1000, 0), *worlds.wgs84(2000, 1000))
    z, x, y = enclosing_tile(a2a.buffer(0.001))
    frame = decode(client.get(f"/tiles/{z}/{x}/{y}.pbf?level=3").data, z, x, y, tmp_path).set_index("code")
    got = frame.loc["A2a", "geometry"]
    assert got.symmetric_difference(a2a).area / a2a.area < 0.01  # quantised to 4096 units per tile


def test_gcj02_tiles_are_offset_vertex_by_vertex(client, world, tmp_path):
    b = shapely.box(*worlds.wgs84(3000, 0), *worlds.wgs84(4000, 1000)).buffer(0.001)  # grid B
    shifted_b = shapely.transform(
        b, lambda xy: shapely.get_coordinates(shapely.points(*coords.wgs84_to_gcj02(xy[:, 0], xy[:, 1])))
    )
    z, x, y = enclosing_tile(shapely.union(b, shifted_b))
    plain = decode(client.get(f"/tiles/{z}/{x}/{y}.pbf?level=1").data, z, x, y, tmp_path / "w").set_index("code")
    shifted = decode(client.get(f"/tiles/{z}/{x}/{y}.pbf?level=1&crs=gcj02").data, z, x, y, tmp_path / "g").set_index(
        "code"
    )
    w, s, *_ = plain.loc["B"].geometry.bounds
    gw, gs, *_ = shifted.loc["B"].geometry.bounds
    ew, es = coords.wgs84_to_gcj02(w, s)
    tile_unit = 360 / (1 << z) / 4096
    assert gw == pytest.approx(float(ew), abs=2 * tile_unit) and gs == pytest.approx(float(es), abs=2 * tile_unit)
    east_m = (gw - w) * 111_320 * math.cos(math.radians(s))
    assert 300 < east_m < 800  # several hundred metres: the offset AMap-style base maps need


def test_etag_304_and_cache_control(client, world):
    lon, lat = worlds.wgs84(1000, 500)
    x, y = tile_of(lon, lat, 14)
    first = client.get(f"/tiles/14/{x}/{y}.pbf")
    assert first.headers["ETag"] and "max-age" in first.headers["Cache-Control"]
    again = client.get(f"/tiles/14/{x}/{y}.pbf", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    history = client.get(f"/tiles/14/{x}/{y}.pbf?at=2099-01-01")
    assert history.headers["Cache-Control"] == "public, max-age=86400"


def test_publication_invalidates_cached_tiles(client, session, world, tmp_path):
    lon, lat = worlds.wgs84(3500, 500)
    x, y = tile_of(lon, lat, 14)
    before = client.get(f"/tiles/14/{x}/{y}.pbf?level=1")
    assert before.data
    frame = public_worlds.frame()
    frame.loc[frame["code"] == "B", "name"] = "乙县（新边界）"
    from gisgrid.grids import service

    service.import_file(session, worlds.write(frame, tmp_path / "v2.gpkg"), publish=True)
    after = client.get(f"/tiles/14/{x}/{y}.pbf?level=1")
    assert after.headers["ETag"] != before.headers["ETag"]
    assert "乙县（新边界）".encode() in after.data and "乙县（新边界）".encode() not in before.data


def test_bad_tiles_are_400(client, world):
    assert client.get("/tiles/3/8/0.pbf").status_code == 400
    assert client.get("/tiles/23/0/0.pbf").status_code == 400
    assert client.get("/tiles/3/0/0.pbf?crs=bd09").status_code == 400
    assert client.get("/tiles/3/0/0.pbf?level=x").status_code == 400


def test_level_choice_per_zoom():
    sizes = [(1, 100, 100_000.0), (2, 2000, 22_000.0), (3, 97_900, 3_000.0)]
    assert [tiles.auto_level(sizes, z) for z in (3, 7, 9, 11, 14)] == [1, 2, 2, 3, 3]
    assert tiles.tile_bbox(0, 0, 0, buffer=0) == pytest.approx((-180, -85.0511, 180, 85.0511), abs=1e-4)


def test_prepared_low_zoom_tiles_match_on_the_fly_ones(client, session, world, tmp_path, monkeypatch):
    # this world's grids are ~1 km wide: too small for the real bands (zooms <= 8), so use a deeper one
    monkeypatch.setattr(tiles, "PREPARED_ZOOMS", (5, 12))
    b = shapely.box(*worlds.wgs84(0, 0), *worlds.wgs84(4000, 1000))
    z, x, y = enclosing_tile(b, max_zoom=12)
    url = f"/tiles/{z}/{x}/{y}.pbf?level=1"
    fly = decode(client.get(url).data, z, x, y, tmp_path / "fly").set_index("code")
    assert tiles.prepare(session, world.version_id) > 0
    assert tiles.generalised_ready(session, grid_versions.by_id(session, world.version_id), "wgs84")
    tiles.TILE_CACHE.clear()
    prepared = decode(client.get(url).data, z, x, y, tmp_path / "prep").set_index("code")
    assert sorted(prepared.index) == sorted(fly.index) == ["A", "B"]
    for code in ("A", "B"):
        a, p = fly.loc[code, "geometry"], prepared.loc[code, "geometry"]
        assert a.symmetric_difference(p).area <= 0.05 * a.area  # the same shape at this zoom
