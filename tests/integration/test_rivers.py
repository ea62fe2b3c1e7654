"""The river network: import (formats, CRSs, all-or-nothing, replace), reaches near an act, GeoJSON, CLI."""

import pytest
import shapely
from shapely.geometry import Point
from sqlalchemy import func, select

from gisgrid.cli import main
from gisgrid.errors import InvalidInput, ValidationFailed
from gisgrid.jurisdiction.derive import downstream
from gisgrid.jurisdiction.models import RiverReach
from gisgrid.jurisdiction.rivers import import_rivers, network_geojson, reaches_near
from tests.jurisdiction_world import river_frame
from tests.worlds import PROJECTED, X0, Y0, wgs84, write_geojson, write_shapefile_zip


def stored(session) -> list[tuple[str, str, object, bool]]:
    rows = session.execute(
        select(RiverReach.river, RiverReach.code, func.ST_AsBinary(RiverReach.geom), RiverReach.sample_data).order_by(
            RiverReach.id
        )
    )
    return [(river, code, shapely.from_wkb(bytes(wkb)), sample) for river, code, wkb, sample in rows]


def assert_is_the_frame(session, count=3):
    rows = stored(session)
    assert len(rows) == count
    for (river, code, geom, sample), expected in zip(rows, river_frame().itertuples()):
        assert (river, code, sample) == ("甲河", expected.code, True)
        # reprojected exactly: well under a millimetre (1e-8° ≈ 1 mm)
        assert shapely.equals_exact(geom, expected.geometry, tolerance=1e-8), (geom, expected.geometry)


def feature(geometry, **properties):
    return {"type": "Feature", "geometry": geometry, "properties": properties}


def world_coords(*points):
    return [list(wgs84(x, y)) for x, y in points]


# --- import -----------------------------------------------------------------------------------------


def test_import_wgs84_geojson(session, tmp_path):
    path = tmp_path / "rivers.geojson"
    river_frame().to_file(path, engine="pyogrio")
    assert import_rivers(session, str(path), label="示例水系") == 3
    assert_is_the_frame(session)
    assert session.scalar(select(RiverReach.source).limit(1)) == "示例水系 — rivers.geojson"


def test_import_geopackage_in_epsg_4528(session, tmp_path):
    path = tmp_path / "rivers.gpkg"
    river_frame().to_crs(PROJECTED).to_file(path, engine="pyogrio")
    assert import_rivers(session, str(path)) == 3
    assert_is_the_frame(session)


@pytest.mark.filterwarnings("ignore:Column names longer", "ignore:Normalized/laundered field name")
@pytest.mark.parametrize("zipped", [True, False])
def test_import_shapefile_in_epsg_4528(session, tmp_path, zipped):
    frame = river_frame().to_crs(PROJECTED)
    if zipped:
        path = str(write_shapefile_zip(frame, tmp_path, "rivers", "data/"))
    else:
        path = str(tmp_path / "rivers.shp")
        frame.to_file(path, engine="pyogrio")
    assert import_rivers(session, path) == 3
    assert_is_the_frame(session)


def test_geojson_without_crs_in_metres_needs_crs(session, tmp_path):
    lines = [
        feature(
            {"type": "LineString", "coordinates": [[X0 + a, Y0 + 1500], [X0 + b, Y0 + 1500]]},
            river="甲河",
            code=f"R{i}",
            sample_data=True,
        )
        for i, (a, b) in enumerate([(0, 1200), (1200, 3600), (3600, 6000)], 1)
    ]
    path = write_geojson(tmp_path, lines)
    with pytest.raises(InvalidInput, match="超出经纬度范围"):
        import_rivers(session, path)
    assert import_rivers(session, path, crs="EPSG:4528") == 3
    assert_is_the_frame(session)


def test_multilinestrings_become_one_reach_per_part(session, tmp_path):
    multi = {
        "type": "MultiLineString",
        "coordinates": [world_coords((0, 0), (500, 0)), world_coords((500, 0), (900, 100), (1000, 0))],
    }
    path = write_geojson(tmp_path, [feature(multi, river="乙河")])
    assert import_rivers(session, path) == 2
    assert [len(geom.coords) for _, _, geom, _ in stored(session)] == [2, 3]


def test_bad_file_is_refused_whole_with_every_bad_feature(session, tmp_path):
    good = {"type": "LineString", "coordinates": world_coords((0, 0), (100, 0))}
    path = write_geojson(
        tmp_path,
        [
            feature(good, river="甲河"),
            feature({"type": "Point", "coordinates": world_coords((0, 0))[0]}, river="甲河"),
            feature(good, river="  "),
            feature({"type": "LineString", "coordinates": world_coords((5, 5), (5, 5))}, river="甲河"),
            feature(good, river="甲河"),
            feature({"type": "Polygon", "coordinates": [world_coords((0, 0), (1, 0), (1, 1), (0, 0))]}),
            feature(None, river="甲河"),
        ],
    )
    with pytest.raises(ValidationFailed) as refused:
        import_rivers(session, path)
    by_feature = {}
    for problem in refused.value.details:
        by_feature.setdefault(problem["feature"], set()).add(problem["code"])
    assert by_feature == {
        1: {"not_a_line"},
        2: {"missing_river"},
        3: {"invalid_line"},
        5: {"not_a_line", "missing_river"},
        6: {"empty"},
    }
    for number in (1, 2, 3, 5, 6):
        assert f"#{number}" in refused.value.message
    assert stored(session) == []


def test_missing_river_field_names_the_columns(session, tmp_path):
    path = tmp_path / "rivers.geojson"
    river_frame().rename(columns={"river": "HLMC"}).to_file(path, engine="pyogrio")
    with pytest.raises(InvalidInput, match="HLMC"):
        import_rivers(session, str(path))
    assert import_rivers(session, str(path), river_field="hlmc") == 3  # case-insensitive, as in shapefiles


def test_replace_swaps_the_network_and_a_refused_replace_keeps_it(session, tmp_path):
    path = tmp_path / "rivers.geojson"
    river_frame().to_file(path, engine="pyogrio")
    import_rivers(session, str(path))
    import_rivers(session, str(path))
    assert len(stored(session)) == 6
    assert import_rivers(session, str(path), replace=True) == 3
    assert_is_the_frame(session)
    bad = write_geojson(tmp_path, [feature({"type": "Point", "coordinates": [116.3, 39.9]}, river="x")], "bad.geojson")
    with pytest.raises(ValidationFailed):
        import_rivers(session, bad, replace=True)
    assert_is_the_frame(session)


# --- queries ----------------------------------------------------------------------------------------


@pytest.fixture()
def network(session, tmp_path):
    path = tmp_path / "rivers.geojson"
    river_frame().to_file(path, engine="pyogrio")
    import_rivers(session, str(path))
    return {code: rid for code, rid in session.execute(select(RiverReach.code, RiverReach.id))}


def test_reaches_near_uses_geodesic_metres(session, network):
    act = Point(wgs84(600, 1700))  # 200 m from R1, 632 m from R2's start
    assert [r.id for r in reaches_near(session, act, 190)] == []
    assert [r.id for r in reaches_near(session, act, 210)] == [network["R1"]]
    assert [r.id for r in reaches_near(session, act, 640)] == [network["R1"], network["R2"]]
    reach = reaches_near(session, act, 210)[0]
    assert reach.river == "甲河" and shapely.equals_exact(reach.geom, river_frame().geometry[0], 1e-9)


def test_reaches_near_feeds_the_downstream_walk(session, network):
    act = Point(wgs84(600, 1600))
    trace = downstream(act, reaches_near(session, act, 2_000 + 200), 2_000)
    assert trace.reach_ids == (network["R1"], network["R2"])
    assert trace.length_m == pytest.approx(2_000, rel=0.005)


def test_network_geojson_whole_and_by_bbox(session, network):
    collection = network_geojson(session)
    assert collection["type"] == "FeatureCollection"
    assert [f["properties"]["code"] for f in collection["features"]] == ["R1", "R2", "R3"]
    assert collection["features"][0]["geometry"]["type"] == "LineString"
    assert collection["features"][0]["properties"]["sample_data"] is True
    (minx, miny), (maxx, maxy) = wgs84(4_000, 1_000), wgs84(5_000, 2_000)
    assert [f["properties"]["code"] for f in network_geojson(session, (minx, miny, maxx, maxy))["features"]] == ["R3"]


# --- command line -----------------------------------------------------------------------------------


@pytest.fixture()
def cli(app):
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(main, [str(a) for a in args])


def test_cli_imports_replaces_and_refuses(cli, session, tmp_path):
    path = tmp_path / "rivers.gpkg"
    river_frame().rename(columns={"river": "name"}).to_crs(PROJECTED).to_file(path, engine="pyogrio")
    result = cli("jurisdiction", "rivers-import", path, "--river-field", "name")
    assert result.exit_code == 0, result.output
    assert "imported 3 river reaches" in result.output
    result = cli("jurisdiction", "rivers-import", path, "--river-field", "name", "--replace")
    assert result.exit_code == 0 and "replaced" in result.output
    assert len(stored(session)) == 3
    bad = write_geojson(tmp_path, [feature({"type": "Point", "coordinates": [116.3, 39.9]}, river="x")])
    result = cli("jurisdiction", "rivers-import", bad)
    assert result.exit_code == 1
    assert "#0" in result.output and "not a line" in result.output
    assert len(stored(session)) == 3


# --- demo -------------------------------------------------------------------------------------------


def test_demo_network_loads_once_and_forks_at_xizhimen_and_jishuitan(session):
    from gisgrid.jurisdiction.demo import load_demo_rivers

    assert load_demo_rivers(session) == 7
    assert load_demo_rivers(session) == 0
    rows = stored(session)
    assert len(rows) == 7 and all(sample for *_, sample in rows)
    act = Point(116.3400, 39.9415)  # beside the 长河, upstream of both forks
    trace = downstream(act, reaches_near(session, act, 8_000 + 200), 8_000)
    assert len(trace.rivers) == 4 and trace.rivers[0] == "长河（示意）"
    assert trace.snap_m < 200


def test_demo_network_is_skipped_when_a_network_is_loaded(session, network):
    from gisgrid.jurisdiction.demo import load_demo_rivers

    assert load_demo_rivers(session) == 0
    assert len(stored(session)) == 3


def test_demo_load_command_loads_the_rivers_once(cli, session):
    result = cli("demo", "load")
    assert result.exit_code == 0, result.output
    assert "loaded 7 illustrative demo river reaches" in result.output
    again = cli("demo", "load")
    assert again.exit_code == 0 and "river reaches" not in again.output
    assert len(stored(session)) == 7
    assert "created sample cross-boundary event" in result.output and "cross-boundary" not in again.output


def test_demo_event_crosses_two_streets_first_report_holds_and_the_river_carries_it(cli, session):
    from gisgrid.jurisdiction import service
    from gisgrid.jurisdiction.models import PollutionEvent

    assert cli("demo", "load").exit_code == 0
    event = session.scalars(select(PollutionEvent)).one()
    result = service.resolution(session, event)
    parents = {hit.chain[1] for hit in result.jurisdiction}
    assert len(result.jurisdiction) == 2 and len(parents) == 2  # communities of two streets
    assert result.outcome.deciding == "110102000000"  # the district designates
    first = min(event.cases, key=lambda c: c.received_at)
    assert result.outcome.holder == first.received_chain[-1] and result.outcome.rule == "first_received"
    assert {a.kind for a in result.areas} == {"buffer", "downstream"} and result.notified
