"""``gisgrid grids import --repair`` against real PostGIS: the repaired version is stored, says it was
repaired and with which limits, and answers lookups; without --repair the import refuses as before."""

import json

import pytest
from sqlalchemy import text

from gisgrid.cli import main
from gisgrid.grids import versions as grid_versions
from tests import repair_world as rw


@pytest.fixture()
def cli(app):
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(main, [str(a) for a in args])


@pytest.fixture()
def messy_file(tmp_path):
    return rw.write_geojson(rw.messy_county(), tmp_path / "messy.geojson")


def _versions(session):
    return session.execute(text("SELECT count(*) FROM boundary_version")).scalar_one()


def test_without_repair_the_import_refuses_as_before(cli, session, messy_file):
    count = _versions(session)
    result = cli("grids", "import", messy_file)
    assert result.exit_code == 1
    assert "校验未通过，共 5 个错误" in result.output and "修复" not in result.output
    assert _versions(session) == count


def test_limits_need_repair(cli, messy_file, tmp_path):
    result = cli("grids", "import", messy_file, "--snap", "2")
    assert result.exit_code == 2 and "--snap needs --repair" in result.output
    result = cli("grids", "import", messy_file, "--report", tmp_path / "r.csv")
    assert result.exit_code == 2 and "--report needs --repair" in result.output


def test_repair_imports_publishes_and_records_its_limits(cli, session, messy_file, tmp_path):
    report = tmp_path / "report.geojson"
    args = ("--repair", "--snap", "2.5", "--max-gap-width", "8", "--report", report)
    result = cli("grids", "import", messy_file, "--publish", *args)
    assert result.exit_code == 0, result.output
    assert "吸附 2.5 米，最大缝隙宽度 8 米" in result.output and "imported 4 grids" in result.output
    version = grid_versions.find_published(session)
    meta = session.execute(text("SELECT repair FROM boundary_version WHERE id = :v"), {"v": version.id}).scalar_one()
    assert meta["repaired"] is True and meta["snap_m"] == 2.5 and meta["max_gap_width_m"] == 8
    assert meta["slivers"] == {"gap": 3, "overlap": 1, "outside_parent": 1, "snap": 0}
    assert meta["grids_changed"] == 2 and meta["max_hausdorff_code"] == "210001"
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["properties"] == meta
    # the repaired towns tile the county in PostGIS too: no point of it is outside both, none in both
    tiling = session.execute(
        text(
            "SELECT ST_Area(ST_SymDifference(c.geom, ST_Union(t.geom))::geography), "
            "ST_Area(ST_Intersection(a.geom, b.geom)::geography) "
            "FROM grid c, grid t, grid a, grid b WHERE c.version_id = :v AND c.code = '210000' "
            "AND t.version_id = :v AND t.parent_code = '210000' AND a.version_id = :v AND a.code = '210001' "
            "AND b.version_id = :v AND b.code = '210002' GROUP BY c.geom, a.geom, b.geom"
        ),
        {"v": version.id},
    ).one()
    assert tiling[0] < 0.01 and tiling[1] < 0.01


def test_lookup_after_repair(cli, client, messy_file):
    assert cli("grids", "import", messy_file, "--publish", "--repair").exit_code == 0
    lon, lat = rw.lonlat_point(1550, 450)  # the lake stays the lake's
    assert client.get(f"/api/v1/lookup?lon={lon}&lat={lat}").get_json()["grid"]["code"] == "219999"
    lon, lat = rw.lonlat_point(1001, 900)  # the north gap of the zig-zag went to 乙镇
    assert client.get(f"/api/v1/lookup?lon={lon}&lat={lat}").get_json()["grid"]["code"] == "210002"
    lon, lat = rw.lonlat_point(-1.5, 500)  # the 3 m strip outside the county was clipped: nothing covers it
    assert client.get(f"/api/v1/lookup?lon={lon}&lat={lat}").status_code == 404
    lon, lat = rw.lonlat_point(1250, 750)  # the exclave of 甲镇 inside 乙镇
    assert client.get(f"/api/v1/lookup?lon={lon}&lat={lat}").get_json()["grid"]["code"] == "210001"


def test_wide_gap_stays_an_error_and_the_report_is_still_written(cli, session, tmp_path):
    src = rw.write_geojson(rw.wide_gap_county(), tmp_path / "wide.geojson")
    count = _versions(session)
    report = tmp_path / "wide.csv"
    result = cli("grids", "import", src, "--repair", "--report", report)
    assert result.exit_code == 1
    assert "修复后仍有错误" in result.output and "gap:" in result.output and "outside_parent:" in result.output
    assert report.exists() and _versions(session) == count
