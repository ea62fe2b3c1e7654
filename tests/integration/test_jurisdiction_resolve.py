"""Resolution on a real PostGIS: which leaf grids the act reaches, at whatever level, exclaves and edges included."""

import pytest
from shapely.geometry import shape

from gisgrid.errors import InvalidInput, ValidationFailed
from gisgrid.jurisdiction import geoinput, resolve, rules
from gisgrid.jurisdiction.resolve import Area
from tests.jurisdiction_world import box_geojson, line, point


def _resolve(session, world, act, areas=()):
    return resolve.resolve(session, world.version_id, geoinput.parse(act, None, "act"), areas)


def _codes(hits):
    return sorted(h.code for h in hits)


def test_a_point_inside_one_village_gives_that_village_alone(session, world_j):
    result = _resolve(session, world_j, point(300, 300))
    assert _codes(result.jurisdiction) == ["V111"]
    assert (result.outcome.holder, result.outcome.rule) == ("V111", rules.ACT_LOCATION)
    assert result.jurisdiction[0].chain == ("P", "C1", "T11", "V111")


def test_a_point_on_a_shared_corner_gives_both_villages(session, world_j):
    result = _resolve(session, world_j, point(750, 2000))
    assert _codes(result.jurisdiction) == ["V111", "V112"]
    assert result.outcome.deciding == "T11"


def test_an_outfall_pipe_across_two_townships_of_one_county(session, world_j):
    result = _resolve(session, world_j, line((1400, 300), (1600, 300)))
    assert _codes(result.jurisdiction) == ["V112", "V121"]
    assert [round(h.share, 3) for h in result.jurisdiction] == [0.5, 0.5]
    assert sum(h.measure for h in result.jurisdiction) == pytest.approx(200, rel=1e-3)  # metres, geodesic
    assert (result.outcome.holder, result.outcome.deciding) == (None, "C1")  # no report yet


def test_a_stretch_across_two_counties_meets_grids_at_different_levels(session, world_j):
    result = _resolve(session, world_j, line((2800, 500), (3300, 500)))
    levels = {h.code: h.level for h in result.jurisdiction}
    assert levels == {"V122": 4, "T21": 3}
    assert result.outcome.deciding == "P"  # the counties share only the province


def test_an_act_inside_an_exclave_belongs_to_the_exclave_owner(session, world_j):
    result = _resolve(session, world_j, box_geojson(1050, 850, 1150, 950))
    assert _codes(result.jurisdiction) == ["V122"]  # surrounded by V112, owned by V122


def test_an_act_straddling_the_exclave_edge(session, world_j):
    result = _resolve(session, world_j, box_geojson(900, 850, 1100, 950))
    shares = {h.code: round(h.share, 3) for h in result.jurisdiction}
    assert shares == {"V112": 0.5, "V122": 0.5}
    assert result.outcome.deciding == "C1"  # V112 in T11, V122 in T12


def test_touching_a_neighbour_along_an_edge_is_not_reaching_it(session, world_j):
    result = _resolve(session, world_j, box_geojson(1500, 100, 1600, 200))
    assert _codes(result.jurisdiction) == ["V121"]


def test_harm_areas_give_affected_and_notified_grids(session, world_j):
    observed = Area("observed", shape(box_geojson(4600, 1100, 4700, 1200)), {})
    downstream = Area("downstream", shape(line((300, 1500), (3500, 1500))), {})
    result = _resolve(session, world_j, point(300, 300), [observed, downstream])
    assert _codes(result.affected) == ["T21", "V111", "V112", "V121", "V122", "V222"]
    assert _codes(result.notified) == ["T21", "V112", "V121", "V122", "V222"]  # V111 has jurisdiction
    kinds = {h.code: h.kinds for h in result.affected}
    assert kinds["V222"] == ("observed",) and kinds["V111"] == ("downstream",)


def test_an_act_outside_every_grid_is_refused(session, world_j):
    with pytest.raises(ValidationFailed, match="不在任何网格内"):
        _resolve(session, world_j, point(7000, 500))


def test_an_act_partly_outside_reports_the_outside_share(session, world_j):
    result = _resolve(session, world_j, line((5800, 500), (6200, 500)))
    assert _codes(result.jurisdiction) == ["V221"]
    assert result.outside_share == pytest.approx(0.5, abs=0.01)


def test_the_map_shows_every_level_between_the_parties_and_the_deciding_grid(session, world_j):
    result = _resolve(session, world_j, line((2800, 500), (3300, 500)))
    roles = {
        f["properties"].get("code", "act"): f["properties"]["role"]
        for f in resolve.map_features(session, result)["features"]
    }
    assert roles == {
        "act": "act",
        "V122": "jurisdiction",
        "T21": "jurisdiction",
        "T12": "between",
        "C1": "between",
        "C2": "between",
        "P": "deciding",
    }


@pytest.mark.parametrize(
    "bad, message",
    [
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}, "几何无效"),
        ({"type": "LineString", "coordinates": [[116.3, 39.9]]}, "坐标格式错误"),
        ({"type": "Point", "coordinates": [500000, 4400000]}, "经纬度超出范围"),
        ({"type": "GeometryCollection", "geometries": []}, "几何类型"),
        ({"type": "Point"}, "缺少 coordinates"),
        ("POINT(116 39)", "GeoJSON"),
        ({"type": "Point", "coordinates": ["a", "b"]}, "坐标"),
    ],
)
def test_bad_act_geometry_gets_a_clear_error(bad, message):
    with pytest.raises((InvalidInput, ValidationFailed), match=message):
        geoinput.parse(bad, None, "act")


def test_an_act_in_a_projected_crs_is_reprojected(session, world_j):
    from tests.worlds import X0, Y0

    act = {"type": "Point", "coordinates": [X0 + 1100, Y0 + 900]}
    assert _codes(_resolve_crs(session, world_j, act, "EPSG:4528").jurisdiction) == ["V122"]


def _resolve_crs(session, world, act, crs):
    return resolve.resolve(session, world.version_id, geoinput.parse(act, crs, "act"))


def test_too_many_vertices_are_refused():
    coords = [[116 + i * 1e-6, 39.9] for i in range(geoinput.MAX_VERTICES + 1)]
    with pytest.raises(InvalidInput, match="顶点过多"):
        geoinput.parse({"type": "LineString", "coordinates": coords}, None, "act")
