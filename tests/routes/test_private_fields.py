"""No private grid field reaches a public output: APIs, pages and 公示牌, tiles, open data, OGC, labels, search, batch.

The canary world (tests/public_worlds.py) has a private leader phone, a private staff phone and a
private contact phone; this test also writes canaries into columns the registry does not list as
public at all (``extra``, ``edited_by``) and then reads every public output.
"""

from __future__ import annotations

import json

import pyogrio
import pytest
import shapely
from sqlalchemy import text

from gisgrid.grids import fields
from gisgrid.grids import service as grid_service
from tests import public_worlds, worlds
from tests.routes.test_tiles import decode, enclosing_tile

HIDDEN_VALUES = ("隐藏字段金丝雀", "editor-canary")  # written into grid.extra and grid.edited_by
CANARIES = (*public_worlds.PRIVATE, *HIDDEN_VALUES)
# keys that must never name a property of public output: non-public registry fields and other grid columns
PRIVATE_KEYS = {f.name for f in fields.GRID_FIELDS if not f.public} | {
    "phone_public",
    "extra",
    "edited_by",
    "lock_version",
}


@pytest.fixture()
def world(session, tmp_path):
    result = public_worlds.load(session, tmp_path, publish=False)
    session.execute(
        text("UPDATE grid SET extra = CAST(:extra AS jsonb), edited_by = :editor WHERE version_id = :v"),
        {"extra": json.dumps({"note": HIDDEN_VALUES[0]}), "editor": HIDDEN_VALUES[1], "v": result.version_id},
    )
    grid_service.publish_version(session, result.version_id)
    return result


def assert_clean(blob, where: str) -> str:
    """No canary in ``blob``; returns it as text."""
    data = blob if isinstance(blob, str) else blob.decode("utf-8", errors="replace")
    for canary in CANARIES:
        assert canary not in data, f"private value {canary} leaked in {where}"
    return data


def keys_of(value) -> set[str]:
    """Every object key anywhere in a JSON document."""
    if isinstance(value, dict):
        return set(value) | set().union(*(keys_of(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(set(), *(keys_of(v) for v in value))
    return set()


def test_the_canaries_are_stored(session, world):
    # without this, a world that lost its canaries on import would make every check below pass
    row = session.execute(
        text("SELECT leader_phone, extra ->> 'note', edited_by FROM grid WHERE version_id = :v AND code = 'A1a'"),
        {"v": world.version_id},
    ).one()
    assert tuple(row) == ("199-0000-0000", HIDDEN_VALUES[0], HIDDEN_VALUES[1])


def test_json_apis_pages_and_ogc_show_no_private_field(client, world):
    lon, lat = worlds.wgs84(100, 100)
    json_urls = [
        "/api/v1/grids/A1a",
        "/api/v1/grids/A2?crs=gcj02",
        "/api/v1/grids/search?q=监督员乙",  # a staff member whose phone is private
        "/api/v1/grids/search?q=甲",
        f"/api/v1/grids/locate?lon={lon}&lat={lat}",
        f"/api/v1/lookup?lon={lon}&lat={lat}",
        "/api/v1/grids/labels?bbox=100,30,130,50&level=3",
        "/ogc/collections/grids/items?limit=1000",
        "/ogc/collections/grids/items/A1a",
    ]
    seen = ""
    for url in json_urls:
        resp = client.get(url)
        assert resp.status_code == 200, url
        seen += assert_clean(resp.data, url)
        assert not keys_of(resp.get_json()) & PRIVATE_KEYS, url
    for url in ("/", "/grids/A1a", "/grids/A1a/notice", "/grids/A2/notice"):
        resp = client.get(url, headers={"Accept": "text/html"})
        assert resp.status_code == 200, url
        seen += assert_clean(resp.data, url)
    assert all(phone in seen for phone in public_worlds.PUBLIC)  # public phones still shown


def test_open_data_files_show_no_private_field(client, world, tmp_path):
    geojson = client.get("/open-data/grids.geojson")
    assert_clean(geojson.data, "grids.geojson")
    assert not keys_of(geojson.get_json()) & PRIVATE_KEYS
    csv = client.get("/open-data/grids.csv")
    header = assert_clean(csv.data, "grids.csv").lstrip("\ufeff").splitlines()[0].split(",")
    assert not set(header) & PRIVATE_KEYS and "leader_phone" in header
    gpkg = client.get("/open-data/grids.gpkg")
    path = tmp_path / "grids.gpkg"
    path.write_bytes(gpkg.data)
    frame = pyogrio.read_dataframe(str(path), layer="grids")
    assert len(frame) == 8 and not set(frame.columns) & PRIVATE_KEYS
    assert_clean(frame.drop(columns="geometry").to_csv(), "grids.gpkg attributes")
    assert_clean(gpkg.data, "grids.gpkg bytes")


@pytest.mark.parametrize("crs", ["wgs84", "gcj02"])
def test_tiles_carry_code_name_level_only(client, world, session, tmp_path, crs):
    geom = session.execute(
        text("SELECT ST_AsText(ST_Envelope(ST_Collect(geom))) FROM grid WHERE version_id = :v"), {"v": world.version_id}
    ).scalar()
    z, x, y = enclosing_tile(shapely.from_wkt(geom))
    for level in (1, 2, 3):
        resp = client.get(f"/tiles/{z}/{x}/{y}.pbf?level={level}&crs={crs}")
        assert resp.status_code == 200 and resp.data
        assert_clean(resp.data, f"tile level {level}")
        frame = decode(resp.data, z, x, y, tmp_path / f"{crs}{level}")
        assert set(frame.columns) - {"mvt_id"} == {"code", "name", "level", "geometry"}
        assert set(frame["level"]) == {level}
        assert_clean(frame.drop(columns="geometry").to_csv(), f"decoded tile level {level}")


def test_batch_lookup_output_has_no_private_field(client, world):
    lon, lat = worlds.wgs84(100, 100)
    resp = client.post(
        "/api/v1/lookup/batch", data=f"id,lon,lat\np,{lon!r},{lat!r}\n".encode(), content_type="text/csv"
    )
    body = assert_clean(resp.data, "batch CSV")
    assert resp.status_code == 200 and "A1a" in body


def test_the_public_view_lists_exactly_the_public_registry_fields(session):
    columns = session.execute(
        text("SELECT column_name FROM information_schema.columns WHERE table_name = :t ORDER BY ordinal_position"),
        {"t": "public_grid"},
    ).scalars()
    structural = {"id", "version_id", "parent_id", "ancestor_ids", "geom", "area_m2", "staff"}
    assert [c for c in columns if c not in structural] == list(fields.PUBLIC_COLUMNS)
    stored = set(
        session.execute(text("SELECT column_name FROM information_schema.columns WHERE table_name = 'grid'")).scalars()
    )
    assert set(fields.GRID_COLUMNS) <= stored  # every registry field is a column of grid
    staff = session.execute(
        text("SELECT column_name FROM information_schema.columns WHERE table_name = 'public_grid_staff'")
    ).scalars()
    assert "phone_public" not in set(staff)
