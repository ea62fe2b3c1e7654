"""Open cases report "now in another grid" after a new boundary version, and move on confirmation."""

from __future__ import annotations

import shapely
from shapely.geometry import Polygon

from gisgrid.grids import assignments
from gisgrid.grids import service as grid_service
from gisgrid.incidents import intake, matrix
from gisgrid.incidents import service as incident_service  # noqa: F401 (registers the "case" provider)
from gisgrid.incidents.models import Incident
from gisgrid.incidents.report import Report
from tests import worlds


def _second_version(tmp_path):
    """World A/B with the A1a/A1b edge moved from x=500 to x=400."""
    rows = worlds.world_ab_rows()
    hole = worlds.sq(200, 200, 400, 400)
    a1a = Polygon(worlds.sq(0, 0, 400, 1000).exterior.coords, [hole.exterior.coords])
    a1b = worlds.sq(400, 0, 1000, 1000)
    for row in rows:
        if row["code"] == "A1a":
            row["geometry"] = a1a
        elif row["code"] == "A1b":
            row["geometry"] = a1b
        elif row["code"] == "A1":
            row["geometry"] = shapely.union_all([a1a, a1b])
    import geopandas as gpd

    frame = gpd.GeoDataFrame(rows, geometry="geometry", crs=worlds.PROJECTED)
    return worlds.write(frame, tmp_path / "ab2.gpkg")


def _case(session, x, y):
    lon, lat = worlds.wgs84(x, y)
    case, _ = intake.report(session, Report("web", "dust", "扬尘", lon, lat), None)
    return case


def test_case_provider_with_two_boundary_versions(session, world_ab, tmp_path):
    matrix.load_demo(session)
    moving, staying = _case(session, 450, 800), _case(session, 100, 800)
    closed = _case(session, 460, 800)
    closed.state = "closed"
    session.commit()
    second = grid_service.import_file(session, _second_version(tmp_path), publish=True)
    found = [m for m in assignments.moved(session, second.version_id) if m.kind == "case"]
    assert [(m.item_id, m.old_code, m.new_code) for m in found] == [(moving.id, "A1a", "A1b")]
    assert assignments.reassign(session, second.version_id, {"case": [moving.id]}) == {"case": 1}
    session.expire_all()
    moved = session.get(Incident, moving.id)
    assert moved.grid_codes == ["A", "A1", "A1b"] and moved.version_id == second.version_id
    assert moved.events[-1].action == "reassign"
    assert session.get(Incident, staying.id).version_id == world_ab.version_id
    assert [m for m in assignments.moved(session, second.version_id) if m.kind == "case"] == []
