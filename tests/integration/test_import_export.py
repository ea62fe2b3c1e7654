"""Import (all-or-nothing), versions, publication and export against PostGIS."""

import geopandas as gpd
import pytest
import shapely
from sqlalchemy import func, select

from gisgrid.errors import ValidationFailed
from gisgrid.grids import exporter, queries, service
from gisgrid.grids import versions as grid_versions
from gisgrid.grids.models import BoundaryVersion, Grid, GridPart, GridStaff
from tests import worlds


def count(session, model):
    return session.scalar(select(func.count()).select_from(model))


def test_import_stores_every_grid_with_parents_and_parts(session, world_ab):
    assert world_ab.grid_count == 8 and world_ab.published
    grids = {g.code: g for g in queries.version_grids(session, world_ab.version_id)}
    assert grids["A1a"].parent_code == "A1"
    assert grids["A1a"].ancestor_ids == [grids["A"].id, grids["A1"].id]
    assert grids["A2"].area_m2 == pytest.approx(1_000_000 + 40_000, rel=1e-3)
    assert [s.name for s in grids["A1a"].staff] == ["示例·网格员甲", "示例·监督员乙"]
    assert count(session, GridPart) >= 8


def test_geometry_is_stored_exactly_not_simplified(session, tmp_path):
    frame = worlds.world_ab_frame()
    # a wiggly edge with many vertices must survive unchanged
    path = worlds.write(frame, tmp_path / "ab.gpkg")
    result = service.import_file(session, path)
    stored = queries.grid_wkb(session, result.version_id)
    codes = {g.id: g.code for g in queries.version_grids(session, result.version_id)}
    expected = frame.to_crs(4326).set_index("code").geometry
    for gid, wkb in stored.items():
        geom = shapely.from_wkb(wkb)
        assert shapely.get_num_coordinates(geom) == shapely.get_num_coordinates(expected[codes[gid]])
        assert geom.symmetric_difference(expected[codes[gid]]).area < 1e-14


def test_invalid_import_writes_nothing(session, tmp_path, world_ab):
    before = [count(session, m) for m in (BoundaryVersion, Grid, GridStaff, GridPart)]
    frame = worlds.world_ab_frame()
    frame.loc[frame.code == "A2a", "geometry"] = worlds.sq(1000, 0, 2100, 1000)  # sticks out of A2 and A
    frame.loc[frame.code == "B", "parent_code"] = "NOPE"
    with pytest.raises(ValidationFailed) as err:
        service.import_file(session, worlds.write(frame, tmp_path / "bad.gpkg"), publish=True)
    kinds = {d["kind"] for d in err.value.details}
    assert {"outside_parent", "unknown_parent"} <= kinds
    assert [count(session, m) for m in (BoundaryVersion, Grid, GridStaff, GridPart)] == before
    assert grid_versions.find_published(session).id == world_ab.version_id


def test_draft_is_not_visible_until_published(session, tmp_path, world_ab, client):
    lon, lat = worlds.wgs84(3500, 500)
    frame = worlds.world_ab_frame()
    frame.loc[frame.code == "B", "name"] = "乙县（新）"
    draft = service.import_file(session, worlds.write(frame, tmp_path / "v2.gpkg"))
    assert client.get("/api/v1/lookup", query_string={"lon": lon, "lat": lat}).json["grid"]["name"] == "乙县"
    service.publish_version(session, draft.version_id)
    assert client.get("/api/v1/lookup", query_string={"lon": lon, "lat": lat}).json["grid"]["name"] == "乙县（新）"
    old = session.get(BoundaryVersion, world_ab.version_id)
    session.refresh(old)
    assert old.status == "superseded" and old.superseded_at is not None
    # earlier versions stay readable
    assert len(queries.version_grids(session, world_ab.version_id)) == 8


@pytest.mark.parametrize("suffix", [".geojson", ".gpkg", ".shp"])
def test_export_round_trip(session, tmp_path, world_ab, suffix):
    path = tmp_path / f"out{suffix}"
    assert exporter.export_version(session, str(path)) == 8
    again = service.import_file(session, str(path))
    first = {g.code: g for g in queries.version_grids(session, world_ab.version_id)}
    second = {g.code: g for g in queries.version_grids(session, again.version_id)}
    assert first.keys() == second.keys()
    for code, grid in first.items():
        other = second[code]
        assert (other.name, other.level, other.parent_code, other.leader_name, other.contact_phone) == (
            grid.name,
            grid.level,
            grid.parent_code,
            grid.leader_name,
            grid.contact_phone,
        )
        assert [s.phone for s in other.staff] == [s.phone for s in grid.staff]
    assert gpd.read_file(path).crs.to_epsg() == 4326


def test_export_refuses_unknown_format(session, tmp_path, world_ab):
    from gisgrid.errors import InvalidInput

    with pytest.raises(InvalidInput):
        exporter.export_version(session, str(tmp_path / "x.kml"))
